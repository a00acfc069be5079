import { Type } from '@sinclair/typebox';
import { MAX_PASSWORD_BYTES } from '../auth/passwords';
import { authErrors } from '../http/schemas';
import type { RoutesPlugin } from '../http/typebox';
import { absentBodyIsEmpty } from '../http/validation';
import { ApiKey, Name, Password, UserRef } from './user-schemas';

const CurrentPassword = Type.String({ minLength: 1, maxLength: MAX_PASSWORD_BYTES, description: 'Your current password' });

const UpdateMeBody = Type.Object(
  {
    name: Type.Optional(Name),
    password: Type.Optional(Password),
    currentPassword: Type.Optional({ ...CurrentPassword, description: 'Required with password' }),
  },
  { additionalProperties: false, minProperties: 1 },
);

/** Optional: no body counts as {} (absentBodyIsEmpty); a body that is sent must be an object, like every body. */
const RotateKeyBody = Type.Object(
  { currentPassword: Type.Optional({ ...CurrentPassword, description: 'Required when you call with a login token' }) },
  { additionalProperties: false },
);

/** The caller's own account. */
export const meRoutes: RoutesPlugin = (ctx) => async (app) => {
  app.get(
    '/me',
    { schema: { tags: ['me'], summary: 'The calling user', response: { 200: UserRef, ...authErrors } } },
    async (request) => request.principal,
  );

  app.patch(
    '/me',
    {
      schema: {
        tags: ['me'],
        summary: 'Change your name, or your password (with currentPassword); a new password ends your login tokens',
        body: UpdateMeBody,
        response: { 200: UserRef, ...authErrors },
      },
    },
    async (request) => ctx.users.updateOwn(request.principal.id, request.body),
  );

  app.post(
    '/me/api-key',
    {
      preValidation: absentBodyIsEmpty,
      schema: {
        tags: ['me'],
        summary:
          'Rotate your API key: the new key is returned once and the old one stops working at once. ' +
          'Called with a login token it needs {currentPassword}; with an API key no body.',
        body: RotateKeyBody,
        response: { 200: Type.Object({ apiKey: ApiKey }), ...authErrors },
      },
    },
    async (request) => {
      // A login token lives hours; an API key lives until rotated. Turning the first into the second
      // asks for the password, so a stolen token cannot mint itself a permanent credential.
      if (request.credentialKind === 'token') {
        await ctx.users.confirmPassword(request.principal.id, request.body?.currentPassword, 'to create an API key with a login token');
      }
      return { apiKey: await ctx.users.rotateApiKey(request.principal.id) };
    },
  );
};
