import { Type, type Static } from '@sinclair/typebox';
import { WEBHOOK_STATUSES } from '../db/database';
import { Timestamp } from '../http/schemas';
import { SessionIdPattern } from '../sessions/session-schemas';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);
const closed = { additionalProperties: false } as const;

const Url = Type.String({
  minLength: 8,
  maxLength: 2048,
  description: 'http(s) URL that receives signed POSTs',
  examples: ['https://n8n.example.com/webhook/abc/webhook'],
});
const EventSetting = Type.String({
  minLength: 1,
  maxLength: 255,
  description: 'An event name, a prefix pattern (messages.*), *, or a comma-separated list; see GET /webhooks/events',
  examples: ['messages.upsert,session.status'],
});
const MaxRetries = Type.Integer({ minimum: 0, maximum: 20, description: 'Retries after the first failed attempt (default 3)' });
const WorkflowId = Type.String({ minLength: 1, maxLength: 255, description: 'Only events of sessions on this n8n workflow (plan)' });
const SessionIds = Type.Array(Type.String({ pattern: SessionIdPattern }), {
  minItems: 1,
  maxItems: 500,
  uniqueItems: true,
  description: 'Only events of these sessions',
});
const Metadata = Type.Object({}, { additionalProperties: true, description: 'Anything you want to keep with the webhook' });

export const CreateWebhookBody = Type.Object(
  {
    url: Url,
    event: EventSetting,
    secret: Type.Optional(Type.String({ maxLength: 255, description: 'whsec_ + base64 of 24–64 bytes; generated when left out' })),
    maxRetries: Type.Optional(MaxRetries),
    workflowId: Type.Optional(Nullable(WorkflowId)),
    sessionIds: Type.Optional(Nullable(SessionIds)),
    metadata: Type.Optional(Nullable(Metadata)),
  },
  closed,
);
export type CreateWebhookBody = Static<typeof CreateWebhookBody>;

export const UpdateWebhookBody = Type.Object(
  {
    url: Type.Optional(Url),
    event: Type.Optional(EventSetting),
    isActive: Type.Optional(Type.Boolean({ description: 'true re-enables a disabled webhook; its pending deliveries go out' })),
    maxRetries: Type.Optional(MaxRetries),
    workflowId: Type.Optional(Nullable(WorkflowId)),
    sessionIds: Type.Optional(Nullable(SessionIds)),
    metadata: Type.Optional(Nullable(Metadata)),
  },
  { ...closed, minProperties: 1 },
);
export type UpdateWebhookBody = Static<typeof UpdateWebhookBody>;

export const WebhookResponse = Type.Object(
  {
    id: Type.String(),
    url: Type.String(),
    event: Type.String(),
    isActive: Type.Boolean(),
    maxRetries: Type.Integer(),
    retries: Type.Integer({ description: 'Consecutive failed attempts' }),
    lastError: Nullable(Type.String()),
    workflowId: Nullable(Type.String()),
    sessionIds: Nullable(Type.Array(Type.String())),
    metadata: Nullable(Type.Object({}, { additionalProperties: true })),
    userId: Type.String(),
    secret: Type.Optional(Type.String({ description: 'The signing secret: only in the answers to create and rotate-secret' })),
    secretRotatedUntil: Nullable(Timestamp),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'Webhook' },
);
export const WebhookRef = Type.Ref(WebhookResponse);

export const WebhookParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 36 }) }, closed);

export const DeliveryQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
    cursor: Type.Optional(Type.String({ maxLength: 512 })),
    status: Type.Optional(Type.Union(WEBHOOK_STATUSES.map((s) => Type.Literal(s)))),
    from: Type.Optional(Type.String({ format: 'date-time' })),
    to: Type.Optional(Type.String({ format: 'date-time' })),
  },
  closed,
);

export const DeliveryResponse = Type.Object({
  id: Type.String(),
  webhookId: Type.String(),
  event: Type.String(),
  status: Type.Union(WEBHOOK_STATUSES.map((s) => Type.Literal(s))),
  attempts: Type.Integer(),
  nextRetry: Nullable(Timestamp),
  response: Nullable(Type.String({ description: 'The last answer (status and body, truncated) or error' })),
  eventId: Type.String({ description: 'The event id (webhook-id header)' }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

const AttemptResponse = Type.Object({
  attempt: Type.Integer(),
  startedAt: Timestamp,
  durationMs: Type.Integer(),
  statusCode: Nullable(Type.Integer()),
  error: Nullable(Type.String()),
  response: Nullable(Type.String()),
  requestHeaders: Type.Record(Type.String(), Type.String()),
});

export const DeliveryDetailResponse = Type.Intersect([
  DeliveryResponse,
  Type.Object({
    payload: Type.Object({}, { additionalProperties: true, description: 'The request body that is sent' }),
    attemptLog: Type.Array(AttemptResponse),
  }),
]);

export const TestResultResponse = Type.Object({
  success: Type.Boolean(),
  statusCode: Nullable(Type.Integer()),
  durationMs: Type.Integer(),
  error: Nullable(Type.String()),
  response: Nullable(Type.String()),
  deliveryId: Type.String(),
});

export const EventCatalogueResponse = Type.Object({
  version: Type.Literal(1),
  envelope: Type.Object({}, { additionalProperties: true, description: 'JSON schema of every delivery body' }),
  events: Type.Array(
    Type.Object({
      name: Type.String(),
      description: Type.String(),
      optIn: Type.Boolean(),
      schema: Type.Object({}, { additionalProperties: true }),
      example: Type.Object({}, { additionalProperties: true }),
    }),
  ),
});
