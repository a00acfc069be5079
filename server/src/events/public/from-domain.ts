import { contentKey, innerContent, messageText } from '../../whatsapp/mapping/message-content';
import type { ChatPayload, ContactPayload, DomainEvent, GroupPayload, MessagePayload } from '../catalogue';
import type { ChatV1, ContactV1, GroupV1, MessageV1, PublicEventName, PublicPayload } from './payloads';

/** One event as a webhook consumer sees it, before it gets its id, sequence and envelope. */
export interface PublicEvent<E extends PublicEventName = PublicEventName> {
  event: E;
  data: PublicPayload<E>;
}

/** A delivery body stays under 256 KB: list payloads are split so their data stays under this. */
export const MAX_DATA_BYTES = 200_000;

const MEDIA_TYPES = new Set(['IMAGE', 'VIDEO', 'AUDIO', 'DOCUMENT', 'STICKER']);

const event = <E extends PublicEventName>(name: E, data: PublicPayload<E>): PublicEvent => ({ event: name, data }) as PublicEvent;

/**
 * The public events a domain event becomes: live messages one event each, history and other lists in
 * parts small enough for one delivery. `sessionId` is the user-facing session name (for download paths).
 */
export function toPublicEvents(domain: DomainEvent, sessionId: string): PublicEvent[] {
  const message = (payload: MessagePayload) => messageV1(payload, sessionId);
  switch (domain.type) {
    case 'session.status': {
      const { status, phoneNumber, reason, statusCode } = domain.payload;
      return [
        event('session.status', { status, phoneNumber: phoneNumber ?? null, reason: reason ?? null, statusCode: statusCode ?? null }),
      ];
    }
    case 'session.qr':
      return [event('session.qr', { qr: domain.payload.qr ?? null, pairingCode: domain.payload.pairingCode ?? null })];
    case 'messages.upsert':
      if (domain.payload.source === 'history') {
        return inParts(domain.payload.messages.map(message), (messages) => event('messages.history', { messages }));
      }
      return domain.payload.messages.map((payload) => event('messages.upsert', { message: message(payload) }));
    case 'messages.update':
      return domain.payload.updates.map(({ message: payload, changes }) =>
        event('messages.update', { message: message(payload), changes }),
      );
    case 'messages.delete': {
      const payload = domain.payload;
      if (payload.scope === 'chat') return [event('messages.delete', { scope: 'chat', chatId: payload.chatId, messages: [] })];
      const refs = payload.messages.map((ref) => ({
        messageId: ref.messageId,
        chatId: ref.chatId,
        fromMe: ref.fromMe,
        ...('revokedBy' in ref && ref.revokedBy ? { revokedBy: ref.revokedBy } : {}),
      }));
      return inParts(refs, (messages) => event('messages.delete', { scope: payload.scope, chatId: null, messages }));
    }
    case 'message.receipt':
      return domain.payload.receipts.map((receipt) =>
        event('message.receipt', {
          messageId: receipt.messageId,
          chatId: receipt.chatId,
          recipient: receipt.recipient,
          status: receipt.status,
          deliveredAt: receipt.deliveredAt ?? null,
          readAt: receipt.readAt ?? null,
          playedAt: receipt.playedAt ?? null,
        }),
      );
    case 'history.progress':
      return [event('history.progress', { ...domain.payload })];
    case 'chats.upsert':
      return inParts(domain.payload.chats.map(chatV1), (chats) => event('chats.upsert', { chats }));
    case 'chats.update': {
      const { deleted } = domain.payload;
      const parts = inParts(domain.payload.chats.map(chatV1), (chats) => event('chats.update', { chats, deleted: [] }));
      return deleted.length ? [...parts, event('chats.update', { chats: [], deleted })] : parts;
    }
    case 'contacts.upsert':
      return inParts(domain.payload.contacts.map(contactV1), (contacts) => event('contacts.upsert', { contacts }));
    case 'groups.upsert':
    case 'groups.update': {
      const name = domain.type;
      return inParts(domain.payload.groups.map(groupV1), (groups) => event(name, { groups }));
    }
    case 'group.participants': {
      const { groupJid, action, participants, author } = domain.payload;
      return [
        event('group.participants', {
          groupJid,
          action,
          participants: participants.map((p) => ({ jid: p.jid, role: p.role })),
          author: author ?? null,
        }),
      ];
    }
    case 'presence.update': {
      const { chatJid, presences } = domain.payload;
      return [
        event('presence.update', {
          chatJid,
          presences: presences.map((p) => ({ jid: p.jid, presence: p.presence, lastSeen: p.lastSeen ?? null })),
        }),
      ];
    }
    case 'call':
      return domain.payload.calls.map((call) =>
        event('call', {
          callId: call.callId,
          chatJid: call.chatJid,
          from: call.from,
          groupJid: call.groupJid ?? null,
          isGroup: call.isGroup,
          isVideo: call.isVideo,
          status: call.status,
          offline: call.offline,
          at: call.at,
        }),
      );
  }
}

