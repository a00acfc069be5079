import { sql } from 'kysely';
import type { Queryable } from '../db/database';
import { toJson } from '../db/json';
import { messageRecord, type MessageRecord } from '../whatsapp/store/records';

/** Stored messages of one session by WhatsApp id; unknown ids are left out. */
export async function findMessagesByIds(db: Queryable, sessionRowId: string, messageIds: readonly string[]): Promise<MessageRecord[]> {
  if (messageIds.length === 0) return [];
  const rows = await db
    .selectFrom('Message')
    .selectAll()
    .where('sessionId', '=', sessionRowId)
    .where('messageId', 'in', [...messageIds])
    .execute();
  return rows.map(messageRecord);
}

/** Received messages of a chat nobody has read yet, newest first. */
export async function findUnreadIncoming(
  db: Queryable,
  sessionRowId: string,
  chatIds: readonly string[],
  limit: number,
): Promise<MessageRecord[]> {
  const rows = await db
    .selectFrom('Message')
    .selectAll()
    .where('sessionId', '=', sessionRowId)
    .where('chatId', 'in', [...chatIds])
    .where('fromMe', '=', false)
    .where('status', 'in', ['PENDING', 'SENT', 'DELIVERED'])
    .where('messageType', '<>', 'REACTION')
    .orderBy('timestamp', 'desc')
    .limit(limit)
    .execute();
  return rows.map(messageRecord);
}

/** Adds keys to a message's metadata; the stored ones with other names stay. */
export async function mergeMessageMetadata(
  db: Queryable,
  sessionRowId: string,
  messageId: string,
  metadata: Record<string, unknown>,
): Promise<void> {
  await db
    .updateTable('Message')
    .set({ metadata: sql`JSON_MERGE_PATCH(COALESCE(metadata, '{}'), ${toJson(metadata)})` })
    .where('sessionId', '=', sessionRowId)
    .where('messageId', '=', messageId)
    .execute();
}
