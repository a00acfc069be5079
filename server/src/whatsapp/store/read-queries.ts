import { sql } from 'kysely';
import type { MessageType, Queryable } from '../../db/database';
import { decodeCursor, encodeCursor } from '../../db/cursor';
import {
  chatRecord,
  contactRecord,
  groupRecord,
  messageRecord,
  type ChatRecord,
  type ContactRecord,
  type GroupRecord,
  type MessageRecord,
} from './records';

/*
 * What the REST reading routes need, scoped by Session.id, keyset-paginated with opaque cursors (an invalid
 * cursor is a 400 from decodeCursor).
 */

export interface PageRequest {
  limit: number;
  cursor?: string;
}

export interface Page<T> {
  data: T[];
  /** null on the last page. */
  nextCursor: string | null;
}

function pageOf<T>(rows: T[], limit: number, cursorOf: (last: T) => (string | number)[]): Page<T> {
  const more = rows.length > limit;
  const data = more ? rows.slice(0, limit) : rows;
  return { data, nextCursor: more ? encodeCursor(cursorOf(data[data.length - 1]!)) : null };
}

/** Time of a chat's last message ('' when it has none, which sorts last). Chats per session are few; this sorts in memory. */
const chatActivity = sql<string>`COALESCE(JSON_UNQUOTE(JSON_EXTRACT(${sql.ref('lastMessage')}, '$.timestamp')), '')`;

/** Chats, most recent activity first. */
export async function listChats(db: Queryable, sessionRowId: string, { limit, cursor }: PageRequest): Promise<Page<ChatRecord>> {
  let query = db.selectFrom('Chat').selectAll().select(chatActivity.as('activity')).where('sessionId', '=', sessionRowId);
  if (cursor) {
    const [activity, id] = decodeCursor(cursor, ['string', 'string']) as [string, string];
    query = query.where((eb) => eb.or([eb(chatActivity, '<', activity), eb.and([eb(chatActivity, '=', activity), eb('id', '<', id)])]));
  }
  const rows = await query
    .orderBy(chatActivity, 'desc')
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute();
  const page = pageOf(rows, limit, (last) => [last.activity, last.id]);
  return { data: page.data.map(({ activity: _activity, ...row }) => chatRecord(row)), nextCursor: page.nextCursor };
}

export interface MessageFilter {
  chatId?: string;
  type?: MessageType;
  fromMe?: boolean;
  /** Only messages at or after this instant. */
  since?: Date;
}

/**
 * Messages, newest first (or oldest first), on (timestamp, id); with a chatId this walks the (sessionId, chatId,
 * timestamp) index, without one the (sessionId, timestamp) index. Both indexes end in the primary key, so
 * either order costs no sort.
 */
export async function searchMessages(
  db: Queryable,
  sessionRowId: string,
  filter: MessageFilter,
  { limit, cursor }: PageRequest,
  order: 'newest' | 'oldest' = 'newest',
): Promise<Page<MessageRecord>> {
  const [direction, beyond] = order === 'newest' ? (['desc', '<'] as const) : (['asc', '>'] as const);
  let query = db.selectFrom('Message').selectAll().where('sessionId', '=', sessionRowId);
  if (filter.chatId !== undefined) query = query.where('chatId', '=', filter.chatId);
  if (filter.type !== undefined) query = query.where('messageType', '=', filter.type);
  if (filter.fromMe !== undefined) query = query.where('fromMe', '=', filter.fromMe);
  if (filter.since !== undefined) query = query.where('timestamp', '>=', filter.since);
  if (cursor) {
    const [millis, id] = decodeCursor(cursor, ['number', 'string']) as [number, string];
    const at = new Date(millis);
    query = query.where((eb) => eb.or([eb('timestamp', beyond, at), eb.and([eb('timestamp', '=', at), eb('id', beyond, id)])]));
  }
  const rows = await query
    .orderBy('timestamp', direction)
    .orderBy('id', direction)
    .limit(limit + 1)
    .execute();
  const page = pageOf(rows, limit, (last) => [last.timestamp.getTime(), last.id]);
  return { data: page.data.map(messageRecord), nextCursor: page.nextCursor };
}

/** Messages of one chat, newest first. */
export function listChatMessages(db: Queryable, sessionRowId: string, chatId: string, page: PageRequest): Promise<Page<MessageRecord>> {
  return searchMessages(db, sessionRowId, { chatId }, page);
}

/** Contacts by JID. */
export async function listContacts(db: Queryable, sessionRowId: string, { limit, cursor }: PageRequest): Promise<Page<ContactRecord>> {
  let query = db.selectFrom('Contact').selectAll().where('sessionId', '=', sessionRowId);
  if (cursor) query = query.where('jid', '>', decodeCursor(cursor, ['string'])[0] as string);
  const rows = await query
    .orderBy('jid')
    .limit(limit + 1)
    .execute();
  const page = pageOf(rows, limit, (last) => [last.jid]);
  return { data: page.data.map(contactRecord), nextCursor: page.nextCursor };
}

/** Groups by JID. */
export async function listGroups(db: Queryable, sessionRowId: string, { limit, cursor }: PageRequest): Promise<Page<GroupRecord>> {
  let query = db.selectFrom('Group').selectAll().where('sessionId', '=', sessionRowId);
  if (cursor) query = query.where('jid', '>', decodeCursor(cursor, ['string'])[0] as string);
  const rows = await query
    .orderBy('jid')
    .limit(limit + 1)
    .execute();
  const page = pageOf(rows, limit, (last) => [last.jid]);
  return { data: page.data.map(groupRecord), nextCursor: page.nextCursor };
}

export async function findMessage(db: Queryable, sessionRowId: string, messageId: string): Promise<MessageRecord | undefined> {
  const row = await db
    .selectFrom('Message')
    .selectAll()
    .where('sessionId', '=', sessionRowId)
    .where('messageId', '=', messageId)
    .executeTakeFirst();
  return row ? messageRecord(row) : undefined;
}

export async function findChat(db: Queryable, sessionRowId: string, jid: string): Promise<ChatRecord | undefined> {
  const row = await db.selectFrom('Chat').selectAll().where('sessionId', '=', sessionRowId).where('jid', '=', jid).executeTakeFirst();
  return row ? chatRecord(row) : undefined;
}

export async function findContact(db: Queryable, sessionRowId: string, jid: string): Promise<ContactRecord | undefined> {
  const row = await db.selectFrom('Contact').selectAll().where('sessionId', '=', sessionRowId).where('jid', '=', jid).executeTakeFirst();
  return row ? contactRecord(row) : undefined;
}

export async function findGroup(db: Queryable, sessionRowId: string, jid: string): Promise<GroupRecord | undefined> {
  const row = await db.selectFrom('Group').selectAll().where('sessionId', '=', sessionRowId).where('jid', '=', jid).executeTakeFirst();
  return row ? groupRecord(row) : undefined;
}
