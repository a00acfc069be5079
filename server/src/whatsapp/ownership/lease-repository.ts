import { sql } from 'kysely';
import type { Db, Queryable, Session } from '../../db/database';

/** A session's lease as one process holds it: every write its runtime makes must still match it. */
export interface Fence {
  sessionRowId: string;
  ownerId: string;
  epoch: number;
}

/** The write was refused: another process owns the session now (or nobody does). */
export class LeaseLostError extends Error {
  constructor(readonly fence: Fence) {
    super(`session ${fence.sessionRowId} is no longer owned by this process (epoch ${fence.epoch})`);
  }
}

const inMs = (ms: number) => sql<Date>`NOW(3) + INTERVAL ${ms * 1000} MICROSECOND`;
const expired = sql<boolean>`(SessionLease.ownerId IS NULL OR SessionLease.expiresAt < NOW(3))`;

/**
 * Takes the session's lease for `ownerId` when nobody holds it or its holder let it expire, raising the
 * epoch; returns the fence, or undefined when a live lease is held (by anyone, this process included).
 */
export async function claimLease(db: Db, sessionRowId: string, ownerId: string, ttlMs: number): Promise<Fence | undefined> {
  await db.insertInto('SessionLease').ignore().values({ sessionId: sessionRowId, epoch: 0 }).execute();
  const result = await sql`
    UPDATE SessionLease SET ownerId = ${ownerId}, expiresAt = ${inMs(ttlMs)}, epoch = LAST_INSERT_ID(epoch + 1)
    WHERE sessionId = ${sessionRowId} AND ${expired}`.execute(db);
  if (Number(result.numAffectedRows ?? 0) !== 1) return undefined;
  return { sessionRowId, ownerId, epoch: Number(result.insertId) };
}

/** Extends every lease the process holds; returns those it still holds, with their epochs. */
export async function renewLeases(db: Db, ownerId: string, ttlMs: number): Promise<Map<string, number>> {
  await db
    .updateTable('SessionLease')
    .set({ expiresAt: inMs(ttlMs) })
    .where('ownerId', '=', ownerId)
    .execute();
  const rows = await db.selectFrom('SessionLease').select(['sessionId', 'epoch']).where('ownerId', '=', ownerId).execute();
  return new Map(rows.map((row) => [row.sessionId, Number(row.epoch)]));
}

/** Gives the session up, if this fence still holds it, so another process can take it at once. */
export async function releaseLease(db: Queryable, fence: Fence): Promise<void> {
  await db
    .updateTable('SessionLease')
    .set({ ownerId: null, expiresAt: null })
    .where('sessionId', '=', fence.sessionRowId)
    .where('ownerId', '=', fence.ownerId)
    .where('epoch', '=', fence.epoch)
    .execute();
}

/**
 * Refuses the transaction's writes unless the fence still holds the session, and keeps the lease row
 * share-locked until the transaction ends, so no other process can take the lease in between.
 */
export async function assertLease(trx: Queryable, fence: Fence): Promise<void> {
  const held = await trx
    .selectFrom('SessionLease')
    .select('epoch')
    .where('sessionId', '=', fence.sessionRowId)
    .where('ownerId', '=', fence.ownerId)
    .where('epoch', '=', fence.epoch)
    .modifyEnd(sql`LOCK IN SHARE MODE`)
    .executeTakeFirst();
  if (!held) throw new LeaseLostError(fence);
}

/** Who holds the session now, if anyone does (an expired lease counts as nobody). */
export async function leaseHolder(db: Queryable, sessionRowId: string): Promise<{ ownerId: string; epoch: number } | undefined> {
  const row = await db
    .selectFrom('SessionLease')
    .select(['ownerId', 'epoch'])
    .where('sessionId', '=', sessionRowId)
    .where('ownerId', 'is not', null)
    .where('expiresAt', '>=', sql<Date>`NOW(3)`)
    .executeTakeFirst();
  return row?.ownerId ? { ownerId: row.ownerId, epoch: Number(row.epoch) } : undefined;
}

/**
 * Sessions that should run and that no live process holds: active, paired, of an active user, without
 * a lease or with one that was released or let expire.
 */
const orphans = (db: Queryable) =>
  db
    .selectFrom('Session')
    .innerJoin('User', 'User.id', 'Session.userId')
    .leftJoin('SessionLease', 'SessionLease.sessionId', 'Session.id')
    .where('Session.isActive', '=', true)
    .where('Session.authData', 'is not', null)
    .where('User.isActive', '=', true)
    .where(expired);

/** Orphaned sessions in random order, so processes claiming at the same moment mostly pick different ones. */
export function orphanedSessions(db: Queryable, limit: number): Promise<Session[]> {
  return orphans(db)
    .selectAll('Session')
    .orderBy(sql`RAND()`)
    .limit(limit)
    .execute();
}

export async function countOrphanedSessions(db: Queryable): Promise<number> {
  const { count } = await orphans(db)
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(count);
}
