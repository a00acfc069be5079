import type { BaileysEventMap } from '@whiskeysockets/baileys';
import type { Logger } from 'pino';
import type { Db, Queryable } from '../db/database';
import { retryOnDeadlock } from '../db/errors';
import type { DomainEvent } from '../events/catalogue';
import { authContext, type AuthCodec } from './auth/auth-cipher';
import { EarlyOperations } from './early-operations';
import {
  ingestPrepared,
  mergeHistoryBatches,
  prepareEventsInSlices,
  type HistoryCutoff,
  type IngestContext,
  type PreparedEvents,
} from './ingest';
import { LidMap } from './jids';
import { assertLease, type Fence } from './ownership/lease-repository';
import type { JidForm } from './mapping/message-identity';
import type { SessionIdentity } from './session-identity';
import type { WASocket } from './socket-factory';

/** Runs inside the transaction that stored what the events report (the webhook outbox plugs in here). */
export type OutboxWriter = (trx: Queryable, session: SessionIdentity, events: DomainEvent[]) => Promise<unknown>;

/** A batch whose CPU work is done, waiting for its write. */
export interface PreparedBatch {
  ctx: IngestContext;
  prepared: PreparedEvents;
}

/**
 * Stores each batch of a session's WhatsApp events in one transaction and publishes what changed.
 * Keeps one LID map per session, preloaded from the LID mappings Baileys stored in SessionKey.
 */
export class SessionIngest {
  private readonly lids = new Map<string, Promise<LidMap>>();
  private readonly early = new Map<string, EarlyOperations>();
  private readonly outboxWriters: OutboxWriter[] = [];

  constructor(
    private readonly db: Db,
    private readonly codec: AuthCodec,
    private readonly historyCutoff: HistoryCutoff,
    private readonly log: Logger,
    private readonly publish: (session: SessionIdentity, events: DomainEvent[]) => void,
  ) {}

  addOutbox(writer: OutboxWriter): void {
    this.outboxWriters.push(writer);
  }

  /** Prepares and writes one batch; see `prepare` and `write`. */
  async apply(session: SessionIdentity, batch: Partial<BaileysEventMap>, socket: WASocket): Promise<DomainEvent[]> {
    return this.write(session, [await this.prepare(session, batch, socket)]);
  }

  /** Does the CPU part of a batch now: LID learning and message classification. Prepare batches in arrival order. */
  async prepare(session: SessionIdentity, batch: Partial<BaileysEventMap>, socket: WASocket): Promise<PreparedBatch> {
    const lids = await this.lidMapOf(session.id);
    const me = socket.user ? { id: socket.user.id, lid: socket.user.lid } : undefined;
    let early = this.early.get(session.id);
    if (!early) this.early.set(session.id, (early = new EarlyOperations()));
    const log = this.log.child({ sessionId: session.sessionId });
    const ctx = { me, lids, early, log, historyCutoff: this.historyCutoff };
    return { ctx, prepared: await prepareEventsInSlices(batch, ctx) };
  }

  /**
   * Writes prepared batches, in order, in one transaction (retried on deadlock), feeds the outbox, then
   * publishes the events. Consecutive history-only batches are written as one. With a fence (the session's
   * runtime writing what WhatsApp sent), nothing is written unless the fence still holds the session.
   */
  async write(session: SessionIdentity, batches: readonly PreparedBatch[], fence?: Fence): Promise<DomainEvent[]> {
    if (batches.length === 0) return [];
    const ctx = batches.at(-1)!.ctx;
    const merged = mergeHistoryBatches(batches.map((batch) => batch.prepared));
    const events = await retryOnDeadlock(
      () =>
        this.db.transaction().execute(async (trx) => {
          if (fence) await assertLease(trx, fence);
          const produced: DomainEvent[] = [];
          for (const prepared of merged) produced.push(...(await ingestPrepared(trx, session.id, prepared, ctx)));
          for (const write of this.outboxWriters) await write(trx, session, produced);
          return produced;
        }),
      (attempt) => this.log.warn({ attempt }, 'ingest transaction deadlocked; retrying'),
    );
    if (events.length > 0) this.publish(session, events);
    return events;
  }

  /** JIDs of a session as its store keeps them: phone JIDs where the LID mapping is known. */
  async jidForm(sessionRowId: string): Promise<JidForm> {
    const lids = await this.lidMapOf(sessionRowId);
    return (jid) => lids.preferPhone(jid);
  }

  /** Forgets a session's LID map (it is rebuilt from storage on the next batch). */
  forget(sessionRowId: string): void {
    this.lids.delete(sessionRowId);
    this.early.delete(sessionRowId);
  }

  private lidMapOf(sessionRowId: string): Promise<LidMap> {
    let map = this.lids.get(sessionRowId);
    if (!map) {
      map = this.loadLidMap(sessionRowId);
      this.lids.set(sessionRowId, map);
      map.catch(() => this.lids.delete(sessionRowId));
    }
    return map;
  }

  private async loadLidMap(sessionRowId: string): Promise<LidMap> {
    const map = new LidMap();
    const rows = await this.db
      .selectFrom('SessionKey')
      .select(['keyId', 'value'])
      .where('sessionId', '=', sessionRowId)
      .where('type', '=', 'lid-mapping')
      .where('keyId', 'not like', '%\\_reverse')
      .execute();
    for (const { keyId, value } of rows) {
      const lidUser = JSON.parse(this.codec.decode(value, authContext.key(sessionRowId, 'lid-mapping', keyId))) as unknown;
      if (typeof lidUser === 'string') map.learn(`${lidUser}@lid`, `${keyId}@s.whatsapp.net`);
    }
    return map;
  }
}
