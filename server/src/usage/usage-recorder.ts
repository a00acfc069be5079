import { newId } from '../db/ids';
import type { FastifyBaseLogger } from 'fastify';
import type { ApiUsage, Db } from '../db/database';
import { isMissingParent } from '../db/errors';
import { existingUserIds, insertUsage } from './usage-repository';

export interface UsageRecorderOptions {
  flushIntervalMs: number;
  flushSize: number;
  /** Above this many buffered rows (the database is away), the oldest are dropped. */
  maxBuffered?: number;
}

export type UsageEntry = Omit<ApiUsage, 'id'>;

/** Buffers ApiUsage rows off the request path and writes them as multi-row inserts. */
export class UsageRecorder {
  private buffer: UsageEntry[] = [];
  private readonly timer: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();
  private dropped = 0;

  constructor(
    private readonly db: Db,
    private readonly log: FastifyBaseLogger,
    private readonly options: UsageRecorderOptions,
  ) {
    this.timer = setInterval(() => void this.flush(), options.flushIntervalMs);
    this.timer.unref();
  }

  record(entry: UsageEntry): void {
    this.buffer.push(entry);
    const max = this.options.maxBuffered ?? 100_000;
    if (this.buffer.length > max) {
      this.dropped += this.buffer.length - max;
      this.buffer.splice(0, this.buffer.length - max);
    }
    if (this.buffer.length >= this.options.flushSize) void this.flush();
  }

  /** Writes everything buffered so far; flushes never overlap. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.writeBuffered());
    return this.flushing;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  private async writeBuffered(): Promise<void> {
    while (this.buffer.length > 0) {
      const batch = this.buffer.splice(0, this.options.flushSize);
      try {
        await this.write(batch);
      } catch (error) {
        this.buffer.unshift(...batch);
        this.log.warn({ err: error, buffered: this.buffer.length }, 'could not write API usage; will retry');
        return;
      }
    }
    if (this.dropped > 0) {
      this.log.warn({ dropped: this.dropped }, 'API usage rows dropped while the database was unreachable');
      this.dropped = 0;
    }
  }

  /** A user deleted since their request was recorded takes their rows with them. */
  private async write(entries: UsageEntry[]): Promise<void> {
    const batch: ApiUsage[] = entries.map((entry) => ({ id: newId(), ...entry }));
    try {
      await insertUsage(this.db, batch);
    } catch (error) {
      if (!isMissingParent(error)) throw error;
      const alive = await existingUserIds(this.db, [...new Set(batch.map((row) => row.userId))]);
      await insertUsage(
        this.db,
        batch.filter((row) => alive.has(row.userId)),
      );
    }
  }
}
