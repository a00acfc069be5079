import type { TSchema } from '@sinclair/typebox';
import { PAYLOADS_V1, type MessageV1, type PublicEventName, type PublicPayload } from './payloads';

/** One entry of the event catalogue as `GET /webhooks/events` and the README show it. */
export interface PublicEventInfo<E extends PublicEventName = PublicEventName> {
  name: E;
  description: string;
  /** Delivered only to webhooks that name the event itself; `*` and `prefix.*` patterns leave it out. */
  optIn: boolean;
  schema: TSchema;
  example: PublicPayload<E>;
}

const exampleMessage: MessageV1 = {
  messageId: '3EB0C767D71D3F8A2B41',
  chatId: '4915112345678@s.whatsapp.net',
  fromMe: false,
  from: '4915112345678@s.whatsapp.net',
  to: '4930901820@s.whatsapp.net',
  isGroup: false,
  type: 'TEXT',
  text: 'Hello! Is the shop open today?',
  timestamp: '2026-11-27T09:30:00.000Z',
  status: 'DELIVERED',
  quotedMessageId: null,
  pushName: 'Anna',
  source: 'live',
  media: null,
  content: { conversation: 'Hello! Is the shop open today?' },
};

const exampleChat = {
  jid: '4915112345678@s.whatsapp.net',
  name: 'Anna',
  isGroup: false,
  isArchived: false,
  isPinned: false,
  isMuted: false,
  mutedUntil: null,
  unreadCount: 1,
  lastMessage: { messageId: '3EB0C767D71D3F8A2B41', fromMe: false, type: 'TEXT', text: 'Hello!', timestamp: '2026-11-27T09:30:00.000Z' },
};

const exampleGroup = {
  jid: '120363025246125888@g.us',
  subject: 'Team',
  description: 'Shifts and news',
  owner: '4930901820@s.whatsapp.net',
  participants: [
    { jid: '4930901820@s.whatsapp.net', role: 'superadmin' as const },
    { jid: '4915112345678@s.whatsapp.net', role: 'member' as const },
  ],
  announcement: false,
  locked: false,
};

const EXAMPLES: { [E in PublicEventName]: PublicPayload<E> } = {
  'session.status': { status: 'CONNECTED', phoneNumber: '4930901820', reason: null, statusCode: null },
  'session.qr': { qr: '2@Xb1c…,bWFk…,9Qx…,ZmFr…', pairingCode: null },
  'messages.upsert': { message: exampleMessage },
  'messages.update': { message: { ...exampleMessage, status: 'READ' }, changes: ['status'] },
  'messages.delete': {
    scope: 'everyone',
    chatId: null,
    messages: [
      {
        messageId: '3EB0C767D71D3F8A2B41',
        chatId: '4915112345678@s.whatsapp.net',
        fromMe: false,
        revokedBy: '4915112345678@s.whatsapp.net',
      },
    ],
  },
  'message.receipt': {
    messageId: '3EB0A1B2C3D4E5F60718',
    chatId: '4915112345678@s.whatsapp.net',
    recipient: '4915112345678@s.whatsapp.net',
    status: 'READ',
    deliveredAt: '2026-11-27T09:30:01.000Z',
    readAt: '2026-11-27T09:31:12.000Z',
    playedAt: null,
  },
  'messages.history': { messages: [{ ...exampleMessage, source: 'history', status: 'READ' }] },
  'history.progress': { messages: 1250, chats: 40, contacts: 85, progress: 60, syncType: 'INITIAL_BOOTSTRAP', isLatest: true },
  'chats.upsert': { chats: [exampleChat] },
  'chats.update': { chats: [{ ...exampleChat, isArchived: true }], deleted: [] },
  'contacts.upsert': {
    contacts: [{ jid: '4915112345678@s.whatsapp.net', name: 'Anna Schmidt', pushName: 'Anna', profilePicUrl: null, isBlocked: false }],
  },
  'groups.upsert': { groups: [exampleGroup] },
  'groups.update': { groups: [{ ...exampleGroup, subject: 'Team (winter)' }] },
  'group.participants': {
    groupJid: '120363025246125888@g.us',
    action: 'add',
    participants: [{ jid: '4915198765432@s.whatsapp.net', role: 'member' }],
    author: '4930901820@s.whatsapp.net',
  },
  'presence.update': {
    chatJid: '4915112345678@s.whatsapp.net',
    presences: [{ jid: '4915112345678@s.whatsapp.net', presence: 'composing', lastSeen: null }],
  },
  call: {
    callId: 'C8E2F0A1B2',
    chatJid: '4915112345678@s.whatsapp.net',
    from: '4915112345678@s.whatsapp.net',
    groupJid: null,
    isGroup: false,
    isVideo: false,
    status: 'offer',
    offline: false,
    at: '2026-11-27T09:35:00.000Z',
  },
  'webhook.disabled': {
    webhookId: 'k3x9v2m8q1w7e5r4t6y0u2i8',
    url: 'https://n8n.example.com/webhook/abc/webhook',
    reason: 'the receiver answered 410 Gone',
  },
  'webhook.test': { webhookId: 'k3x9v2m8q1w7e5r4t6y0u2i8', message: 'Test delivery from the Baileys API gateway' },
};

const DESCRIPTIONS: Record<PublicEventName, string> = {
  'session.status': 'The session connected, disconnected, needs pairing or failed (reason and WhatsApp code when not connected)',
  'session.qr': 'A new QR code or pairing code waits to be scanned or typed on the phone',
  'messages.upsert': 'A message arrived or was sent (one event per message; history sync excluded)',
  'messages.update': 'A stored message changed: delivery status, edit, reaction, star, revoke',
  'messages.delete': 'Messages were deleted for everyone, for me, or a whole chat was cleared (the rows stay, flagged)',
  'message.receipt': 'A recipient received, read or played one of your messages (groups: per participant)',
  'messages.history': "Messages from the phone's history sync, in batches (opt-in: name it explicitly)",
  'history.progress': 'A part of the history sync was stored (counts are what that part carried)',
  'chats.upsert': 'New chats',
  'chats.update': 'Chats changed (archived, pinned, muted, unread, last message) or were deleted',
  'contacts.upsert': 'Contacts were added or changed',
  'groups.upsert': 'Groups the account joined or created',
  'groups.update': 'Group subject, description or settings changed',
  'group.participants': 'Participants were added, removed, promoted or demoted',
  'presence.update': 'Someone is typing, recording, online or offline (after subscribing to their presence)',
  call: 'An incoming call was offered, accepted, rejected or ended',
  'webhook.disabled': 'Another of your webhooks was disabled after repeated failures or a 410 answer',
  'webhook.test': 'A test delivery sent with POST /webhooks/:id/test',
};

/** Events a webhook receives only when it names them. */
const OPT_IN: ReadonlySet<PublicEventName> = new Set(['messages.history']);

export const PUBLIC_EVENT_NAMES = Object.keys(PAYLOADS_V1) as PublicEventName[];

export const PUBLIC_EVENTS: readonly PublicEventInfo[] = PUBLIC_EVENT_NAMES.map(
  (name) =>
    ({
      name,
      description: DESCRIPTIONS[name],
      optIn: OPT_IN.has(name),
      schema: PAYLOADS_V1[name],
      example: EXAMPLES[name],
    }) as PublicEventInfo,
);

export const isOptInEvent = (name: string): boolean => OPT_IN.has(name as PublicEventName);
export const isPublicEventName = (name: string): name is PublicEventName => Object.hasOwn(PAYLOADS_V1, name);
