import { Type } from '@sinclair/typebox';
import { JidOrPhone } from '../http/jid-param';
import { Timestamp } from '../http/schemas';
import { SessionId } from '../sessions/session-schemas';

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

export const ChatParams = Type.Object({ sessionId: SessionId, jid: JidOrPhone }, { additionalProperties: false });

/** Actions without options take no body, or an empty object. */
export const NoOptionsBody = Type.Object({}, { additionalProperties: false, description: 'No options: send no body or {}' });

/** Longest mute with an end: a year. Longer is "until unmuted" (no duration). */
export const MAX_MUTE_SECONDS = 365 * 24 * 3600;

export const MuteBody = Type.Object(
  {
    duration: Type.Optional(
      Type.Union([Type.Integer({ minimum: 1, maximum: MAX_MUTE_SECONDS }), Type.Null()], {
        description: `Seconds to mute for (1 to ${MAX_MUTE_SECONDS}); omit it, or null, to mute until unmuted`,
        examples: [28800],
      }),
    ),
  },
  { additionalProperties: false, description: 'Send no body or {} to mute until unmuted', examples: [{ duration: 28800 }, {}] },
);
