import { Type } from '@sinclair/typebox';
import { MAX_PASSWORD_BYTES, MIN_PASSWORD_LENGTH } from '../auth/passwords';
import { ROLES } from '../db/database';
import { Timestamp } from '../http/schemas';

export const Role = Type.Union(ROLES.map((role) => Type.Literal(role)));

export const UserResponse = Type.Object(
  {
    id: Type.String(),
    email: Type.String(),
    name: Type.Union([Type.String(), Type.Null()]),
    role: Role,
    isActive: Type.Boolean(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'User' },
);
export const UserRef = Type.Ref(UserResponse);

export const Email = Type.String({ format: 'email', maxLength: 255, examples: ['ana@example.com'] });
// bcrypt's limit is in bytes; the byte check itself is in passwords.ts.
export const Password = Type.String({ minLength: MIN_PASSWORD_LENGTH, maxLength: MAX_PASSWORD_BYTES, examples: ['correct horse battery'] });
export const Name = Type.Union([Type.String({ minLength: 1, maxLength: 255 }), Type.Null()]);
export const ApiKey = Type.String({ description: 'Shown only this once; store it now', examples: ['bak_3q2+...'] });

export const UserWithKey = Type.Object({ user: UserRef, apiKey: ApiKey });

export const UserIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 36 }) }, { additionalProperties: false });
