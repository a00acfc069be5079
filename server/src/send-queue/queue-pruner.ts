import type { Logger } from 'pino';
import type { Db } from '../db/database';
import { pruneFinished } from './queue-repository';

const PRUNE_INTERVAL_MS = 60_000;
const PRUNE_BATCH = 1000;

/**
 * Deletes finished sends and bulk jobs past the retention, every minute, in small batches so no statement
 * holds locks for long. Any number of processes may run it. A retry with the Idempotency-Key of a pruned
 * send still finds the message it sent (Message.metadata keeps the key).
 */
export class QueuePruner {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
    private readonly retentionMs: number,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => void this.prune(), PRUNE_INTERVAL_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  async prune(now = new Date()): Promise<number> {
    const before = new Date(now.getTime() - this.retentionMs);
    let total = 0;
    try {
      for (;;) {
        const deleted = await pruneFinished(this.db, before, PRUNE_BATCH);
        total += deleted;
        if (deleted < PRUNE_BATCH) break;
      }
    } catch (error) {
      this.log.error({ err: error }, 'could not prune the send queue');
    }
    return total;
  }
}
