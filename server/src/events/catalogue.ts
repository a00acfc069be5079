import type { SessionStatus } from '../db/database';
import type { GroupParticipantEntry } from '../whatsapp/mapping/group-row';
import type { MessageChange } from '../whatsapp/mapping/message-patches';
import type { ChatRecord, ContactRecord, GroupRecord, MessageRecord } from '../whatsapp/store/records';

/*
 * Everything the gateway tells the world about a session. Payloads are plain JSON (ISO 8601 strings for
 * instants, phone-number JIDs wherever the LID mapping is known, enum values as stored) so they can be
 * written to an outbox and delivered later unchanged.
 */

/** A record with its Date fields as ISO 8601 strings. */
export type Serialized<T> = {
  [K in keyof T]: T[K] extends Date ? string : T[K] extends Date | null ? string | null : T[K];
};

/** A message as API consumers see it; row timestamps are left out of events (they describe the store, not WhatsApp). */
export type MessagePayload = Serialized<Omit<MessageRecord, 'createdAt' | 'updatedAt'>>;
export type ChatPayload = Serialized<ChatRecord>;
export type ContactPayload = Serialized<ContactRecord>;
export type GroupPayload = Serialized<GroupRecord>;

export interface MessageRef {
  id: string;
  messageId: string;
  chatId: string;
  fromMe: boolean;
}

export interface SessionStatusPayload {
  status: SessionStatus;
  phoneNumber?: string | null;
  reason?: string;
  statusCode?: number;
}

export interface SessionQrPayload {
  qr?: string | null;
  pairingCode?: string | null;
}

export interface MessagesUpsertPayload {
  /** 'history' for messages from a history sync, 'live' for everything else. */
  source: 'live' | 'history';
  messages: MessagePayload[];
}

export interface MessagesUpdatePayload {
  updates: { message: MessagePayload; changes: MessageChange[] }[];
}

/** Revoked for everyone, deleted for me (app state), or a whole chat cleared. The rows stay, flagged in metadata. */
export type MessagesDeletePayload =
  | { scope: 'everyone'; messages: (MessageRef & { revokedBy?: string })[] }
  | { scope: 'me'; messages: MessageRef[] }
  | { scope: 'chat'; chatId: string };

export interface ReceiptPayload {
  messageId: string;
  chatId: string;
  recipient: string;
  status: 'DELIVERED' | 'READ';
  deliveredAt?: string;
  readAt?: string;
  playedAt?: string;
}

export interface ChatsUpdatePayload {
  chats: ChatPayload[];
  /** JIDs of chats deleted on the phone (their messages are kept). */
  deleted: string[];
}

export interface GroupParticipantsPayload {
  groupJid: string;
  action: 'add' | 'remove' | 'promote' | 'demote' | 'modify';
  participants: GroupParticipantEntry[];
  author?: string;
}

export interface PresencePayload {
  chatJid: string;
  presences: { jid: string; presence: string; lastSeen?: string }[];
}

export interface CallPayload {
  calls: {
    callId: string;
    chatJid: string;
    from: string;
    groupJid?: string;
    isGroup: boolean;
    isVideo: boolean;
    status: string;
    offline: boolean;
    at: string;
  }[];
}

/** A part of a history sync was stored: what it carried and how far the phone says the sync is. */
export interface HistoryProgressPayload {
  messages: number;
  chats: number;
  contacts: number;
  progress: number | null;
  syncType: string | null;
  isLatest: boolean | null;
}

/** Event type → payload. */
export interface DomainEventPayloads {
  'session.status': SessionStatusPayload;
  'session.qr': SessionQrPayload;
  'messages.upsert': MessagesUpsertPayload;
  'messages.update': MessagesUpdatePayload;
  'messages.delete': MessagesDeletePayload;
  'message.receipt': { receipts: ReceiptPayload[] };
  'chats.upsert': { chats: ChatPayload[] };
  'chats.update': ChatsUpdatePayload;
  'contacts.upsert': { contacts: ContactPayload[] };
  'groups.upsert': { groups: GroupPayload[] };
  'groups.update': { groups: GroupPayload[] };
  'group.participants': GroupParticipantsPayload;
  'presence.update': PresencePayload;
  call: CallPayload;
  'history.progress': HistoryProgressPayload;
}

export type DomainEventType = keyof DomainEventPayloads;

export const DOMAIN_EVENT_TYPES = [
  'session.status',
  'session.qr',
  'messages.upsert',
  'messages.update',
  'messages.delete',
  'message.receipt',
  'chats.upsert',
  'chats.update',
  'contacts.upsert',
  'groups.upsert',
  'groups.update',
  'group.participants',
  'presence.update',
  'call',
  'history.progress',
] as const satisfies readonly DomainEventType[];

export type DomainEventOf<T extends DomainEventType> = {
  type: T;
  /** Session.id (the row id); the publisher adds the public Session.sessionId. */
  sessionRowId: string;
  /** When the gateway produced the event, ISO 8601. */
  at: string;
  payload: DomainEventPayloads[T];
  /** Added when the event is published: whose session it is and the n8n workflow it is tied to. */
  session?: { sessionId: string; userId: string; workflowId: string | null };
};

export type DomainEvent = { [T in DomainEventType]: DomainEventOf<T> }[DomainEventType];

export function domainEvent<T extends DomainEventType>(
  type: T,
  sessionRowId: string,
  payload: DomainEventPayloads[T],
  at = new Date(),
): DomainEventOf<T> {
  return { type, sessionRowId, at: at.toISOString(), payload };
}

/** Dates → ISO strings, one level deep (records keep their Dates only at the top). */
export function serialize<T extends object>(record: T): Serialized<T> {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) result[key] = value instanceof Date ? value.toISOString() : value;
  return result as Serialized<T>;
}
