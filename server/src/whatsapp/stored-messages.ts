import { proto } from '@whiskeysockets/baileys';
import type { WAMessageKey } from '@whiskeysockets/baileys';
import type { Queryable } from '../db/database';
import { fromJson } from '../db/json';

/** The content of a stored message as Baileys wants it back (to re-encrypt it for a retry receipt). */
export async function loadMessageContent(db: Queryable, sessionRowId: string, key: WAMessageKey): Promise<proto.IMessage | undefined> {
  if (!key.id) return undefined;
  const row = await db
    .selectFrom('Message')
    .select('content')
    .where('sessionId', '=', sessionRowId)
    .where('messageId', '=', key.id)
    .executeTakeFirst();
  return row ? proto.Message.fromObject(fromJson<Record<string, unknown>>(row.content)) : undefined;
}
