import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { MESSAGE_STATUSES } from '../db/database';
import { JidOrPhone } from '../http/jid-param';
import { Timestamp } from '../http/schemas';
import { SessionId } from '../sessions/session-schemas';

/*
 * The body of POST /sessions/:sessionId/messages: one schema per message type, told apart by `type`
 * (a discriminated oneOf, so a body is checked against its own type's fields only).
 */

const MAX_TEXT = 65_536;
const MessageIdField = Type.String({
  minLength: 1,
  maxLength: 128,
  description: 'WhatsApp message id of a stored message',
  examples: ['3EB0C431C26A1916E07E'],
});

const To = { ...JidOrPhone, description: `Recipient: ${JidOrPhone.description}. Phone numbers are checked on WhatsApp first.` };
const QuotedMessageId = Type.Optional({ ...MessageIdField, description: 'Reply to this stored message (quoted above the new one)' });
const Mentions = Type.Optional(
  Type.Array(JidOrPhone, {
    maxItems: 256,
    description: 'People mentioned in the text (JIDs or phone numbers); write them as @<number> in the text too',
    examples: [['4915123456789']],
  }),
);
const Caption = Type.Optional(Type.String({ maxLength: 4096, description: 'Shown under the media', examples: ['Our new store'] }));
const Mimetype = Type.Optional(
  Type.String({
    minLength: 3,
    maxLength: 255,
    pattern: '^[\\w.+-]+/[\\w.+-]+',
    description: 'Taken from the URL response or the bytes when left out',
    examples: ['image/jpeg'],
  }),
);
const MediaSource = {
  url: Type.Optional(
    Type.String({
      format: 'uri',
      pattern: '^https?://',
      maxLength: 4096,
      description: 'Fetched by the gateway (size limit MEDIA_MAX_BYTES, timeout MEDIA_FETCH_TIMEOUT_MS)',
      examples: ['https://example.com/photo.jpg'],
    }),
  ),
  base64: Type.Optional(
    Type.String({
      minLength: 1,
      description: 'The file itself, base64 (a data: URL works too), at most MEDIA_BASE64_MAX_BYTES decoded; give either url or base64',
      examples: ['iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=='],
    }),
  ),
};

function variant<T extends string, P extends Record<string, TSchema>>(type: T, title: string, properties: P) {
  return Type.Object({ to: To, type: Type.Literal(type), ...properties }, { additionalProperties: false, title });
}

export const TextBody = variant('text', 'Text', {
  text: Type.String({ minLength: 1, maxLength: MAX_TEXT, examples: ['Hello from the API 👋'] }),
  quotedMessageId: QuotedMessageId,
  mentions: Mentions,
});
const CaptionedMedia = { ...MediaSource, mimetype: Mimetype, caption: Caption, quotedMessageId: QuotedMessageId, mentions: Mentions };
export const ImageBody = variant('image', 'Image', CaptionedMedia);
export const VideoBody = variant('video', 'Video', CaptionedMedia);
export const AudioBody = variant('audio', 'Audio or voice note', {
  ...MediaSource,
  mimetype: Mimetype,
  ptt: Type.Optional(Type.Boolean({ description: 'Send as a voice note (push-to-talk); OGG/Opus audio', examples: [true] })),
  quotedMessageId: QuotedMessageId,
});
export const DocumentBody = variant('document', 'Document', {
  ...MediaSource,
  fileName: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 255,
      description: 'Shown to the recipient; from the URL when left out',
      examples: ['invoice-2024-001.pdf'],
    }),
  ),
  mimetype: Mimetype,
  caption: Caption,
  quotedMessageId: QuotedMessageId,
  mentions: Mentions,
});
export const StickerBody = variant('sticker', 'Sticker (WebP)', { ...MediaSource, mimetype: Mimetype, quotedMessageId: QuotedMessageId });
export const LocationBody = variant('location', 'Location', {
  latitude: Type.Number({ minimum: -90, maximum: 90, examples: [52.520008] }),
  longitude: Type.Number({ minimum: -180, maximum: 180, examples: [13.404954] }),
  name: Type.Optional(Type.String({ maxLength: 255, examples: ['Alexanderplatz'] })),
  address: Type.Optional(Type.String({ maxLength: 1024, examples: ['10178 Berlin, Germany'] })),
  quotedMessageId: QuotedMessageId,
});
export const ContactBody = variant('contact', 'Contact cards', {
  contacts: Type.Array(
    Type.Object(
      {
        name: Type.String({ minLength: 1, maxLength: 255, examples: ['Jane Doe'] }),
        phone: Type.String({ pattern: '^\\+?[0-9][0-9 ()-]{5,20}$', description: 'International format', examples: ['+49 151 23456789'] }),
      },
      { additionalProperties: false },
    ),
    { minItems: 1, maxItems: 50, description: 'One vCard per entry' },
  ),
  quotedMessageId: QuotedMessageId,
});
export const PollBody = variant('poll', 'Poll', {
  name: Type.String({ minLength: 1, maxLength: 255, examples: ['Lunch?'] }),
  options: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), {
    minItems: 2,
    maxItems: 12,
    uniqueItems: true,
    examples: [['Pizza', 'Sushi', 'Salad']],
  }),
  selectableCount: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: 12,
      description: 'How many options one person may pick; 0 = any number; default 1',
      examples: [1],
    }),
  ),
  quotedMessageId: QuotedMessageId,
});
export const ReactionBody = variant('reaction', 'Reaction', {
  messageId: { ...MessageIdField, description: 'The stored message (in the chat `to`) to react to' },
  emoji: Type.String({ maxLength: 32, description: 'One emoji; an empty string removes the reaction', examples: ['👍'] }),
});
export const ButtonsBody = variant('buttons', 'Buttons (not delivered by WhatsApp any more: answered 422)', {
  text: Type.String({ minLength: 1, maxLength: 1024 }),
  footer: Type.Optional(Type.String({ maxLength: 60 })),
  buttons: Type.Array(
    Type.Object(
      { id: Type.String({ minLength: 1, maxLength: 256 }), text: Type.String({ minLength: 1, maxLength: 20 }) },
      { additionalProperties: false },
    ),
    { minItems: 1, maxItems: 3 },
  ),
});
export const ListBody = variant('list', 'List (not delivered by WhatsApp any more: answered 422)', {
  text: Type.String({ minLength: 1, maxLength: 1024 }),
  buttonText: Type.String({ minLength: 1, maxLength: 20 }),
  footer: Type.Optional(Type.String({ maxLength: 60 })),
  sections: Type.Array(
    Type.Object(
      {
        title: Type.Optional(Type.String({ maxLength: 24 })),
        rows: Type.Array(
          Type.Object(
            {
              id: Type.String({ minLength: 1, maxLength: 200 }),
              title: Type.String({ minLength: 1, maxLength: 24 }),
              description: Type.Optional(Type.String({ maxLength: 72 })),
            },
            { additionalProperties: false },
          ),
          { minItems: 1, maxItems: 10 },
        ),
      },
      { additionalProperties: false },
    ),
    { minItems: 1, maxItems: 10 },
  ),
});

