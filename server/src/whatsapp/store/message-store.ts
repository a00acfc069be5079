import { sql, type Insertable, type Selectable } from 'kysely';
import type { MessageStatus, MessageTable, Queryable } from '../../db/database';
import { toJson } from '../../db/json';
import type { MessageContent } from '../mapping/message-content';
import type { MessagePlace } from '../mapping/message-identity';
import type { MessageMetadata } from '../mapping/message-metadata';
import type { MessageInput } from '../mapping/message-row';
import { chunk, chunkBySize, incoming } from './batch';

export type MessageRow = Selectable<MessageTable>;

/** A mapped message with the row id it gets if it is new. */
export interface NewMessage extends MessageInput {
  id: string;
}

/** A loaded row with its JSON columns parsed and changed, ready to be written back. */
export interface MessageWrite extends Omit<MessageRow, 'content' | 'metadata' | 'createdAt' | 'updatedAt'> {
  content: MessageContent;
  metadata: MessageMetadata;
}

/** A stored message's row id, status and place (chat, direction, sender). */
export interface ExistingMessage extends MessagePlace {
  id: string;
  status: MessageStatus;
}

const metadataText = (path: string) => sql<string | null>`JSON_UNQUOTE(JSON_EXTRACT(metadata, ${path}))`;

/** Ids, statuses and places of the given messages that are already stored, by messageId. One query per chunk. */
export async function findExistingMessages(
  db: Queryable,
  sessionRowId: string,
  messageIds: readonly string[],
): Promise<Map<string, ExistingMessage>> {
  const found = new Map<string, ExistingMessage>();
  for (const ids of chunk([...new Set(messageIds)], ID_LOOKUP_CHUNK)) {
    const rows = await db
      .selectFrom('Message')
      .select(['id', 'messageId', 'status', 'chatId', 'fromMe', 'fromJid'])
      .select([
        metadataText('$.chatLid').as('chatLid'),
        metadataText('$.senderLid').as('senderLid'),
        metadataText('$.broadcast').as('broadcast'),
      ])
      .where('sessionId', '=', sessionRowId)
      .where('messageId', 'in', ids)
      .execute();
    for (const { messageId, chatLid, senderLid, broadcast, fromMe, ...row } of rows) {
      const metadata = { chatLid: chatLid ?? undefined, senderLid: senderLid ?? undefined, broadcast: broadcast ?? undefined };
      found.set(messageId, { ...row, fromMe: !!fromMe, metadata });
    }
  }
  return found;
}

/** Ids per lookup statement: only the ids travel, so far more fit than rows per insert. */
const ID_LOOKUP_CHUNK = 5000;

/** Message rows are small (text) or large (media with thumbnails): statements are bounded by bytes too. */
const MESSAGE_CHUNK_ROWS = 2500;
const rowBytes = (row: Insertable<MessageTable>) => (row.content as string).length + ((row.metadata as string | null)?.length ?? 0) + 300;

function toRow(sessionRowId: string, message: NewMessage): Insertable<MessageTable> {
  return {
    id: message.id,
    sessionId: sessionRowId,
    messageId: message.messageId,
    chatId: message.chatId,
    fromMe: message.fromMe,
    fromJid: message.fromJid,
    toJid: message.toJid,
    messageType: message.messageType,
    content: toJson(message.content),
    status: message.status,
    timestamp: message.timestamp,
    quotedMessage: message.quotedMessage,
    metadata: toJson(message.metadata),
  };
}

const LID = '%@lid';
/** The stored content stays when the incoming one is empty or the stored one was edited since. */
const keepStoredContent = sql<boolean>`(JSON_LENGTH(VALUES(content)) = 0 OR JSON_EXTRACT(metadata, '$.editedAt') IS NOT NULL)`;
/** Never downgrade: ENUM ordinal order is PENDING < SENT < DELIVERED < READ < FAILED. */
const laterStatus = sql<MessageStatus>`IF(VALUES(status) + 0 > status + 0, VALUES(status), status)`;

/**
 * Inserts messages, or merges them into the stored ones (same session and messageId): the status only moves
 * forward, content is replaced unless the new one is empty or the stored one was edited, LID addresses give
 * way to phone JIDs, stored metadata keys win over incoming ones (which fill the gaps), and the original
 * timestamp stays. Assignment order matters: MySQL evaluates them left to right on the updated row.
 */
