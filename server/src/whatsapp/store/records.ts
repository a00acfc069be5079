import type { Selectable } from 'kysely';
import type { ChatTable, ContactTable, GroupTable, MessageTable } from '../../db/database';
import { fromJson } from '../../db/json';
import type { ChatMetadata, LastMessagePreview } from '../mapping/chat-row';
import type { ContactMetadata } from '../mapping/contact-row';
import type { GroupExtra, GroupParticipantEntry, GroupSettings } from '../mapping/group-row';
import type { MessageContent } from '../mapping/message-content';
import type { MessageMetadata } from '../mapping/message-metadata';

/*
 * Stored rows as the API shows them: JSON columns parsed, dates as Date, no session column (every query is
 * already scoped by session).
 */

/** A stored row without its session column, with its JSON columns typed as they are parsed. */
type RecordOf<Table, Json extends string, Parsed> = Omit<Selectable<Table>, 'sessionId' | Json> & Parsed;

export type MessageRecord = RecordOf<MessageTable, 'content' | 'metadata', { content: MessageContent; metadata: MessageMetadata | null }>;
export type ChatRecord = RecordOf<
  ChatTable,
  'lastMessage' | 'metadata',
  { lastMessage: LastMessagePreview | null; metadata: ChatMetadata | null }
>;
export type ContactRecord = RecordOf<ContactTable, 'metadata', { metadata: ContactMetadata | null }>;
export type GroupRecord = RecordOf<
  GroupTable,
  'participants' | 'settings' | 'metadata',
  { participants: GroupParticipantEntry[] | null; settings: GroupSettings | null; metadata: GroupExtra | null }
>;

export function messageRecord({ sessionId: _session, content, metadata, ...row }: Selectable<MessageTable>): MessageRecord {
  return { ...row, content: fromJson<MessageContent>(content), metadata: fromJson<MessageMetadata | null>(metadata) };
}

export function chatRecord({ sessionId: _session, lastMessage, metadata, ...row }: Selectable<ChatTable>): ChatRecord {
  return { ...row, lastMessage: fromJson<LastMessagePreview | null>(lastMessage), metadata: fromJson<ChatMetadata | null>(metadata) };
}

export function contactRecord({ sessionId: _session, metadata, ...row }: Selectable<ContactTable>): ContactRecord {
  return { ...row, metadata: fromJson<ContactMetadata | null>(metadata) };
}

export function groupRecord({ sessionId: _session, participants, settings, metadata, ...row }: Selectable<GroupTable>): GroupRecord {
  return {
    ...row,
    participants: fromJson<GroupParticipantEntry[] | null>(participants),
    settings: fromJson<GroupSettings | null>(settings),
    metadata: fromJson<GroupExtra | null>(metadata),
  };
}
