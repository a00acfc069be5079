import type { Logger } from 'pino';
import type { Db, Queryable, SessionStatus } from '../db/database';
import { retryOnDeadlock } from '../db/errors';
import { toNullableJson } from '../db/json';
import { updateSession } from './store/session-repository';
import { assertLease, LeaseLostError, type Fence } from './ownership/lease-repository';
import type { SerialQueue } from './serial-queue';

/** The columns of a Session row that its runtime owns. */
export interface SessionState {
  status: SessionStatus;
  qrCode: string | null;
  pairingCode: string | null;
  phoneNumber: string | null;
  name: string | null;
  lastSeen: Date | null;
  metadata: Record<string, unknown>;
}

export type StateChange = Partial<Omit<SessionState, 'metadata'>> & { metadata?: Record<string, unknown> };

/** Runs inside the transaction that writes a state change (the webhook outbox records its events there). */
export type StateRecorder = (trx: Queryable, state: SessionState, previous: SessionState) => Promise<void>;

/**
 * Keeps a session's live state and writes it at most once per interval: a flapping connection
 * collapses into one trailing write of the latest state, and listeners hear only what was written.
 * Writes go through the session's storage queue, so they never wait on (or hold up) an ingest
 * transaction's lock on the Session row.
 */
export class SessionStateWriter {
  private written: SessionState;
  private current: SessionState;
  private timer: NodeJS.Timeout | undefined;
  private lastWriteAt = 0;
  private discarded = false;

  constructor(
    private readonly db: Db,
    private readonly fence: Fence,
    initial: SessionState,
    private readonly minIntervalMs: number,
    private readonly queue: SerialQueue,
    private readonly log: Logger,
    private readonly onWritten: (state: SessionState, previous: SessionState) => void,
    private readonly record?: StateRecorder,
  ) {
    this.written = initial;
    this.current = initial;
  }

  get state(): SessionState {
    return this.current;
  }

  /** Metadata keys are merged; undefined values remove a key. */
  change(change: StateChange): void {
    const metadata = change.metadata ? withoutUndefined({ ...this.current.metadata, ...change.metadata }) : this.current.metadata;
    this.current = { ...this.current, ...change, metadata };
    const wait = this.lastWriteAt + this.minIntervalMs - Date.now();
    if (wait <= 0) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), wait);
  }

  /** Takes over a value that is already stored (written by someone else), without writing it again. */
  adopt(change: Pick<StateChange, 'name'>): void {
    this.written = { ...this.written, ...change };
    this.current = { ...this.current, ...change };
  }

  /** Forgets what is not written yet and writes nothing more (the session runs elsewhere now). */
  discard(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.discarded = true;
  }

  /** Writes the latest state now if it differs from what was last written. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    return this.queue.run(() => this.write());
  }

  private async write(): Promise<void> {
    const next = this.current;
    const previous = this.written;
    const columns = changedColumns(previous, next);
    if (this.discarded || Object.keys(columns).length === 0) return;
    this.lastWriteAt = Date.now();
    try {
      await retryOnDeadlock(() =>
        this.db.transaction().execute(async (trx) => {
          await assertLease(trx, this.fence);
          await updateSession(trx, this.fence.sessionRowId, columns);
          await this.record?.(trx, next, previous);
        }),
      );
      this.written = next;
      this.onWritten(next, previous);
    } catch (error) {
      if (error instanceof LeaseLostError) this.log.warn('session state not written: another process runs the session now');
      else this.log.error({ err: error }, 'could not write the session state');
    }
  }
}

function changedColumns(before: SessionState, after: SessionState) {
  const columns: Record<string, unknown> = {};
  for (const key of ['status', 'qrCode', 'pairingCode', 'phoneNumber', 'name'] as const) {
    if (before[key] !== after[key]) columns[key] = after[key];
  }
  if (before.lastSeen?.getTime() !== after.lastSeen?.getTime()) columns.lastSeen = after.lastSeen;
  if (JSON.stringify(before.metadata) !== JSON.stringify(after.metadata)) columns.metadata = toNullableJson(after.metadata);
  return columns;
}

function withoutUndefined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}
