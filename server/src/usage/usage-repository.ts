import { sql } from 'kysely';
import type { ApiUsage, Queryable } from '../db/database';

export interface UsageFilter {
  userId?: string;
  from: Date;
  to: Date;
}

export interface UsageBucket {
  endpoint: string;
  method: string;
  status: number;
  count: number;
  p50: number;
  p95: number;
}

export async function insertUsage(db: Queryable, rows: ApiUsage[]): Promise<void> {
  if (rows.length > 0) await db.insertInto('ApiUsage').values(rows).execute();
}

/** Deletes up to `limit` rows recorded before `before`, oldest first; returns how many. */
export async function pruneUsage(db: Queryable, before: Date, limit: number): Promise<number> {
  const result = await db.deleteFrom('ApiUsage').where('timestamp', '<', before).orderBy('timestamp').limit(limit).executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function countUsageBefore(db: Queryable, before: Date): Promise<number> {
  const { count } = await db
    .selectFrom('ApiUsage')
    .select((eb) => eb.fn.countAll<number | string>().as('count'))
    .where('timestamp', '<', before)
    .executeTakeFirstOrThrow();
  return Number(count);
}

export async function existingUserIds(db: Queryable, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.selectFrom('User').select('id').where('id', 'in', ids).execute();
  return new Set(rows.map((r) => r.id));
}

/**
 * Count and nearest-rank percentiles of duration per (endpoint, method, status). Window functions
 * rather than PERCENTILE_CONT, which MySQL 8 lacks.
 */
export async function aggregateUsage(db: Queryable, filter: UsageFilter): Promise<UsageBucket[]> {
  const userClause = filter.userId ? sql`AND userId = ${filter.userId}` : sql``;
  const { rows } = await sql<{ endpoint: string; method: string; status: number; count: number | string; p50: number; p95: number }>`
    SELECT endpoint, method, status, MAX(n) AS count,
      MIN(CASE WHEN rn >= CEIL(0.50 * n) THEN duration END) AS p50,
      MIN(CASE WHEN rn >= CEIL(0.95 * n) THEN duration END) AS p95
    FROM (
      SELECT endpoint, method, status, duration,
        ROW_NUMBER() OVER (PARTITION BY endpoint, method, status ORDER BY duration) AS rn,
        COUNT(*) OVER (PARTITION BY endpoint, method, status) AS n
      FROM ApiUsage
      WHERE timestamp >= ${filter.from} AND timestamp < ${filter.to} ${userClause}
    ) ranked
    GROUP BY endpoint, method, status
    ORDER BY count DESC, endpoint, method, status`.execute(db);
  return rows.map((r) => ({ ...r, count: Number(r.count), p50: Number(r.p50), p95: Number(r.p95) }));
}
