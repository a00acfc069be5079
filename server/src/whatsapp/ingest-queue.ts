import type { Logger } from 'pino';
import { Backoff, type BackoffOptions } from './reconnect-policy';
import type { SerialQueue } from './serial-queue';

export interface IngestRetryOptions extends BackoffOptions {
  /** Consecutive failed attempts after which the queue reports itself stuck (the session shows ERROR). */
  failuresBeforeError: number;
}

/** When the queue asks its source to stop (at `highWatermark` batches waiting) and to go on (at `lowWatermark`). */
export interface IngestFlowOptions {
  highWatermark: number;
  lowWatermark: number;
}

export interface IngestQueueHooks<T> {
  /** Stores prepared batches, in order, all or nothing; a rejection means none of them was stored. */
  write(batches: readonly T[]): Promise<unknown>;
  /** The database has refused the head batch `failuresBeforeError` times in a row, and on every refusal after. */
  stuck(error: unknown): void;
  /** A write succeeded after `stuck` was reported. */
  recovered(): void;
  /** Too many batches wait: stop taking more from the source. Called on every batch pushed until `resume`. */
  pause(): void;
  /** Few enough wait again: take more. */
  resume(): void;
}

type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

interface Waiting<T> {
  prepare: () => Promise<T>;
  preparing: Promise<Outcome<T>>;
  outcome?: Outcome<T>;
  written?: () => void;
}

const MAX_BATCHES_PER_WRITE = 8;

/**
 * A session's event batches between Baileys and the database. Baileys has already acknowledged these
 * events to WhatsApp, so nothing here is ever dropped: each batch is prepared (CPU work) as it arrives
 * and written strictly in arrival order; a batch whose preparation or write fails stays at the head and
 * is retried (prepared again when its preparation failed) with capped exponential backoff and jitter,
 * and the batches behind it wait. There is no give-up: after `failuresBeforeError` consecutive failures
 * the owner hears `stuck`, and retries go on at the maximum delay until the database takes the batch.
 *
 * Nothing is dropped, so the queue is bounded by its source instead: from `highWatermark` batches waiting
 * it asks the owner to pause (again for every batch that still arrives, so a new source is paused too),
 * and once writes bring it down to `lowWatermark` it asks it to resume.
 *
 * Writes run on the session's storage queue, but the waits between retries do not, so the session's
 * credentials and status are still written while its events cannot be. The retry timer is unref'd: it
 * never keeps a process alive, and whatever is still waiting when the process exits is lost (the owner
 * logs how much when it stops).
 */
export class IngestQueue<T> {
  private readonly waiting: Waiting<T>[] = [];
  private readonly backoff: Backoff;
  private failures = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private scheduled = false;
  private pushed = 0;
  private writtenCount = 0;
  private drainWaiters: { upTo: number; resolve(): void }[] = [];
  private pausing = false;
  private abandoned = false;

  constructor(
    private readonly storage: SerialQueue,
    private readonly options: IngestRetryOptions & IngestFlowOptions,
    private readonly hooks: IngestQueueHooks<T>,
    private readonly log: Logger,
  ) {
    this.backoff = new Backoff(options);
  }

  /** Batches received but not written yet. */
  get size(): number {
    return this.waiting.length;
  }

  /** Whether the source was asked to pause and not yet to resume. */
  get paused(): boolean {
    return this.pausing;
  }

  /**
   * Takes a batch: `prepare` starts now (call `push` in arrival order) and runs again if it fails;
   * `written` runs once the batch is stored.
   */
  push(prepare: () => Promise<T>, written?: () => void): void {
    if (this.abandoned) return;
    const batch = { prepare, written } as Waiting<T>;
    this.startPreparing(batch);
    this.waiting.push(batch);
    this.pushed++;
    if (this.waiting.length >= this.options.highWatermark) this.pausing = true;
    if (this.pausing) this.hooks.pause();
    this.schedule();
  }

  /**
   * Gives up every batch not written (the session runs in another process now, which writes instead);
   * returns how many were dropped. The queue takes nothing more.
   */
  abandon(): number {
    this.abandoned = true;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const dropped = this.waiting.splice(0).length;
    this.writtenCount = this.pushed;
    this.wakeDrainWaiters();
    return dropped;
  }

  /** Resolves once every batch pushed so far is written: while the database refuses them, that is not yet. */
  drained(): Promise<void> {
    const upTo = this.pushed;
    if (this.writtenCount >= upTo) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push({ upTo, resolve }));
  }

  private startPreparing(batch: Waiting<T>): void {
    batch.outcome = undefined;
    batch.preparing = batch.prepare().then(
      (value) => (batch.outcome = { ok: true, value }),
      (error: unknown) => (batch.outcome = { ok: false, error }),
    );
  }

  /** One write task on the storage queue at a time; none while waiting out a retry delay. */
  private schedule(): void {
    if (this.scheduled || this.retryTimer || this.waiting.length === 0) return;
    this.scheduled = true;
    void this.storage.run(async () => {
      this.scheduled = false;
      await this.writeHead();
    });
  }

  /**
   * Writes the head batch together with those behind it that are already prepared (a history sync arrives
   * faster than it can be written; one write per backlog is cheaper than one per chunk).
   */
  private async writeHead(): Promise<void> {
    const head = this.waiting[0];
    if (!head || this.retryTimer) return;
    if (head.outcome && !head.outcome.ok) this.startPreparing(head);
    const outcome = await head.preparing;
    if (!outcome.ok) return this.failed(outcome.error, 'could not prepare WhatsApp events');
    const group: Waiting<T>[] = [];
    for (const batch of this.waiting) {
      if (group.length === MAX_BATCHES_PER_WRITE || !batch.outcome?.ok) break;
      group.push(batch);
    }
    try {
      await this.hooks.write(group.map((batch) => (batch.outcome as { value: T }).value));
    } catch (error) {
      return this.failed(error, 'could not store WhatsApp events');
    }
    if (this.abandoned) return;
    this.waiting.splice(0, group.length);
    this.writtenCount += group.length;
    if (this.pausing && this.waiting.length <= this.options.lowWatermark) {
      this.pausing = false;
      this.hooks.resume();
    }
    const wasStuck = this.failures >= this.options.failuresBeforeError;
    this.failures = 0;
    this.backoff.reset();
    this.schedule();
    this.wakeDrainWaiters();
    if (wasStuck) {
      this.log.warn({ waiting: this.waiting.length }, 'WhatsApp events are being stored again');
      this.hooks.recovered();
    }
    for (const batch of group) batch.written?.();
  }

  private wakeDrainWaiters(): void {
    const still: typeof this.drainWaiters = [];
    for (const waiter of this.drainWaiters) {
      if (waiter.upTo <= this.writtenCount) waiter.resolve();
      else still.push(waiter);
    }
    this.drainWaiters = still;
  }

  private failed(error: unknown, message: string): void {
    if (this.abandoned) return;
    this.failures++;
    const retryInMs = this.backoff.next();
    const stuck = this.failures >= this.options.failuresBeforeError;
    const details = { err: error, failures: this.failures, waiting: this.waiting.length, retryInMs };
    if (stuck) this.log.error(details, `${message}; they stay queued and are retried until the database takes them`);
    else this.log.warn(details, `${message}; retrying`);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.schedule();
    }, retryInMs);
    this.retryTimer.unref();
    if (stuck) this.hooks.stuck(error);
  }
}
