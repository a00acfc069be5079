import type { Logger } from 'pino';
import type { Db } from '../db/database';
import { HttpError } from '../http/errors';
import { toHttpError } from '../http/whatsapp-errors';
import { findPacing, type Pacing } from './pacing-repository';
import { claimNext, hasDue, pacedSendsToday, settleClaim, type QueuedSend } from './queue-repository';
import type { SendExecutor } from './send-executor';
import type { SendOutcomes } from './send-outcomes';

export interface WorkerServices {
  db: Db;
  log: Logger;
  executor: SendExecutor;
  outcomes: SendOutcomes;
  /** Whether this process holds the session's socket and it is CONNECTED. */
  isConnected(sessionRowId: string): boolean;
  pacingDefaults: Pacing;
  /** How often to look for due rows when nothing woke the worker. */
  pollIntervalMs: number;
  /** How long a claimed row stays taken. */
  leaseMs: number;
}

/**
 * Sends one session's queue, one row at a time. Unpaced rows (single sends, pacing off) go out as soon as
 * they are due; paced rows (bulk, and single sends with pacing on) at most `messagesPerMinute`, each gap
 * longer by a random part of `jitterMs`, up to `dailyCap` a UTC day. While the session is not connected
 * the queue waits. The rule that keeps a row from going out twice: a worker exists only for a session
 * whose runtime this process holds (SendWorkers), and it takes a row only through claimNext (SKIP LOCKED
 * plus a lease), so two workers — in this process or another — never hold the same row at once.
 */
export class SessionSendWorker {
  private running = true;
  private woken = false;
  private wakeUp: (() => void) | undefined;
  private readonly loop: Promise<void>;
  /** When the last paced row was sent (ms), and the random share of the jitter for the gap after it. */
  private lastPaced: number | undefined;
  private jitterDraw = Math.random();

  constructor(
    readonly sessionRowId: string,
    private readonly services: WorkerServices,
  ) {
    this.loop = this.run();
  }

  /** Something was queued (or the session connected, or its pacing changed): look now. */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  /** Stops after the row in hand, if any, is sent and recorded. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      this.woken = false;
      let waitMs = this.services.pollIntervalMs;
      try {
        waitMs = await this.step();
      } catch (error) {
        this.services.log.error({ err: error, session: this.sessionRowId }, 'send queue step failed');
      }
      if (waitMs > 0 && !this.woken) await this.pause(waitMs);
    }
  }

  /** Sends at most one row; answers how long to wait before the next step (0: at once). */
  private async step(): Promise<number> {
    const { db, pollIntervalMs, pacingDefaults } = this.services;
    if (!this.services.isConnected(this.sessionRowId)) return pollIntervalMs;
    const unpaced = await claimNext(db, this.sessionRowId, false, new Date(), this.leaseEnd());
    if (unpaced) return (await this.send(unpaced, 0)) ? 0 : pollIntervalMs;

    const now = new Date();
    if (!(await hasDue(db, this.sessionRowId, true, now))) return pollIntervalMs;
    const pacing = await findPacing(db, this.sessionRowId, pacingDefaults);
    const today = await pacedSendsToday(db, this.sessionRowId, now);
    if (pacing.dailyCap > 0 && today.count >= pacing.dailyCap) return pollIntervalMs;
    this.lastPaced ??= today.last?.getTime() ?? 0;
    const nextAt = this.lastPaced + 60_000 / pacing.messagesPerMinute + this.jitterDraw * pacing.jitterMs;
    if (nextAt > now.getTime()) return Math.min(nextAt - now.getTime(), pollIntervalMs);
    const paced = await claimNext(db, this.sessionRowId, true, now, this.leaseEnd());
    if (!paced) return pollIntervalMs;
    const sent = await this.send(paced, pacing.typingMs);
    // Measured from the end of a send, so two messages reach WhatsApp at least the interval apart.
    this.lastPaced = Date.now();
    this.jitterDraw = Math.random();
    return sent ? 0 : pollIntervalMs;
  }

  /** Sends a claimed row and records how it went; false when it went back to wait for the connection. */
  private async send(row: QueuedSend, typingMs: number): Promise<boolean> {
    const { db, executor, outcomes, log } = this.services;
    try {
      await executor.execute(row, { typingMs });
    } catch (thrown) {
      const error = toHttpError(thrown);
      if (error instanceof HttpError && error.statusCode === 409) {
        await settleClaim(db, row, { status: 'QUEUED' });
        outcomes.notify(row.id, 'deferred');
        return false;
      }
      if (!(error instanceof HttpError)) log.error({ err: error, messageId: row.messageId }, 'queued message could not be sent');
      const failure =
        error instanceof HttpError
          ? { error: error.message, errorStatus: error.statusCode }
          : { error: `The message could not be sent: ${(error as Error)?.message ?? String(error)}`, errorStatus: 500 };
      await settleClaim(db, row, { status: 'FAILED', ...failure });
      outcomes.notify(row.id, 'settled');
      return true;
    }
    await settleClaim(db, row, { status: 'SENT', sentAt: new Date() });
    outcomes.notify(row.id, 'settled');
    return true;
  }

  private leaseEnd(): Date {
    return new Date(Date.now() + this.services.leaseMs);
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = () => {
        this.wakeUp = undefined;
        done();
      };
    });
  }
}
