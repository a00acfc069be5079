import { Type, type Static } from '@sinclair/typebox';
import { JidOrPhone } from '../http/jid-param';
import { PageQuery, Timestamp } from '../http/schemas';
import { SessionId } from '../sessions/session-schemas';

const Json = Type.Object({}, { additionalProperties: true });

export const GroupResponse = Type.Object(
  {
    id: Type.String(),
    jid: Type.String(),
    subject: Type.Union([Type.String(), Type.Null()]),
    description: Type.Union([Type.String(), Type.Null()]),
    owner: Type.Union([Type.String(), Type.Null()]),
    participants: Type.Union([Type.Array(Json), Type.Null()], { description: '[{ jid, phoneJid?, lid?, role: member|admin|superadmin }]' }),
    settings: Type.Union([Json, Type.Null()], {
      description: '{ announce (only admins send), restrict (only admins edit info), memberAddMode, joinApprovalMode, ephemeralDuration }',
    }),
    metadata: Type.Union([Json, Type.Null()]),
    isMember: Type.Union([Type.Boolean(), Type.Null()], {
      description: 'Whether this session is among the participants (false after leaving or being removed); null when that is not known yet',
    }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'Group' },
);
export const GroupRef = Type.Ref(GroupResponse);

export const GroupJid = Type.String({
  pattern: '^[0-9]{5,40}(-[0-9]{5,20})?(@g\\.us)?$',
  description: 'A group JID (…@g.us); the part before @ alone is accepted too',
  examples: ['120363025246125888@g.us'],
});

export const GroupParams = Type.Object({ sessionId: SessionId, groupJid: GroupJid }, { additionalProperties: false });

export const GroupListQuery = Type.Composite(
  [
    PageQuery,
    Type.Object({
      refresh: Type.Boolean({
        default: false,
        description: 'First list the groups from WhatsApp and update the stored ones (groups no longer listed get isMember false)',
      }),
    }),
  ],
  { additionalProperties: false },
);

export const GroupQuery = Type.Object(
  { cached: Type.Boolean({ default: false, description: 'Answer from storage without asking WhatsApp (also while disconnected)' }) },
  { additionalProperties: false },
);

const Subject = Type.String({ minLength: 1, maxLength: 100, description: 'At most 100 characters', examples: ['Weekend plans'] });
const Participants = Type.Array(JidOrPhone, {
  minItems: 1,
  maxItems: 1023,
  description: 'Phone numbers in international format or user JIDs',
  examples: [['+49 151 23456789', '4915198765432@s.whatsapp.net']],
});

export const CreateGroupBody = Type.Object({ subject: Subject, participants: Participants }, { additionalProperties: false });
export type CreateGroupBody = Static<typeof CreateGroupBody>;

export const UpdateGroupBody = Type.Object(
  {
    subject: Type.Optional(Subject),
    description: Type.Optional(
      Type.Union([Type.String({ maxLength: 2048 }), Type.Null()], {
        description: 'At most 2048 characters; null or "" removes it',
        examples: ['Who brings what on Saturday'],
      }),
    ),
    announcement: Type.Optional(Type.Boolean({ description: 'Only admins can send messages', examples: [true] })),
    locked: Type.Optional(Type.Boolean({ description: 'Only admins can edit the subject, description and picture', examples: [false] })),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateGroupBody = Static<typeof UpdateGroupBody>;

export const PARTICIPANT_ACTIONS = ['add', 'remove', 'promote', 'demote'] as const;

export const ParticipantsBody = Type.Object(
  {
    action: Type.Union(
      PARTICIPANT_ACTIONS.map((action) => Type.Literal(action)),
      {
        description: 'add or remove people; promote to admin or demote to member',
        examples: ['add'],
      },
    ),
    participants: Participants,
  },
  { additionalProperties: false },
);
export type ParticipantsBody = Static<typeof ParticipantsBody>;

export const ParticipantResult = Type.Object({
  jid: Type.String({ description: 'The participant as asked, as a JID' }),
  status: Type.Integer({
    description: 'WhatsApp’s answer for this participant: 200 done, otherwise its error code (403, 404, 408, 409, …)',
  }),
  error: Type.Optional(Type.String({ description: 'What the code means' })),
});

export const ParticipantsResponse = Type.Object({
  results: Type.Array(ParticipantResult, { description: 'One entry per participant, in the order asked' }),
  group: Type.Union([GroupRef, Type.Null()], { description: 'The group after the change (null when it is not stored)' }),
});

export const InviteCodeResponse = Type.Object({
  code: Type.String({ examples: ['F3kx9PqLmN2aB7cD8eF9gH'] }),
  url: Type.String({ examples: ['https://chat.whatsapp.com/F3kx9PqLmN2aB7cD8eF9gH'] }),
});

export const JoinGroupBody = Type.Object(
  {
    code: Type.String({
      minLength: 6,
      maxLength: 200,
      description: 'The invite code, or the whole invite link',
      examples: ['https://chat.whatsapp.com/F3kx9PqLmN2aB7cD8eF9gH'],
    }),
  },
  { additionalProperties: false },
);

export const MembershipResponse = Type.Object({ groupJid: Type.String(), group: Type.Union([GroupRef, Type.Null()]) });
