import { Type } from '@sinclair/typebox';
import { authErrors } from '../http/schemas';
import type { RoutesPlugin } from '../http/typebox';
import { ApiKey, Name, Password, UserRef } from './user-schemas';

const UpdateMeBody = Type.Object(
  { name: Type.Optional(Name), password: Type.Optional(Password) },
  { additionalProperties: false, minProperties: 1 },
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
        summary: 'Change your name or password',
        body: UpdateMeBody,
        response: { 200: UserRef, ...authErrors },
      },
    },
    async (request) => ctx.users.update(request.principal.id, request.body),
  );

  app.post(
    '/me/api-key',
    {
      schema: {
        tags: ['me'],
        summary: 'Rotate your API key: the new key is returned once and the old one stops working at once',
        response: { 200: Type.Object({ apiKey: ApiKey }), ...authErrors },
      },
    },
    async (request) => ({ apiKey: await ctx.users.rotateApiKey(request.principal.id) }),
  );
};
