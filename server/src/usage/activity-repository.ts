import { sql } from 'kysely';
import type { Queryable } from '../db/database';

export interface ActivityFilter {
  /** Only this user's requests and the messages of their sessions; everyone's when absent. */
  userId?: string;
  /** The start of the first hour; buckets are whole hours counted from it. */
  from: Date;
  to: Date;
}

export interface HourCounts {
  requests: number;
  messagesIn: number;
  messagesOut: number;
}

/** Hours since `from` (which is on the hour), computed in the database so rows never leave it. */
const hourOf = (from: Date, column: string) => sql<number>`TIMESTAMPDIFF(HOUR, ${from}, ${sql.ref(column)})`;

/** API requests per hour; the (userId, timestamp) or (timestamp) index covers the query. */
async function requestsByHour(db: Queryable, filter: ActivityFilter): Promise<Map<number, number>> {
  const rows = await db
    .selectFrom('ApiUsage')
    .select([hourOf(filter.from, 'timestamp').as('hour'), (eb) => eb.fn.countAll<number | string>().as('count')])
    .where('timestamp', '>=', filter.from)
    .where('timestamp', '<', filter.to)
    .$if(filter.userId !== undefined, (qb) => qb.where('userId', '=', filter.userId!))
    .groupBy('hour')
    .execute();
  return new Map(rows.map((r) => [Number(r.hour), Number(r.count)]));
}

/**
 * Messages received and sent per hour over the owner's sessions, by WhatsApp timestamp. The session ids
 * are fetched first and given as constants: `sessionId IN (…) AND timestamp` is then one tight range of
 * the (sessionId, timestamp) index per session, where a join lets the optimizer read each session's whole
 * history (measured: seconds instead of milliseconds with a month of messages).
 */
async function messagesByHour(db: Queryable, filter: ActivityFilter): Promise<Map<number, { in: number; out: number }>> {
  const sessions = await db
    .selectFrom('Session')
    .select('id')
    .$if(filter.userId !== undefined, (qb) => qb.where('userId', '=', filter.userId!))
    .execute();
  if (sessions.length === 0) return new Map();
  const rows = await db
    .selectFrom('Message')
    .select([
      hourOf(filter.from, 'timestamp').as('hour'),
      sql<number | string>`SUM(fromMe)`.as('out'),
      sql<number | string>`SUM(NOT fromMe)`.as('in'),
    ])
    .where(
      'sessionId',
      'in',
      sessions.map((s) => s.id),
    )
    .where('timestamp', '>=', filter.from)
    .where('timestamp', '<', filter.to)
    .groupBy('hour')
    .execute();
  return new Map(rows.map((r) => [Number(r.hour), { in: Number(r.in), out: Number(r.out) }]));
}

/** Requests and messages for each of `hours` hours from `filter.from`, zero where nothing happened. */
export async function hourlyActivity(db: Queryable, filter: ActivityFilter, hours: number): Promise<HourCounts[]> {
  const [requests, messages] = await Promise.all([requestsByHour(db, filter), messagesByHour(db, filter)]);
  return Array.from({ length: hours }, (_, hour) => ({
    requests: requests.get(hour) ?? 0,
    messagesIn: messages.get(hour)?.in ?? 0,
    messagesOut: messages.get(hour)?.out ?? 0,
  }));
}
