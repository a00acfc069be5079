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

/**
 * A lease is live while its owner's heartbeat is: no lease row is rewritten to renew it, so renewals
 * never queue behind the write transactions that share-lock the rows they write under (see assertLease).
 */
const ownerAlive = (ttlMs: number) =>
  sql<boolean>`EXISTS (SELECT 1 FROM GatewayProcess p WHERE p.id = SessionLease.ownerId AND p.heartbeatAt >= NOW(3) - INTERVAL ${ttlMs * 1000} MICROSECOND)`;
const unheld = (ttlMs: number) => sql<boolean>`(SessionLease.ownerId IS NULL OR NOT ${ownerAlive(ttlMs)})`;

/**
 * Takes the session for `ownerId` when nobody holds it or its holder stopped beating, raising the epoch
 * (it waits for the transactions the old holder is still writing under its fence); returns the fence, or
 * undefined when a live process holds it (this one included).
 */
export async function claimLease(db: Db, sessionRowId: string, ownerId: string, ttlMs: number): Promise<Fence | undefined> {
  await db.insertInto('SessionLease').ignore().values({ sessionId: sessionRowId, epoch: 0 }).execute();
  const result = await sql`
    UPDATE SessionLease SET ownerId = ${ownerId}, epoch = LAST_INSERT_ID(epoch + 1)
    WHERE sessionId = ${sessionRowId} AND ${unheld(ttlMs)}`.execute(db);
  if (Number(result.numAffectedRows ?? 0) !== 1) return undefined;
  return { sessionRowId, ownerId, epoch: Number(result.insertId) };
}

/** The sessions the process holds, with their epochs. */
export async function heldLeases(db: Queryable, ownerId: string): Promise<Map<string, number>> {
  const rows = await db.selectFrom('SessionLease').select(['sessionId', 'epoch']).where('ownerId', '=', ownerId).execute();
  return new Map(rows.map((row) => [row.sessionId, Number(row.epoch)]));
}

/** Gives the session up, if this fence still holds it, so another process can take it at once. */
export async function releaseLease(db: Queryable, fence: Fence): Promise<void> {
  await db
    .updateTable('SessionLease')
    .set({ ownerId: null })
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

/** Who holds the session now, if a live process does. */
export async function leaseHolder(
  db: Queryable,
  sessionRowId: string,
  ttlMs: number,
): Promise<{ ownerId: string; epoch: number } | undefined> {
  const row = await db
    .selectFrom('SessionLease')
    .select(['ownerId', 'epoch'])
    .where('sessionId', '=', sessionRowId)
    .where('ownerId', 'is not', null)
    .where(ownerAlive(ttlMs))
    .executeTakeFirst();
  return row?.ownerId ? { ownerId: row.ownerId, epoch: Number(row.epoch) } : undefined;
}

/** Sessions the process holds that should not run: deactivated, or of a disabled user. */
export async function heldButInactive(db: Queryable, ownerId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('SessionLease')
    .innerJoin('Session', 'Session.id', 'SessionLease.sessionId')
    .innerJoin('User', 'User.id', 'Session.userId')
    .select('Session.id')
    .where('SessionLease.ownerId', '=', ownerId)
    .where((eb) => eb.or([eb('Session.isActive', '=', false), eb('User.isActive', '=', false)]))
    .execute();
  return rows.map((row) => row.id);
}

/**
 * Sessions that should run and that no live process holds: active, paired, of an active user, without
 * a lease, released, or held by a process that stopped beating.
 */
const orphans = (db: Queryable, ttlMs: number) =>
  db
    .selectFrom('Session')
    .innerJoin('User', 'User.id', 'Session.userId')
    .leftJoin('SessionLease', 'SessionLease.sessionId', 'Session.id')
    .where('Session.isActive', '=', true)
    .where('Session.authData', 'is not', null)
    .where('User.isActive', '=', true)
    .where(unheld(ttlMs));

/** Orphaned sessions in random order, so processes claiming at the same moment mostly pick different ones. */
export function orphanedSessions(db: Queryable, ttlMs: number, limit: number): Promise<Session[]> {
  return orphans(db, ttlMs)
    .selectAll('Session')
    .orderBy(sql`RAND()`)
    .limit(limit)
    .execute();
}

export async function countOrphanedSessions(db: Queryable, ttlMs: number): Promise<number> {
  const { count } = await orphans(db, ttlMs)
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(count);
}
