import { sql } from 'kysely';
import type { Queryable, Session, SessionUpdate } from '../../db/database';
import { newId } from '../../db/ids';

export interface SessionScope {
  /** Undefined for an admin, who sees every user's sessions. */
  userId?: string;
}

export interface NewSession {
  sessionId: string;
  userId: string;
  name?: string | null;
  workflowId?: string | null;
  phoneNumber?: string | null;
}

export async function insertSession(db: Queryable, session: NewSession): Promise<Session> {
  const id = newId();
  await db
    .insertInto('Session')
    .values({
      id,
      sessionId: session.sessionId,
      userId: session.userId,
      name: session.name ?? null,
      workflowId: session.workflowId ?? null,
      phoneNumber: session.phoneNumber ?? null,
    })
    .execute();
  return (await findSessionByRowId(db, id))!;
}

export function findSessionByRowId(db: Queryable, id: string): Promise<Session | undefined> {
  return db.selectFrom('Session').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The caller's session by its public id; another user's session is simply not found. */
export function findSession(db: Queryable, sessionId: string, scope: SessionScope): Promise<Session | undefined> {
  let query = db.selectFrom('Session').selectAll().where('sessionId', '=', sessionId);
  if (scope.userId) query = query.where('userId', '=', scope.userId);
  return query.executeTakeFirst();
}

/** Newest first, keyset-paginated on (createdAt, id). */
export function listSessions(
  db: Queryable,
  scope: SessionScope,
  limit: number,
  before?: { createdAt: Date; id: string },
): Promise<Session[]> {
  let query = db.selectFrom('Session').selectAll().orderBy('createdAt', 'desc').orderBy('id', 'desc').limit(limit);
  if (scope.userId) query = query.where('userId', '=', scope.userId);
  if (before) {
    query = query.where((eb) =>
      eb.or([eb('createdAt', '<', before.createdAt), eb.and([eb('createdAt', '=', before.createdAt), eb('id', '<', before.id)])]),
    );
  }
  return query.execute();
}

export async function updateSession(db: Queryable, id: string, changes: SessionUpdate): Promise<void> {
  if (Object.keys(changes).length === 0) return;
  await db
    .updateTable('Session')
    .set({ ...changes, updatedAt: sql<Date>`CURRENT_TIMESTAMP(3)` })
    .where('id', '=', id)
    .execute();
}

export async function deleteSession(db: Queryable, id: string): Promise<void> {
  await db.deleteFrom('Session').where('id', '=', id).execute();
}

/**
 * Sessions to reconnect at start (or, with `userId`, when that user is enabled again): active, holding
 * credentials from an earlier pairing, and owned by an active user.
 */
export function listRestorableSessions(db: Queryable, userId?: string): Promise<Session[]> {
  let query = db
    .selectFrom('Session')
    .innerJoin('User', 'User.id', 'Session.userId')
    .selectAll('Session')
    .where('Session.isActive', '=', true)
    .where('Session.authData', 'is not', null)
    .where('User.isActive', '=', true);
  if (userId !== undefined) query = query.where('Session.userId', '=', userId);
  return query.execute();
}

/** Every session of one user. */
export function listSessionsOfUser(db: Queryable, userId: string): Promise<Session[]> {
  return db.selectFrom('Session').selectAll().where('userId', '=', userId).execute();
}
