import { sql, type Selectable } from 'kysely';
import type { Queryable, SendBulkJobTable, SendStatus } from '../db/database';

export type BulkJob = Selectable<SendBulkJobTable>;

export async function insertBulkJob(db: Queryable, job: Omit<BulkJob, 'createdAt' | 'cancelledAt'>): Promise<void> {
  await db.insertInto('SendBulkJob').values(job).execute();
}

/** One job of the session, or undefined. */
export async function findBulkJob(db: Queryable, sessionRowId: string, id: string): Promise<BulkJob | undefined> {
  return db.selectFrom('SendBulkJob').selectAll().where('sessionId', '=', sessionRowId).where('id', '=', id).executeTakeFirst();
}

/** The job's template (JSON) by id, for the worker. */
export async function bulkTemplate(db: Queryable, id: string): Promise<string | undefined> {
  const row = await db.selectFrom('SendBulkJob').select('template').where('id', '=', id).executeTakeFirst();
  return row?.template;
}

/** Marks the job cancelled and its waiting rows CANCELLED; rows being sent finish. */
export async function cancelBulkJob(db: Queryable, id: string, now: Date): Promise<void> {
  await db.updateTable('SendBulkJob').set({ cancelledAt: now }).where('id', '=', id).where('cancelledAt', 'is', null).execute();
  await db
    .updateTable('SendQueue')
    .set({ status: 'CANCELLED', leaseUntil: null })
    .where('bulkJobId', '=', id)
    .where('status', '=', 'QUEUED')
    .execute();
}

/** How many of the job's rows are in each status. */
export async function bulkCounts(db: Queryable, id: string): Promise<Partial<Record<SendStatus, number>>> {
  const rows = await db
    .selectFrom('SendQueue')
    .select(['status', sql<number>`COUNT(*)`.as('count')])
    .where('bulkJobId', '=', id)
    .groupBy('status')
    .execute();
  return Object.fromEntries(rows.map((row) => [row.status, Number(row.count)]));
}

/** The job's rows in recipient order. */
export async function bulkRows(db: Queryable, id: string) {
  return db
    .selectFrom('SendQueue')
    .select(['bulkIndex', 'messageId', 'status', 'error', 'request', 'sentAt'])
    .where('bulkJobId', '=', id)
    .orderBy('bulkIndex')
    .execute();
}
