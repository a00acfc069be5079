import PQueue from 'p-queue';
import { RetryLaterError } from '../http/errors';

export interface MediaWorkLimits {
  /** Turns running at once in this process (MEDIA_CONCURRENCY). */
  overall: number;
  /** Turns one user's requests hold at once (MEDIA_CONCURRENCY_PER_USER). */
  perUser: number;
  /** Longest wait for a turn (MEDIA_QUEUE_WAIT_MS). */
  waitMs: number;
}

/** Running and waiting turns. */
export interface MediaWorkLoad {
  running: number;
  waiting: number;
}

/**
 * Bounds the media work that holds memory and connections — fetching a send's media from a URL (until it is
 * sent), downloading a stored message's media (until the response ends): at most `perUser` turns per user and
 * `overall` in the process run at once, and as many again may wait, each at most `waitMs`. Beyond that a request
 * is refused at once, and a wait that runs out is refused too: 429 when the user's own turns are taken, 503 when
 * the process's are, both with Retry-After. Nothing waits forever, and nothing is queued without bound.
 *
 * p-queue (already in the tree through Baileys) keeps the FIFO queues and removes a waiter whose signal aborts.
 */
export class MediaWork {
  private readonly overall: PQueue;
  /** One queue per user holding or waiting for turns; removed when the user holds none. */
  private readonly users = new Map<string, { queue: PQueue; holders: number }>();
  private readonly retryAfterSeconds: number;

  constructor(private readonly limits: MediaWorkLimits) {
    this.overall = new PQueue({ concurrency: limits.overall });
    this.retryAfterSeconds = Math.max(1, Math.ceil(limits.waitMs / 1000));
  }

  /** Runs `work` in a turn of `userId`'s. */
  async run<T>(userId: string, work: () => Promise<T>): Promise<T> {
    const release = await this.acquire(userId);
    try {
      return await work();
    } finally {
      release();
    }
  }

  /** Waits for a turn of `userId`'s (RetryLaterError when there is none to be had); call the result once to give it back. */
  async acquire(userId: string): Promise<() => void> {
    const deadline = Date.now() + this.limits.waitMs;
    const user = this.users.get(userId) ?? { queue: new PQueue({ concurrency: this.limits.perUser }), holders: 0 };
    if (isFull(user.queue, this.limits.perUser)) throw this.userBusy();
    this.users.set(userId, user);
    user.holders++;
    const leave = () => {
      if (--user.holders === 0) this.users.delete(userId);
    };
    let releaseUser: () => void;
    try {
      releaseUser = await turn(user.queue, deadline, () => this.userBusy());
    } catch (error) {
      leave();
      throw error;
    }
    try {
      if (isFull(this.overall, this.limits.overall)) throw this.processBusy();
      const releaseOverall = await turn(this.overall, deadline, () => this.processBusy());
      let released = false;
      return () => {
        if (released) return;
        released = true;
        releaseOverall();
        releaseUser();
        leave();
      };
    } catch (error) {
      releaseUser();
      leave();
      throw error;
    }
  }

  /** Turns running and waiting, of one user or of the whole process. */
  load(userId?: string): MediaWorkLoad {
    const queue = userId === undefined ? this.overall : this.users.get(userId)?.queue;
    return { running: queue?.pending ?? 0, waiting: queue?.size ?? 0 };
  }

  private userBusy(): RetryLaterError {
    return new RetryLaterError(
      429,
      `Too much media work of yours at once: at most ${this.limits.perUser} media fetches and downloads run per user ` +
        `(MEDIA_CONCURRENCY_PER_USER) and as many wait, each at most ${this.limits.waitMs} ms; retry later`,
      this.retryAfterSeconds,
    );
  }

  private processBusy(): RetryLaterError {
    return new RetryLaterError(
      503,
      `The gateway is busy with media: at most ${this.limits.overall} media fetches and downloads run at once ` +
        `(MEDIA_CONCURRENCY) and as many wait, each at most ${this.limits.waitMs} ms; retry later`,
      this.retryAfterSeconds,
    );
  }
}

/** As many may wait as run. */
const isFull = (queue: PQueue, concurrency: number) => queue.pending + queue.size >= 2 * concurrency;

/** A place in `queue` held until the returned function is called; `refusal` when none came by `deadline`. */
function turn(queue: PQueue, deadline: number, refusal: () => Error): Promise<() => void> {
  return new Promise((granted, refused) => {
    const waiting = new AbortController();
    const timer = setTimeout(() => waiting.abort(), Math.max(0, deadline - Date.now()));
    queue
      .add(
        () => {
          clearTimeout(timer);
          return new Promise<void>((release) => granted(release));
        },
        { signal: waiting.signal },
      )
      .catch(() => refused(refusal()));
  });
}
