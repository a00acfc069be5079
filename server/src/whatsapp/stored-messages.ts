import type { proto, WAMessageKey } from '@whiskeysockets/baileys';
import type { Queryable } from '../db/database';
import { contentToProto } from './mapping/message-content';
import { findMessage } from './store/read-queries';

/** The content of a stored message as Baileys wants it back (to re-encrypt it for a retry receipt). */
export async function loadMessageContent(db: Queryable, sessionRowId: string, key: WAMessageKey): Promise<proto.IMessage | undefined> {
  const stored = key.id ? await findMessage(db, sessionRowId, key.id) : undefined;
  return stored ? contentToProto(stored.content) : undefined;
}
