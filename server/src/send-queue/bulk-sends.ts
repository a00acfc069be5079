import { isAdmin, type Principal } from '../auth/principal';
import type { Config } from '../config';
import type { Db } from '../db/database';
import { newId } from '../db/ids';
import { toJson } from '../db/json';
import { badRequest, notFound } from '../http/errors';
import { sendMediaLimits } from '../messages/media-input';
import { planSend } from '../messages/outgoing-content';
import { parseRecipient } from '../messages/recipients';
import type { SessionService } from '../sessions/session-service';
import { bulkCounts, bulkRows, cancelBulkJob, findBulkJob, insertBulkJob, type BulkJob } from './bulk-repository';
import type { BulkBody } from './queue-schemas';
import { insertQueued, type NewQueuedSend } from './queue-repository';
import { checkVariables, render } from './queued-request';
import { newMessageId } from './send-queue';
import { bulkView } from './queue-views';

const INSERT_BATCH = 200;

/** Bulk sends: one content to up to 1,000 recipients, queued together and sent at the session's pace. */
export class BulkSends {
  constructor(
    private readonly db: Db,
    private readonly sessions: SessionService,
    private readonly config: Config,
    private readonly wake: (sessionRowId: string) => void,
  ) {}

  /** Checks the whole request (every recipient, every variable, the content once), then queues every recipient in one transaction. */
  async create(principal: Principal, sessionId: string, body: BulkBody) {
    const session = await this.sessions.find(principal, sessionId);
    const template = body.message;
    checkVariables(template, body.recipients);
    const recipients = body.recipients.map((recipient, index) => {
      try {
        return { to: parseRecipient(recipient.to), variables: recipient.variables ?? {} };
      } catch (error) {
        throw badRequest(`recipients/${index}: ${(error as Error).message}`);
      }
    });
    await planSend(this.db, session.id, render(template, recipients[0]!.to, recipients[0]!.variables), sendMediaLimits(this.config));

    const job = { id: newId(), sessionId: session.id, userId: principal.id, template: toJson(template), total: recipients.length };
    const rows: NewQueuedSend[] = recipients.map((recipient, index) => ({
      id: newId(),
      sessionId: session.id,
      userId: principal.id,
      messageId: newMessageId(),
      request: toJson({ bulk: recipient }),
      paced: true,
      status: 'QUEUED',
      bulkJobId: job.id,
      bulkIndex: index,
    }));
    await this.db.transaction().execute(async (trx) => {
      await insertBulkJob(trx, job);
      for (let start = 0; start < rows.length; start += INSERT_BATCH) await insertQueued(trx, rows.slice(start, start + INSERT_BATCH));
    });
    this.wake(session.id);
    return this.view(await this.find(principal, sessionId, job.id));
  }

  async get(principal: Principal, sessionId: string, id: string) {
    const job = await this.find(principal, sessionId, id);
    return this.view(job, true);
  }

  /** Stops the recipients not sent yet (one being sent right now still goes out); a finished job stays COMPLETED. */
  async cancel(principal: Principal, sessionId: string, id: string) {
    const job = await this.find(principal, sessionId, id);
    const counts = await bulkCounts(this.db, job.id);
    if ((counts.QUEUED ?? 0) + (counts.SENDING ?? 0) > 0)
      await this.db.transaction().execute((trx) => cancelBulkJob(trx, job.id, new Date()));
    return this.view(await this.find(principal, sessionId, id));
  }

  /** The caller's job on the caller's session, or 404 (also for someone else's). */
  private async find(principal: Principal, sessionId: string, id: string): Promise<BulkJob> {
    const session = await this.sessions.find(principal, sessionId);
    const job = await findBulkJob(this.db, session.id, id);
    if (!job || (!isAdmin(principal) && job.userId !== principal.id)) throw notFound(`Bulk job "${id}" not found`);
    return job;
  }

  private async view(job: BulkJob, withRecipients = false) {
    return bulkView(job, await bulkCounts(this.db, job.id), withRecipients ? await bulkRows(this.db, job.id) : undefined);
  }
}