/** Splits a list into consecutive parts whose JSON stays under MAX_DATA_BYTES (an item larger than that goes alone). */
function inParts<T>(items: readonly T[], build: (part: T[]) => PublicEvent): PublicEvent[] {
  const parts: PublicEvent[] = [];
  let part: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = Buffer.byteLength(JSON.stringify(item)) + 1;
    if (part.length > 0 && bytes + size > MAX_DATA_BYTES) {
      parts.push(build(part));
      part = [];
      bytes = 0;
    }
    part.push(item);
    bytes += size;
  }
  if (part.length > 0) parts.push(build(part));
  return parts;
}

export function messageV1(message: MessagePayload, sessionId: string): MessageV1 {
  const content = message.content as Record<string, unknown>;
  return {
    messageId: message.messageId,
    chatId: message.chatId,
    fromMe: message.fromMe,
    from: message.fromJid,
    to: message.toJid,
    isGroup: message.chatId.endsWith('@g.us'),
    type: message.messageType,
    text: messageText(message.content) ?? null,
    timestamp: message.timestamp,
    status: message.status,
    quotedMessageId: message.quotedMessage,
    pushName: message.metadata?.pushName ?? null,
    source: message.metadata?.source ?? 'live',
    media: MEDIA_TYPES.has(message.messageType) ? mediaOf(message, sessionId) : null,
    content,
  };
}

function mediaOf(message: MessagePayload, sessionId: string): MessageV1['media'] {
  const key = contentKey(message.content);
  const fields = ((key && (innerContent(message.content) as Record<string, unknown>)[key]) ?? {}) as Record<string, unknown>;
  const integer = (value: unknown) =>
    value === undefined || value === null || !Number.isFinite(Number(value)) ? null : Math.trunc(Number(value));
  return {
    mimetype: typeof fields.mimetype === 'string' ? fields.mimetype : null,
    fileName: typeof fields.fileName === 'string' ? fields.fileName : null,
    size: integer(fields.fileLength),
    seconds: integer(fields.seconds),
    downloadPath: `/api/v1/sessions/${encodeURIComponent(sessionId)}/messages/${encodeURIComponent(message.messageId)}/media`,
  };
}

function chatV1(chat: ChatPayload): ChatV1 {
  const last = chat.lastMessage;
  return {
    jid: chat.jid,
    name: chat.name,
    isGroup: chat.isGroup,
    isArchived: chat.isArchived,
    isPinned: chat.isPinned,
    isMuted: chat.isMuted,
    mutedUntil: chat.metadata?.mutedUntil ?? null,
    unreadCount: chat.unreadCount,
    lastMessage: last
      ? { messageId: last.id, fromMe: last.fromMe, type: last.type, text: last.text ?? null, timestamp: last.timestamp }
      : null,
  };
}

function contactV1(contact: ContactPayload): ContactV1 {
  return {
    jid: contact.jid,
    name: contact.name,
    pushName: contact.pushName,
    profilePicUrl: contact.profilePicUrl,
    isBlocked: contact.isBlocked,
  };
}

function groupV1(group: GroupPayload): GroupV1 {
  return {
    jid: group.jid,
    subject: group.subject,
    description: group.description,
    owner: group.owner,
    participants: (group.participants ?? []).map((p) => ({ jid: p.jid, role: p.role })),
    announcement: group.settings?.announce ?? false,
    locked: group.settings?.restrict ?? false,
  };
}
