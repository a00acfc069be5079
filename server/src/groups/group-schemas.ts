import { Type } from '@sinclair/typebox';
import { Timestamp } from '../http/schemas';

const Json = Type.Object({}, { additionalProperties: true });

export const GroupResponse = Type.Object(
  {
    id: Type.String(),
    jid: Type.String(),
    subject: Type.Union([Type.String(), Type.Null()]),
    description: Type.Union([Type.String(), Type.Null()]),
    owner: Type.Union([Type.String(), Type.Null()]),
    participants: Type.Union([Type.Array(Json), Type.Null()], { description: '[{ jid, phoneJid?, lid?, role: member|admin|superadmin }]' }),
    settings: Type.Union([Json, Type.Null()], { description: '{ announce, restrict, memberAddMode, joinApprovalMode, ephemeralDuration }' }),
    metadata: Type.Union([Json, Type.Null()]),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'Group' },
);
export const GroupRef = Type.Ref(GroupResponse);
