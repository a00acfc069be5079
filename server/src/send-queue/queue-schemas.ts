import { Type, type Static } from '@sinclair/typebox';
import { SEND_STATUSES } from '../db/database';
import { JidOrPhone } from '../http/jid-param';
import { Timestamp } from '../http/schemas';
import {
  AudioBody,
  ContactBody,
  DocumentBody,
  ImageBody,
  LocationBody,
  PollBody,
  StickerBody,
  TextBody,
  VideoBody,
} from '../messages/send-schemas';
import { SessionId } from '../sessions/session-schemas';
import type { BulkTemplate } from './queued-request';

const Id = Type.String({ minLength: 1, maxLength: 36, pattern: '^[a-z0-9]+$', description: 'Id of the queued send or bulk job' });
const SendStatus = Type.Union(
  SEND_STATUSES.map((s) => Type.Literal(s)),
  { description: 'QUEUED (waiting: its pace, the daily cap or the connection), SENDING, SENT, FAILED (see error), CANCELLED' },
);
const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()]);

export const SendWaitQuery = Type.Object(
  {
    wait: Type.Boolean({
      default: true,
      description: 'false: answer 202 with the queued send at once instead of waiting until WhatsApp has it (paced sends never wait)',
    }),
  },
  { additionalProperties: false },
);

export const QueuedSendResult = Type.Object({
  id: Type.String({ description: 'The queued send: GET …/messages/queued/:id' }),
  messageId: Type.String({ description: 'The WhatsApp id it is (or will be) sent under' }),
  status: SendStatus,
  to: Type.String(),
  paced: Type.Boolean({ description: 'Sent at the session’s pace (see …/pacing)' }),
  attempts: Type.Integer(),
  error: Nullable(Type.String({ description: 'Why it FAILED' })),
  createdAt: Timestamp,
  sentAt: Type.Union([Timestamp, Type.Null()]),
});

export const QueuedParams = Type.Object({ sessionId: SessionId, id: Id }, { additionalProperties: false });

/** Bulk content: the send body of one type without `to`. */
const templated = [TextBody, ImageBody, VideoBody, AudioBody, DocumentBody, StickerBody, LocationBody, ContactBody, PollBody].map(
  (variant) => Type.Omit(variant, ['to'], { additionalProperties: false, title: variant.title }),
);

export const BULK_MAX_RECIPIENTS = 1000;

export const BulkBody = Type.Object(
  {
    message: Type.Unsafe<BulkTemplate>({
      type: 'object',
      oneOf: templated,
      discriminator: { propertyName: 'type' },
      description: 'One message for everyone, as for POST …/messages without `to`; `{{name}}` in its texts takes each recipient’s variable',
    }),
    recipients: Type.Array(
      Type.Object(
        {
          to: JidOrPhone,
          variables: Type.Optional(
            Type.Record(Type.String({ pattern: '^[A-Za-z0-9_]{1,64}$' }), Type.String({ maxLength: 4096 }), {
              maxProperties: 50,
              description: 'Values for the {{placeholders}} of the message',
              examples: [{ name: 'Anna', order: '4711' }],
            }),
          ),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: BULK_MAX_RECIPIENTS },
    ),
  },
  { additionalProperties: false },
);
export type BulkBody = Static<typeof BulkBody>;

const Counts = Type.Object({
  queued: Type.Integer(),
  sending: Type.Integer(),
  sent: Type.Integer(),
  failed: Type.Integer(),
  cancelled: Type.Integer(),
});

export const BulkJobResult = Type.Object({
  id: Type.String(),
  status: Type.Union([Type.Literal('RUNNING'), Type.Literal('COMPLETED'), Type.Literal('CANCELLED')], {
    description: 'RUNNING while recipients wait or are being sent to; COMPLETED when every one is SENT or FAILED; CANCELLED',
  }),
  total: Type.Integer(),
  progress: Counts,
  createdAt: Timestamp,
  cancelledAt: Type.Union([Timestamp, Type.Null()]),
  recipients: Type.Optional(
    Type.Array(
      Type.Object({
        index: Type.Integer(),
        to: Type.String(),
        messageId: Type.String(),
        status: SendStatus,
        error: Nullable(Type.String()),
        sentAt: Type.Union([Timestamp, Type.Null()]),
      }),
      { description: 'Every recipient in the order given (GET only)' },
    ),
  ),
});

export const PacingBody = Type.Object(
  {
    paceSingleSends: Type.Optional(
      Type.Boolean({ description: 'Pace POST …/messages too (answered 202); bulk sends are always paced', examples: [false] }),
    ),
    messagesPerMinute: Type.Optional(Type.Integer({ minimum: 1, maximum: 6000, examples: [20] })),
    jitterMs: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 600_000, description: 'Up to this much random extra wait between two', examples: [3000] }),
    ),
    typingMs: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 60_000, description: '"typing…" this long before a paced text; 0: none', examples: [1500] }),
    ),
    dailyCap: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 1_000_000, description: 'Paced messages per UTC day; 0: no cap', examples: [500] }),
    ),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const PacingResult = Type.Object({
  paceSingleSends: Type.Boolean(),
  messagesPerMinute: Type.Integer(),
  jitterMs: Type.Integer(),
  typingMs: Type.Integer(),
  dailyCap: Type.Integer(),
  sentToday: Type.Integer({ description: 'Paced messages sent since 00:00 UTC' }),
});
