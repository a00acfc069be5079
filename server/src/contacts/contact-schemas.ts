import { Type } from '@sinclair/typebox';
import { Timestamp } from '../http/schemas';

export const ContactResponse = Type.Object(
  {
    id: Type.String(),
    jid: Type.String(),
    name: Type.Union([Type.String(), Type.Null()], { description: 'The name saved on the phone' }),
    pushName: Type.Union([Type.String(), Type.Null()], { description: 'The name the contact gave themselves' }),
    profilePicUrl: Type.Union([Type.String(), Type.Null()]),
    isBlocked: Type.Boolean(),
    metadata: Type.Union([Type.Object({}, { additionalProperties: true }), Type.Null()]),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'Contact' },
);
export const ContactRef = Type.Ref(ContactResponse);