const variants = [
  TextBody,
  ImageBody,
  VideoBody,
  AudioBody,
  DocumentBody,
  StickerBody,
  LocationBody,
  ContactBody,
  PollBody,
  ReactionBody,
  ButtonsBody,
  ListBody,
] as const;
const union = Type.Union([...variants]);

export type SendMessageBody = Static<typeof union>;
export type MediaBody = Static<typeof ImageBody | typeof VideoBody | typeof AudioBody | typeof DocumentBody | typeof StickerBody>;

export const SEND_DESCRIPTION = [
  'Sends one message. `type` selects the kind and the fields it takes:',
  '`text`, `image`, `video`, `audio` (`ptt: true` for a voice note), `document`, `sticker`, `location`, `contact`, `poll`, `reaction`.',
  'Media comes from `url` (fetched by the gateway, at most MEDIA_MAX_BYTES, within MEDIA_FETCH_TIMEOUT_MS) or `base64` (at most',
  'MEDIA_BASE64_MAX_BYTES; a larger body is answered 413).',
  'Fetching a `url` takes a turn at media work: 429/503 with Retry-After when too many fetches and downloads run (MEDIA_CONCURRENCY_PER_USER, MEDIA_CONCURRENCY).',
  'Phone numbers are checked on WhatsApp first (422 when they have none). Link previews are not generated.',
  '`buttons` and `list` are accepted for compatibility but answered 422: WhatsApp no longer delivers interactive',
  'buttons and lists to normal accounts and Baileys 7 cannot send them.',
  'The Message row is stored at once as PENDING; acks and receipts move it to SENT, DELIVERED and READ (FAILED when WhatsApp refuses it).',
  'With an `Idempotency-Key` header a retry answers the first result and sends nothing twice; the same key with another body is a 422.',
].join(' ');

/** oneOf with a discriminator: each body is validated against its own type only (see sendBodyValidator). */
export const SendMessageBody = Type.Unsafe<SendMessageBody>({
  type: 'object',
  oneOf: union.anyOf,
  discriminator: { propertyName: 'type' },
  description: 'One message; `type` decides which fields apply',
});

export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 255,
      pattern: '^[\\x21-\\x7E]+$',
      description: 'Makes the send safe to retry: the same key answers the first result',
      examples: ['order-4711-confirmation'],
    }),
  ),
});

export const SendResult = Type.Object({
  messageId: Type.String({ description: 'WhatsApp message id' }),
  status: Type.Union(MESSAGE_STATUSES.map((s) => Type.Literal(s))),
  timestamp: Timestamp,
});

export const MessageParams = Type.Object({ sessionId: SessionId, messageId: MessageIdField }, { additionalProperties: false });

export const EditBody = Type.Object(
  {
    text: Type.String({ minLength: 1, maxLength: MAX_TEXT, description: 'The new text', examples: ['Corrected: the meeting is at 3 pm'] }),
  },
  { additionalProperties: false },
);

export const ForwardBody = Type.Object({ to: To }, { additionalProperties: false });

export const ReadBody = Type.Object(
  {
    messageIds: Type.Optional(
      Type.Array(MessageIdField, {
        minItems: 1,
        maxItems: 500,
        uniqueItems: true,
        description: 'Only these received messages; by default every unread one of the chat',
        examples: [['3EB0C431C26A1916E07E']],
      }),
    ),
  },
  { additionalProperties: false },
);

export const ReadResult = Type.Object({
  chatId: Type.String(),
  messageIds: Type.Array(Type.String(), { description: 'The messages marked read' }),
});

export const PRESENCE_STATES = ['available', 'unavailable', 'composing', 'recording', 'paused'] as const;

export const PresenceBody = Type.Object(
  {
    state: Type.Union(
      PRESENCE_STATES.map((state) => Type.Literal(state)),
      {
        description: 'available/unavailable: online for everyone subscribed; composing/recording/paused: typing state in the chat `to`',
        examples: ['composing'],
      },
    ),
    to: Type.Optional({ ...JidOrPhone, description: 'The chat (required for composing, recording and paused)' }),
  },
  { additionalProperties: false },
);

export const PresenceResult = Type.Object({ state: Type.String(), to: Type.Union([Type.String(), Type.Null()]) });
