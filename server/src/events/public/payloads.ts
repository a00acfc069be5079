import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { MESSAGE_STATUSES, MESSAGE_TYPES, SESSION_STATUSES } from '../../db/database';

/*
 * Version 1 of what webhook consumers receive. Written for them, field by field, and never derived from
 * table types: a migration cannot change a webhook body without a change here. Additions are optional
 * fields; anything else is a new version.
 */

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Instant = Type.String({ format: 'date-time' });
const Jid = Type.String({ description: 'WhatsApp JID; a phone-number JID (…@s.whatsapp.net) whenever the LID mapping is known' });
const closed = { additionalProperties: false } as const;

export const MessageV1 = Type.Object(
  {
    messageId: Type.String({ description: 'WhatsApp message id' }),
    chatId: Jid,
    fromMe: Type.Boolean(),
    from: Nullable(Type.String({ description: 'Sender JID (the participant in groups)' })),
    to: Type.String(),
    isGroup: Type.Boolean(),
    type: Type.Union(MESSAGE_TYPES.map((value) => Type.Literal(value))),
    text: Nullable(Type.String({ description: 'Body, caption, title or name: the text a person reads' })),
    timestamp: Instant,
    status: Type.Union(MESSAGE_STATUSES.map((value) => Type.Literal(value))),
    quotedMessageId: Nullable(Type.String()),
    pushName: Nullable(Type.String({ description: "The sender's WhatsApp display name" })),
    source: Type.Union([Type.Literal('live'), Type.Literal('history')]),
    media: Nullable(
      Type.Object(
        {
          mimetype: Nullable(Type.String()),
          fileName: Nullable(Type.String()),
          size: Nullable(Type.Integer()),
          seconds: Nullable(Type.Integer()),
          downloadPath: Type.String({ description: 'GET it (with your API key) for the decrypted bytes' }),
        },
        closed,
      ),
    ),
    content: Type.Record(Type.String(), Type.Unknown(), { description: 'The WhatsApp message content (protobuf JSON form)' }),
  },
  closed,
);
export type MessageV1 = Static<typeof MessageV1>;

export const ChatV1 = Type.Object(
  {
    jid: Jid,
    name: Nullable(Type.String()),
    isGroup: Type.Boolean(),
    isArchived: Type.Boolean(),
    isPinned: Type.Boolean(),
    isMuted: Type.Boolean(),
    mutedUntil: Nullable(Type.String({ description: "ISO 8601 or 'forever'" })),
    unreadCount: Type.Integer(),
    lastMessage: Nullable(
      Type.Object(
        {
          messageId: Type.String(),
          fromMe: Type.Boolean(),
          type: Type.String(),
          text: Nullable(Type.String()),
          timestamp: Instant,
        },
        closed,
      ),
    ),
  },
  closed,
);
export type ChatV1 = Static<typeof ChatV1>;

export const ContactV1 = Type.Object(
  {
    jid: Jid,
    name: Nullable(Type.String()),
    pushName: Nullable(Type.String()),
    profilePicUrl: Nullable(Type.String()),
    isBlocked: Type.Boolean(),
  },
  closed,
);
export type ContactV1 = Static<typeof ContactV1>;

const Participant = Type.Object(
  {
    jid: Jid,
    role: Type.Union([Type.Literal('member'), Type.Literal('admin'), Type.Literal('superadmin')]),
  },
  closed,
);

export const GroupV1 = Type.Object(
  {
    jid: Type.String(),
    subject: Nullable(Type.String()),
    description: Nullable(Type.String()),
    owner: Nullable(Type.String()),
    participants: Type.Array(Participant),
    announcement: Type.Boolean({ description: 'Only admins send messages' }),
    locked: Type.Boolean({ description: 'Only admins edit the group info' }),
  },
  closed,
);
export type GroupV1 = Static<typeof GroupV1>;

const MessageRefV1 = Type.Object(
  { messageId: Type.String(), chatId: Jid, fromMe: Type.Boolean(), revokedBy: Type.Optional(Type.String()) },
  closed,
);

