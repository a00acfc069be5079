import type { Logger } from 'pino';
import type { Config } from '../config';
import type { Db } from '../db/database';
import type { OutboxWriter } from '../whatsapp/session-ingest';
import { DeliverySender } from './delivery-sender';
import { WebhookDispatcher, type RecordedAttempt } from './dispatcher';
import { writeSessionEvents } from './outbox';
import { WebhookService } from './webhook-service';

export interface Webhooks {
  service: WebhookService;
  dispatcher: WebhookDispatcher;
  /** Writes the deliveries of a session's events inside the transaction that stored them. */
  outbox: OutboxWriter;
  close(): Promise<void>;
}

const BATCH_SIZE = 200;

/** Durable webhooks with this configuration's delivery limits, retry policy and address guard. */
export function createWebhooks(config: Config, db: Db, log: Logger, recorded?: (attempts: readonly RecordedAttempt[]) => void): Webhooks {
  const allowedHosts = config.WEBHOOK_ALLOWED_HOSTS.split(',')
    .map((host) => host.trim())
    .filter(Boolean);
  const sender = new DeliverySender({ timeoutMs: config.WEBHOOK_TIMEOUT_MS, allowPrivate: config.WEBHOOK_ALLOW_PRIVATE, allowedHosts });
  const dispatcher = new WebhookDispatcher(db, sender, log.child({ component: 'webhooks' }), {
    concurrency: config.WEBHOOK_CONCURRENCY,
    batchSize: BATCH_SIZE,
    pollIntervalMs: config.WEBHOOK_POLL_INTERVAL_MS,
    leaseMs: config.WEBHOOK_TIMEOUT_MS * 2 + 30_000,
    retry: { baseDelayMs: config.WEBHOOK_RETRY_BASE_DELAY_MS, maxDelayMs: config.WEBHOOK_RETRY_MAX_DELAY_MS },
    disableAfterFailures: config.WEBHOOK_DISABLE_AFTER_FAILURES,
    retentionMs: config.WEBHOOK_RETENTION_DAYS * 86_400_000,
    recorded,
  });
  const service = new WebhookService(
    db,
    { allowPrivate: config.WEBHOOK_ALLOW_PRIVATE, allowedHosts, secretGraceMs: config.WEBHOOK_SECRET_GRACE_SECONDS * 1000 },
    sender,
    () => dispatcher.wake(),
  );
  return {
    service,
    dispatcher,
    outbox: (trx, session, events) => writeSessionEvents(trx, session, events),
    async close() {
      await dispatcher.stop();
      await sender.close();
    },
  };
}
