import { sql, type Insertable, type RawBuilder } from 'kysely';
import { newId } from '../../db/ids';
import { toJson } from '../../db/json';
import type { ChatTable, Queryable } from '../../db/database';
import type { ChatPatch, UnreadChange } from '../mapping/chat-row';
import { chunk, definedFields, groupByShape, incoming, mergeJsonColumn } from './batch';
import { chatRecord, type ChatRecord } from './records';

function toRow(sessionRowId: string, patch: ChatPatch): Insertable<ChatTable> {
  return definedFields({
    id: newId(),
    sessionId: sessionRowId,
    jid: patch.jid,
    name: patch.name,
    isGroup: patch.isGroup,
    isArchived: patch.isArchived,
    isPinned: patch.isPinned,
    isMuted: patch.isMuted,
    unreadCount: patch.unread?.count,
    lastMessage: patch.lastMessage ? toJson(patch.lastMessage) : undefined,
    metadata: patch.metadata ? toJson(patch.metadata) : undefined,
  });
}

const UNREAD: Record<UnreadChange['mode'], RawBuilder<number>> = {
  set: incoming<number>('unreadCount'),
  atLeast: sql<number>`GREATEST(unreadCount, VALUES(unreadCount))`,
  add: sql<number>`unreadCount + VALUES(unreadCount)`,
};

/** The stored preview stays when it is newer than the incoming one (ISO timestamps compare as text). */
const newerLastMessage = sql<string>`IF(lastMessage IS NULL
  OR JSON_UNQUOTE(JSON_EXTRACT(lastMessage, '$.timestamp')) <= JSON_UNQUOTE(JSON_EXTRACT(VALUES(lastMessage), '$.timestamp')),
  VALUES(lastMessage), lastMessage)`;

/**
 * Creates or changes chats: each patch writes only the fields it carries (rows are grouped by shape, so one
 * statement per kind of change and chunk), metadata is merged key by key, the unread counter is set, raised
 * to at least one, or incremented, and lastMessage only moves to a newer message.
 */
export async function upsertChats(db: Queryable, sessionRowId: string, patches: readonly ChatPatch[]): Promise<void> {
  for (const group of groupByShape(patches, (patch) => patch.unread?.mode ?? '')) {
    const sample = group[0]!;
    const updates: Record<string, RawBuilder<unknown>> = {};
    if (sample.name !== undefined) updates.name = incoming('name');
    for (const column of ['isGroup', 'isArchived', 'isPinned', 'isMuted'] as const) {
      if (sample[column] !== undefined) updates[column] = incoming(column);
    }
    if (sample.unread) updates.unreadCount = UNREAD[sample.unread.mode];
    if (sample.lastMessage) updates.lastMessage = newerLastMessage;
    if (sample.metadata) updates.metadata = mergeJsonColumn('metadata');
    for (const part of chunk(group)) {
      const insert = db.insertInto('Chat').values(part.map((patch) => toRow(sessionRowId, patch)));
      await (Object.keys(updates).length ? insert.onDuplicateKeyUpdate(updates) : insert.ignore()).execute();
    }
  }
}

/** Stored chats by JID. One query per chunk. */
export async function findChats(db: Queryable, sessionRowId: string, jids: readonly string[]): Promise<Map<string, ChatRecord>> {
  const found = new Map<string, ChatRecord>();
  for (const part of chunk([...new Set(jids)])) {
    const rows = await db.selectFrom('Chat').selectAll().where('sessionId', '=', sessionRowId).where('jid', 'in', part).execute();
    for (const row of rows) found.set(row.jid, chatRecord(row));
  }
  return found;
}

/** Removes chats (deleted on the phone); their messages stay. */
export async function deleteChats(db: Queryable, sessionRowId: string, jids: readonly string[]): Promise<void> {
  for (const part of chunk([...new Set(jids)])) {
    await db.deleteFrom('Chat').where('sessionId', '=', sessionRowId).where('jid', 'in', part).execute();
  }
}