/** Event name → the schema of its `data`. */
export const PAYLOADS_V1 = {
  'session.status': Type.Object(
    {
      status: Type.Union(SESSION_STATUSES.map((value) => Type.Literal(value))),
      phoneNumber: Nullable(Type.String()),
      reason: Nullable(Type.String({ description: 'Why the session is not connected' })),
      statusCode: Nullable(Type.Integer({ description: "WhatsApp's disconnect code" })),
    },
    closed,
  ),
  'session.qr': Type.Object(
    {
      qr: Nullable(Type.String({ description: 'Render it as a QR code and scan it with the phone' })),
      pairingCode: Nullable(Type.String({ description: 'Type it on the phone under Linked devices' })),
    },
    closed,
  ),
  'messages.upsert': Type.Object({ message: MessageV1 }, closed),
  'messages.update': Type.Object(
    {
      message: MessageV1,
      changes: Type.Array(
        Type.Union(['status', 'receipts', 'edited', 'content', 'revoked', 'reactions', 'starred', 'deleted'].map((c) => Type.Literal(c))),
      ),
    },
    closed,
  ),
  'messages.delete': Type.Object(
    {
      scope: Type.Union([Type.Literal('everyone'), Type.Literal('me'), Type.Literal('chat')]),
      chatId: Nullable(Type.String({ description: "Set when scope is 'chat': the whole chat was cleared" })),
      messages: Type.Array(MessageRefV1),
    },
    closed,
  ),
  'message.receipt': Type.Object(
    {
      messageId: Type.String(),
      chatId: Jid,
      recipient: Jid,
      status: Type.Union([Type.Literal('DELIVERED'), Type.Literal('READ')]),
      deliveredAt: Nullable(Instant),
      readAt: Nullable(Instant),
      playedAt: Nullable(Instant),
    },
    closed,
  ),
  'messages.history': Type.Object({ messages: Type.Array(MessageV1) }, closed),
  'history.progress': Type.Object(
    {
      messages: Type.Integer({ description: 'Messages this part of the sync carried' }),
      chats: Type.Integer(),
      contacts: Type.Integer(),
      progress: Nullable(Type.Integer({ description: 'Percent of the sync the phone reports done' })),
      syncType: Nullable(Type.String()),
      isLatest: Nullable(Type.Boolean()),
    },
    closed,
  ),
  'chats.upsert': Type.Object({ chats: Type.Array(ChatV1) }, closed),
  'chats.update': Type.Object({ chats: Type.Array(ChatV1), deleted: Type.Array(Jid) }, closed),
  'contacts.upsert': Type.Object({ contacts: Type.Array(ContactV1) }, closed),
  'groups.upsert': Type.Object({ groups: Type.Array(GroupV1) }, closed),
  'groups.update': Type.Object({ groups: Type.Array(GroupV1) }, closed),
  'group.participants': Type.Object(
    {
      groupJid: Type.String(),
      action: Type.Union(['add', 'remove', 'promote', 'demote', 'modify'].map((a) => Type.Literal(a))),
      participants: Type.Array(Participant),
      author: Nullable(Type.String()),
    },
    closed,
  ),
  'presence.update': Type.Object(
    {
      chatJid: Type.String(),
      presences: Type.Array(Type.Object({ jid: Jid, presence: Type.String(), lastSeen: Nullable(Instant) }, closed)),
    },
    closed,
  ),
  call: Type.Object(
    {
      callId: Type.String(),
      chatJid: Type.String(),
      from: Jid,
      groupJid: Nullable(Type.String()),
      isGroup: Type.Boolean(),
      isVideo: Type.Boolean(),
      status: Type.String({ description: 'offer, ringing, timeout, reject, accept, terminate' }),
      offline: Type.Boolean(),
      at: Instant,
    },
    closed,
  ),
  'webhook.disabled': Type.Object(
    {
      webhookId: Type.String(),
      url: Type.String(),
      reason: Type.String(),
    },
    closed,
  ),
  'webhook.test': Type.Object({ webhookId: Type.String(), message: Type.String() }, closed),
} as const;

export type PublicEventName = keyof typeof PAYLOADS_V1;
export type PublicPayload<E extends PublicEventName> = Static<(typeof PAYLOADS_V1)[E]>;

/** What every delivery body looks like; `data` is the event's payload. */
export const EnvelopeV1 = Type.Object(
  {
    id: Type.String({ description: 'Stable event id; also the webhook-id header. Deduplicate on it.' }),
    event: Type.String(),
    sessionId: Nullable(Type.String({ description: 'The session (your sessionId); null for account events' })),
    workflowId: Nullable(Type.String({ description: "The session's n8n workflow (plan)" })),
    timestamp: Instant,
    sequence: Nullable(Type.Integer({ description: 'Increases with every event of the session; null for account events' })),
    data: Type.Record(Type.String(), Type.Unknown()),
  },
  closed,
);
export type EnvelopeV1 = Static<typeof EnvelopeV1>;
