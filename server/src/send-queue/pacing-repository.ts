import type { Queryable } from '../db/database';

/** How fast a session's queued messages go out. */
export interface Pacing {
  /** Single sends (POST …/messages) go through the pace too; bulk sends always do. */
  paceSingleSends: boolean;
  messagesPerMinute: number;
  /** Up to this much random extra wait between two paced messages. */
  jitterMs: number;
  /** "typing…" shown this long before a paced text; 0: none. */
  typingMs: number;
  /** Paced messages per UTC day; 0: no cap. */
  dailyCap: number;
}

/** The session's stored pacing, or `defaults` when it has none. */
export async function findPacing(db: Queryable, sessionRowId: string, defaults: Pacing): Promise<Pacing> {
  const row = await db
    .selectFrom('SessionPacing')
    .select(['paceSingleSends', 'messagesPerMinute', 'jitterMs', 'typingMs', 'dailyCap'])
    .where('sessionId', '=', sessionRowId)
    .executeTakeFirst();
  return row ? { ...row, paceSingleSends: Boolean(row.paceSingleSends) } : { ...defaults };
}

export async function savePacing(db: Queryable, sessionRowId: string, pacing: Pacing): Promise<void> {
  await db
    .insertInto('SessionPacing')
    .values({ sessionId: sessionRowId, ...pacing })
    .onDuplicateKeyUpdate({ ...pacing })
    .execute();
}
