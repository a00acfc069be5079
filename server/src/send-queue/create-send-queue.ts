import type { Logger } from 'pino';
import type { Config } from '../config';
import { sendMediaLimits } from '../messages/media-input';
import type { Db } from '../db/database';
import type { SessionIngest } from '../whatsapp/session-ingest';
import type { SessionManager } from '../whatsapp/session-manager';
import type { Pacing } from './pacing-repository';
import { QueuePruner } from './queue-pruner';
import { SendExecutor } from './send-executor';
import { SendOutcomes } from './send-outcomes';
import { SendQueue } from './send-queue';
import { SendWorkers } from './send-workers';

export interface SendQueueing {
  queue: SendQueue;
  workers: SendWorkers;
  pruner: QueuePruner;
}

/** Pacing of a session without its own settings. */
export const pacingDefaults = (config: Config): Pacing => ({
  paceSingleSends: false,
  messagesPerMinute: config.PACING_MESSAGES_PER_MINUTE,
  jitterMs: config.PACING_JITTER_MS,
  typingMs: config.PACING_TYPING_MS,
  dailyCap: config.PACING_DAILY_CAP,
});

/** The send queue and its workers, one per session runtime the manager holds. */
export function createSendQueue(config: Config, db: Db, log: Logger, manager: SessionManager, ingest: SessionIngest): SendQueueing {
  const outcomes = new SendOutcomes();
  const executor = new SendExecutor({
    db,
    ingest,
    manager,
    limits: sendMediaLimits(config),
  });
  const defaults = pacingDefaults(config);
  const queueLog = log.child({ component: 'send-queue' });
  const workers = new SendWorkers({
    db,
    log: queueLog,
    executor,
    outcomes,
    isConnected: (sessionRowId) => manager.isConnected(sessionRowId),
    pacingDefaults: defaults,
    pollIntervalMs: config.SEND_QUEUE_POLL_INTERVAL_MS,
    leaseMs: config.SEND_QUEUE_LEASE_MS,
  });
  manager.observe(workers);
  const queue = new SendQueue({ db, outcomes, wake: (sessionRowId) => workers.wake(sessionRowId), pacingDefaults: defaults });
  const pruner = new QueuePruner(db, queueLog, config.SEND_QUEUE_RETENTION_DAYS * 86_400_000);
  return { queue, workers, pruner };
}
