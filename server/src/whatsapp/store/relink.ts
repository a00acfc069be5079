import { sql, type RawBuilder } from 'kysely';
import type { Queryable } from '../../db/database';
import type { LidPair } from '../jids';
import { chunk } from './batch';

/** CASE column WHEN lid THEN pn … ELSE column END. Assignments run left to right, so it goes after those that read the old value. */
function lidToPhone(column: string, pairs: readonly LidPair[]): RawBuilder<string> {
  const ref = sql.ref(column);
  return sql<string>`CASE ${ref} ${sql.join(
    pairs.map(({ lid, pn }) => sql`WHEN ${lid} THEN ${pn}`),
    sql` `,
  )} ELSE ${ref} END`;
}

/**
 * Once a LID's phone number becomes known, rows stored under the LID move to the phone JID: 1:1 messages
 * (chat, and sender/recipient where they were the chat), and chats and contacts unless a row for the phone
 * JID already exists (those stay as they are). Three statements per chunk of pairs, all on indexed columns.
 * Group messages keep a LID sender stored before its number was known: finding them would scan the session.
 */
export async function relinkLids(db: Queryable, sessionRowId: string, pairs: readonly LidPair[]): Promise<void> {
  for (const part of chunk(pairs)) {
    const lids = part.map((pair) => pair.lid);
    const phone = lidToPhone('chatId', part);
    await db
      .updateTable('Message')
      .set({
        metadata: sql`JSON_MERGE_PATCH(COALESCE(metadata, '{}'), JSON_OBJECT('chatLid', chatId))`,
        fromJid: sql`IF(fromJid = chatId, ${phone}, fromJid)`,
        toJid: sql`IF(toJid = chatId, ${phone}, toJid)`,
        chatId: phone,
      })
      .where('sessionId', '=', sessionRowId)
      .where('chatId', 'in', lids)
      .execute();
    for (const table of ['Chat', 'Contact'] as const) {
      // IGNORE skips the rows whose phone JID already has a row of its own (the unique key on sessionId, jid).
      await sql`UPDATE IGNORE ${sql.table(table)}
        SET metadata = JSON_MERGE_PATCH(COALESCE(metadata, '{}'), JSON_OBJECT('lid', jid)), jid = ${lidToPhone('jid', part)}
        WHERE sessionId = ${sessionRowId} AND jid IN (${sql.join(lids)})`.execute(db);
    }
  }
}
