import { Type } from '@sinclair/typebox';
import { SESSION_STATUSES } from '../db/database';
import { Timestamp } from '../http/schemas';

export const SessionIdPattern = '^[A-Za-z0-9_-]{1,100}$';
export const SessionId = Type.String({
  pattern: SessionIdPattern,
  description: 'Your name for the session: letters, digits, - and _',
  examples: ['sales-team'],
});
export const PhoneNumber = Type.String({
  pattern: '^\\+?[0-9][0-9 ()-]{5,20}$',
  description: 'International format, country code first; spaces, dashes and parentheses are ignored',
  examples: ['+49 151 23456789'],
});
const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()]);

export const SessionParams = Type.Object({ sessionId: SessionId }, { additionalProperties: false });

export const SessionResponse = Type.Object(
  {
    sessionId: Type.String(),
    name: Type.Union([Type.String(), Type.Null()]),
    status: Type.Union(SESSION_STATUSES.map((s) => Type.Literal(s))),
    qrCode: Type.Union([Type.String(), Type.Null()], { description: 'Set while status is QR_REQUIRED' }),
    pairingCode: Type.Union([Type.String(), Type.Null()], { description: 'Set while status is PAIRING_REQUIRED' }),
    phoneNumber: Type.Union([Type.String(), Type.Null()]),
    lastSeen: Type.Union([Timestamp, Type.Null()]),
    isActive: Type.Boolean(),
    workflowId: Type.Union([Type.String(), Type.Null()]),
    metadata: Type.Union([Type.Object({}, { additionalProperties: true }), Type.Null()]),
    userId: Type.String(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    conflictingMessages: Type.Optional(
      Type.Integer({
        description:
          'GET of one session only: messages kept aside because another chat or sender already used their id, and edits and revokes refused because their sender did not write the message (nor, for a revoke, is a group admin)',
      }),
    ),
  },
  { $id: 'Session' },
);
export const SessionRef = Type.Ref(SessionResponse);

export const CreateSessionBody = Type.Object(
  {
    sessionId: SessionId,
    name: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 255 }))),
    workflowId: Type.Optional(
      Nullable(Type.String({ minLength: 1, maxLength: 255, description: "The n8n workflow whose webhooks get this session's events" })),
    ),
    phoneNumber: Type.Optional(PhoneNumber),
  },
  { additionalProperties: false },
);

export const UpdateSessionBody = Type.Object(
  {
    name: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 255 }))),
    workflowId: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 255 }))),
    isActive: Type.Optional(Type.Boolean({ description: 'false disconnects the session and keeps it off across restarts' })),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const PairingCodeBody = Type.Object({ phoneNumber: PhoneNumber }, { additionalProperties: false });

export const QrResponse = Type.Object({ qr: Type.String(), expiresAt: Timestamp });
