import { sql, type ExpressionBuilder, type Insertable, type Selectable } from 'kysely';
import type { Database, Db, Queryable, SendQueueTable, SendStatus } from '../db/database';

export type QueuedSend = Selectable<SendQueueTable>;
export type NewQueuedSend = Insertable<SendQueueTable>;

/** Rows a worker may take: waiting, or taken by a worker whose lease ran out (it crashed or hung). */
const due = (now: Date) => (eb: ExpressionBuilder<Database, 'SendQueue'>) =>
  eb.or([eb('status', '=', 'QUEUED'), eb.and([eb('status', '=', 'SENDING'), eb('leaseUntil', '<', now)])]);

/** Writes accepted sends; a duplicate (sessionId, messageId), an Idempotency-Key already claimed, throws ER_DUP_ENTRY. */
export async function insertQueued(db: Queryable, rows: NewQueuedSend[]): Promise<void> {
  if (rows.length > 0) await db.insertInto('SendQueue').values(rows).execute();
}

export async function findQueued(
  db: Queryable,
  sessionRowId: string,
  by: { id: string } | { messageId: string },
): Promise<QueuedSend | undefined> {
  const [column, value] = 'id' in by ? (['id', by.id] as const) : (['messageId', by.messageId] as const);
  return db.selectFrom('SendQueue').selectAll().where('sessionId', '=', sessionRowId).where(column, '=', value).executeTakeFirst();
}

/**
 * Takes the session's oldest due row of one kind (paced or not) for `lease`: rows locked by another
 * claimer are skipped, and the taken row is SENDING with `leaseUntil = lease` until its outcome is
 * recorded, so no other worker (in this or another process) takes it before the lease runs out.
 */
export async function claimNext(db: Db, sessionRowId: string, paced: boolean, now: Date, lease: Date): Promise<QueuedSend | undefined> {
  return db
    .transaction()
    .setIsolationLevel('read committed')
    .execute(async (trx) => {
      const row = await trx
        .selectFrom('SendQueue')
        .selectAll()
        .where('sessionId', '=', sessionRowId)
        .where('paced', '=', paced)
        .where(due(now))
        .orderBy('createdAt')
        .orderBy('bulkIndex')
        .orderBy('id')
        .limit(1)
        .forUpdate()
        .skipLocked()
        .executeTakeFirst();
      if (!row) return undefined;
      await trx
        .updateTable('SendQueue')
        .set({ status: 'SENDING', leaseUntil: lease, attempts: sql<number>`attempts + 1` })
        .where('id', '=', row.id)
        .execute();
      return { ...row, status: 'SENDING' as const, leaseUntil: lease, attempts: row.attempts + 1 };
    });
}

/** Whether the session has due rows of this kind (without taking any). */
export async function hasDue(db: Queryable, sessionRowId: string, paced: boolean, now: Date): Promise<boolean> {
  const row = await db
    .selectFrom('SendQueue')
    .select('id')
    .where('sessionId', '=', sessionRowId)
    .where('paced', '=', paced)
    .where(due(now))
    .limit(1)
    .executeTakeFirst();
  return !!row;
}

/**
 * Records the outcome of a claimed row, only while it still carries this claim's lease (a worker that
 * outlived its lease leaves the row to the one that took it over). QUEUED gives it back, for later.
 */
export async function settleClaim(
  db: Queryable,
  claim: Pick<QueuedSend, 'id' | 'leaseUntil'>,
  outcome: { status: Extract<SendStatus, 'SENT' | 'FAILED' | 'QUEUED'>; error?: string; errorStatus?: number; sentAt?: Date },
): Promise<void> {
  await db
    .updateTable('SendQueue')
    .set({
      status: outcome.status,
      leaseUntil: null,
      error: outcome.error ?? null,
      errorStatus: outcome.errorStatus ?? null,
      sentAt: outcome.sentAt ?? null,
    })
    .where('id', '=', claim.id)
    .where('status', '=', 'SENDING')
    .where('leaseUntil', '=', claim.leaseUntil)
    .execute();
}

/** Paced messages the session sent on `now`'s UTC day (the daily cap), and when the last one went out (the pace). */
export async function pacedSendsToday(
  db: Queryable,
  sessionRowId: string,
  now = new Date(),
): Promise<{ count: number; last: Date | null }> {
  const since = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const row = await db
    .selectFrom('SendQueue')
    .select([sql<number>`COUNT(CASE WHEN sentAt >= ${since} THEN 1 END)`.as('count'), sql<Date | null>`MAX(sentAt)`.as('last')])
    .where('sessionId', '=', sessionRowId)
    .where('paced', '=', true)
    .where('sentAt', 'is not', null)
    .executeTakeFirstOrThrow();
  return { count: Number(row.count), last: row.last ? new Date(row.last) : null };
}

/**
 * Deletes up to `limit` finished single sends last changed before `before`, and bulk jobs created before
 * it with nothing left to send (their rows go with them); returns how many rows and jobs went.
 */
export async function pruneFinished(db: Queryable, before: Date, limit: number): Promise<number> {
  const sends = await db
    .deleteFrom('SendQueue')
    .where('status', 'in', ['SENT', 'FAILED', 'CANCELLED'])
    .where('updatedAt', '<', before)
    .where('bulkJobId', 'is', null)
    .orderBy('updatedAt')
    .limit(limit)
    .executeTakeFirst();
  const jobs = await db
    .deleteFrom('SendBulkJob')
    .where('createdAt', '<', before)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('SendQueue')
            .select('SendQueue.id')
            .whereRef('SendQueue.bulkJobId', '=', 'SendBulkJob.id')
            .where('SendQueue.status', 'in', ['QUEUED', 'SENDING']),
        ),
      ),
    )
    .orderBy('createdAt')
    .limit(Math.max(1, Math.floor(limit / 100)))
    .executeTakeFirst();
  return Number(sends.numDeletedRows) + Number(jobs.numDeletedRows);
}
