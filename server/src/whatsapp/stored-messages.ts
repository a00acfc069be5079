import type { proto, WAMessageKey } from '@whiskeysockets/baileys';
import type { Queryable } from '../db/database';
import { isGroupJid, normalizeJid } from './jids';
import { contentToProto } from './mapping/message-content';
import { samePlace, type JidForm, type MessagePlace } from './mapping/message-identity';
import { findMessage } from './store/read-queries';

/**
 * The content of a stored message as Baileys wants it back (to re-encrypt it for a retry receipt, to
 * decrypt a poll vote), only when the key names the message's chat, direction and, in a group, sender:
 * a retry receipt that names another chat must not make the session send the message there.
 */
export async function loadMessageContent(
  db: Queryable,
  sessionRowId: string,
  key: WAMessageKey,
  form?: JidForm,
): Promise<proto.IMessage | undefined> {
  if (!key.id || !key.remoteJid) return undefined;
  const stored = await findMessage(db, sessionRowId, key.id);
  return stored && samePlace(stored, placeOfKey(key), form) ? contentToProto(stored.content) : undefined;
}

function placeOfKey(key: WAMessageKey): MessagePlace {
  const chatId = normalizeJid(key.remoteJid!);
  const fromMe = !!key.fromMe;
  const fromJid = fromMe ? null : isGroupJid(chatId) ? (normalizeJid(key.participant) ?? null) : chatId;
  return { chatId, fromMe, fromJid };
}
