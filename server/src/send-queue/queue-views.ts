import type { BulkJob } from './bulk-repository';
import type { bulkCounts, bulkRows } from './bulk-repository';
import type { QueuedSend } from './queue-repository';
import { recipientOf, type QueuedRequest } from './queued-request';

const parse = (request: string) => JSON.parse(request) as QueuedRequest;

/** A queued send as the API shows it. */
export function queuedView(row: QueuedSend) {
  return {
    id: row.id,
    messageId: row.messageId,
    status: row.status,
    to: recipientOf(parse(row.request)),
    paced: Boolean(row.paced),
    attempts: row.attempts,
    error: row.error,
    createdAt: row.createdAt,
    sentAt: row.sentAt,
  };
}

/** A bulk job with its progress, and with every recipient when `rows` are given. */
export function bulkView(job: BulkJob, counts: Awaited<ReturnType<typeof bulkCounts>>, rows?: Awaited<ReturnType<typeof bulkRows>>) {
  const progress = {
    queued: counts.QUEUED ?? 0,
    sending: counts.SENDING ?? 0,
    sent: counts.SENT ?? 0,
    failed: counts.FAILED ?? 0,
    cancelled: counts.CANCELLED ?? 0,
  };
  const status: 'RUNNING' | 'COMPLETED' | 'CANCELLED' = job.cancelledAt
    ? 'CANCELLED'
    : progress.queued + progress.sending > 0
      ? 'RUNNING'
      : 'COMPLETED';
  return {
    id: job.id,
    status,
    total: job.total,
    progress,
    createdAt: job.createdAt,
    cancelledAt: job.cancelledAt,
    ...(rows
      ? {
          recipients: rows.map((row) => ({
            index: row.bulkIndex ?? 0,
            to: recipientOf(parse(row.request)),
            messageId: row.messageId,
            status: row.status,
            error: row.error,
            sentAt: row.sentAt,
          })),
        }
      : {}),
  };
}
