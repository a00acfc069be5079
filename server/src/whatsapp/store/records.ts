import type { Selectable } from 'kysely';
import type { ChatTable, ContactTable, GroupTable, MessageStatus, MessageTable, MessageType } from '../../db/database';
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

export interface MessageRecord {
  id: string;
  messageId: string;
  chatId: string;
  fromMe: boolean;
  fromJid: string | null;
  toJid: string;
  messageType: MessageType;
  content: MessageContent;
  status: MessageStatus;
  timestamp: Date;
  quotedMessage: string | null;
  metadata: MessageMetadata | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface ChatRecord {
  id: string;
  jid: string;
  name: string | null;
  isGroup: boolean;
  isArchived: boolean;
  isPinned: boolean;
  isMuted: boolean;
  unreadCount: number;
  lastMessage: LastMessagePreview | null;
  metadata: ChatMetadata | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface ContactRecord {
  id: string;
  jid: string;
  name: string | null;
  pushName: string | null;
  profilePicUrl: string | null;
  isBlocked: boolean;
  metadata: ContactMetadata | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface GroupRecord {
  id: string;
  jid: string;
  subject: string | null;
  description: string | null;
  owner: string | null;
  participants: GroupParticipantEntry[] | null;
  settings: GroupSettings | null;
  metadata: GroupExtra | null;
  createdAt: Date;
  updatedAt: Date;
}

export function messageRecord(row: Selectable<MessageTable>): MessageRecord {
  return {
    id: row.id,
    messageId: row.messageId,
    chatId: row.chatId,
    fromMe: row.fromMe,
    fromJid: row.fromJid,
    toJid: row.toJid,
    messageType: row.messageType,
    content: fromJson<MessageContent>(row.content),
    status: row.status,
    timestamp: row.timestamp,
    quotedMessage: row.quotedMessage,
    metadata: fromJson<MessageMetadata | null>(row.metadata),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export function chatRecord(row: Selectable<ChatTable>): ChatRecord {
  return {
    id: row.id,
    jid: row.jid,
    name: row.name,
    isGroup: row.isGroup,
    isArchived: row.isArchived,
    isPinned: row.isPinned,
    isMuted: row.isMuted,
    unreadCount: row.unreadCount,
    lastMessage: fromJson<LastMessagePreview | null>(row.lastMessage),
    metadata: fromJson<ChatMetadata | null>(row.metadata),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export function contactRecord(row: Selectable<ContactTable>): ContactRecord {
  return {
    id: row.id,
    jid: row.jid,
    name: row.name,
    pushName: row.pushName,
    profilePicUrl: row.profilePicUrl,
    isBlocked: row.isBlocked,
    metadata: fromJson<ContactMetadata | null>(row.metadata),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export function groupRecord(row: Selectable<GroupTable>): GroupRecord {
  return {
    id: row.id,
    jid: row.jid,
    subject: row.subject,
    description: row.description,
    owner: row.owner,
    participants: fromJson<GroupParticipantEntry[] | null>(row.participants),
    settings: fromJson<GroupSettings | null>(row.settings),
    metadata: fromJson<GroupExtra | null>(row.metadata),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
