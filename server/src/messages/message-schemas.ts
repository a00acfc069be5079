import { Type } from '@sinclair/typebox';
import { MESSAGE_STATUSES, MESSAGE_TYPES } from '../db/database';
import { Timestamp } from '../http/schemas';

const Json = Type.Object({}, { additionalProperties: true });
const NullableString = Type.Union([Type.String(), Type.Null()]);

export const MessageType = Type.Union(MESSAGE_TYPES.map((t) => Type.Literal(t)));

export const MessageResponse = Type.Object(
  {
    id: Type.String(),
    messageId: Type.String({ description: 'WhatsApp message id' }),
    chatId: Type.String({ description: 'Phone-number JID whenever the LID mapping is known' }),
    fromMe: Type.Boolean(),
    fromJid: NullableString,
    toJid: Type.String(),
    messageType: MessageType,
    content: Type.Object({}, { additionalProperties: true, description: 'The WhatsApp message content (protobuf JSON; media keys kept)' }),
    status: Type.Union(MESSAGE_STATUSES.map((s) => Type.Literal(s))),
    timestamp: Timestamp,
    quotedMessage: NullableString,
    metadata: Type.Union([Json, Type.Null()]),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'Message' },
);
export const MessageRef = Type.Ref(MessageResponse);
