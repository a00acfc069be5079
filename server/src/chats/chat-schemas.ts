import { Type } from '@sinclair/typebox';
import { Timestamp } from '../http/schemas';

const Json = Type.Object({}, { additionalProperties: true });

export const ChatResponse = Type.Object(
  {
    id: Type.String(),
    jid: Type.String(),
    name: Type.Union([Type.String(), Type.Null()]),
    isGroup: Type.Boolean(),
    isArchived: Type.Boolean(),
    isPinned: Type.Boolean(),
    isMuted: Type.Boolean(),
    unreadCount: Type.Integer(),
    lastMessage: Type.Union([Json, Type.Null()]),
    metadata: Type.Union([Json, Type.Null()]),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'Chat' },
);
export const ChatRef = Type.Ref(ChatResponse);