export async function upsertMessages(db: Queryable, sessionRowId: string, messages: readonly NewMessage[]): Promise<void> {
  const rows = messages.map((message) => toRow(sessionRowId, message));
  for (const part of chunkBySize(rows, rowBytes, MESSAGE_CHUNK_ROWS)) {
    await db
      .insertInto('Message')
      .values(part)
      .onDuplicateKeyUpdate({
        chatId: sql`IF(chatId LIKE ${LID} AND VALUES(chatId) NOT LIKE ${LID}, VALUES(chatId), chatId)`,
        fromJid: sql`IF(fromJid IS NULL OR (fromJid LIKE ${LID} AND VALUES(fromJid) NOT LIKE ${LID}), VALUES(fromJid), fromJid)`,
        toJid: sql`IF((toJid = '' OR toJid LIKE ${LID}) AND VALUES(toJid) <> '' AND VALUES(toJid) NOT LIKE ${LID}, VALUES(toJid), toJid)`,
        messageType: sql`IF(${keepStoredContent}, messageType, VALUES(messageType))`,
        content: sql`IF(${keepStoredContent}, content, VALUES(content))`,
        status: laterStatus,
        quotedMessage: sql`COALESCE(quotedMessage, VALUES(quotedMessage))`,
        metadata: sql`JSON_MERGE_PATCH(VALUES(metadata), COALESCE(metadata, '{}'))`,
      })
      .execute();
  }
}

/** Full stored rows of the given messages, locked for the rest of the transaction. One query per chunk. */
export async function loadMessagesForUpdate(db: Queryable, sessionRowId: string, messageIds: readonly string[]): Promise<MessageRow[]> {
  const rows: MessageRow[] = [];
  for (const ids of chunk([...new Set(messageIds)])) {
    rows.push(
      ...(await db
        .selectFrom('Message')
        .selectAll()
        .where('sessionId', '=', sessionRowId)
        .where('messageId', 'in', ids)
        .forUpdate()
        .execute()),
    );
  }
  return rows;
}

/** Writes back changed type, content, status (never backwards) and metadata of loaded rows: one upsert per chunk, keyed by id. */
export async function writeMessageStates(db: Queryable, rows: readonly MessageWrite[]): Promise<void> {
  const values = rows.map((row) => ({
    id: row.id,
    sessionId: row.sessionId,
    messageId: row.messageId,
    chatId: row.chatId,
    fromMe: row.fromMe,
    fromJid: row.fromJid,
    toJid: row.toJid,
    messageType: row.messageType,
    content: toJson(row.content),
    status: row.status,
    timestamp: row.timestamp,
    quotedMessage: row.quotedMessage,
    metadata: toJson(row.metadata),
  }));
  for (const part of chunkBySize(values, rowBytes)) {
    await db
      .insertInto('Message')
      .values(part)
      .onDuplicateKeyUpdate({
        messageType: incoming('messageType'),
        content: incoming('content'),
        status: laterStatus,
        metadata: incoming('metadata'),
      })
      .execute();
  }
}

/** Flags every message of a chat deleted (chat cleared on the phone); the rows stay. One statement. */
export async function markChatMessagesDeleted(db: Queryable, sessionRowId: string, chatIds: readonly string[], at: Date): Promise<void> {
  if (chatIds.length === 0) return;
  await db
    .updateTable('Message')
    .set({ metadata: sql`JSON_MERGE_PATCH(COALESCE(metadata, '{}'), ${toJson({ deleted: true, deletedAt: at.toISOString() })})` })
    .where('sessionId', '=', sessionRowId)
    .where('chatId', 'in', [...chatIds])
    .execute();
}

/** How many messages each chat holds. One grouped query per chunk of chats, on the (sessionId, chatId, timestamp) index. */
export async function countMessagesByChat(db: Queryable, sessionRowId: string, chatIds: readonly string[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const ids of chunk([...new Set(chatIds)])) {
    const rows = await db
      .selectFrom('Message')
      .select(['chatId', (eb) => eb.fn.countAll<number | string>().as('count')])
      .where('sessionId', '=', sessionRowId)
      .where('chatId', 'in', ids)
      .groupBy('chatId')
      .execute();
    for (const row of rows) counts.set(row.chatId, Number(row.count));
  }
  return counts;
}
