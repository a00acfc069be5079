import { Type } from '@sinclair/typebox';
import { JidOrPhone } from '../http/jid-param';
import { Timestamp } from '../http/schemas';
import { SessionId } from '../sessions/session-schemas';

const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()]);

const ContactFields = {
  id: Type.String(),
  jid: Type.String(),
  name: Nullable(Type.String({ description: 'The name saved on the phone' })),
  pushName: Nullable(Type.String({ description: 'The name the contact gave themselves' })),
  profilePicUrl: Nullable(Type.String()),
  isBlocked: Type.Boolean(),
  metadata: Type.Union([Type.Object({}, { additionalProperties: true }), Type.Null()], {
    description: '{ lid?, status?, verifiedName?, … }',
  }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
};

export const ContactResponse = Type.Object(ContactFields, { $id: 'Contact' });
export const ContactRef = Type.Ref(ContactResponse);

export const MAX_NUMBERS_PER_CHECK = 500;

export const ContactParams = Type.Object({ sessionId: SessionId, jid: JidOrPhone }, { additionalProperties: false });

export const CheckNumbersBody = Type.Object(
  {
    numbers: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), {
      minItems: 1,
      maxItems: MAX_NUMBERS_PER_CHECK,
      description: `Phone numbers in international format (or phone-number JIDs), at most ${MAX_NUMBERS_PER_CHECK}; checked in one WhatsApp query`,
      examples: [['+49 151 23456789', '4915198765432']],
    }),
  },
  { additionalProperties: false },
);

export const CheckNumbersResponse = Type.Object({
  results: Type.Array(
    Type.Object({
      input: Type.String({ description: 'The number as sent' }),
      phoneNumber: Type.String({ description: 'Its digits, country code first' }),
      exists: Type.Boolean({ description: 'Whether the number has a WhatsApp account' }),
      jid: Nullable(Type.String({ description: 'The account’s JID, to send to' })),
      lid: Nullable(Type.String({ description: 'The account’s LID, when WhatsApp tells it' })),
    }),
    { description: 'One entry per number, in the order sent' },
  ),
});

export const ContactDetailsResponse = Type.Object({
  ...ContactFields,
  onWhatsApp: Type.Union([Type.Boolean(), Type.Null()], {
    description: 'null when only a LID is known, whose number WhatsApp did not reveal',
  }),
  about: Type.Union([Type.Object({ text: Type.String(), setAt: Type.Optional(Timestamp) }), Type.Null()], {
    description: 'The "about" text; null when unset or hidden by their privacy settings',
  }),
  businessProfile: Type.Union([Type.Object({}, { additionalProperties: true }), Type.Null()], {
    description: 'For business accounts: { description, email, website, category, address, business_hours }',
  }),
});

export const ProfilePictureQuery = Type.Object(
  {
    type: Type.Union([Type.Literal('image'), Type.Literal('preview')], {
      default: 'preview',
      description: 'image: full size; preview: small',
    }),
  },
  { additionalProperties: false },
);

export const ProfilePictureResponse = Type.Object({ url: Type.String() });
