import { Type } from '@sinclair/typebox';
import { requireAdmin } from '../auth/request-auth';
import { decodeCursor, encodeCursor } from '../db/cursor';
import { authErrors, errors, Page, PageQuery } from '../http/schemas';
import type { RoutesPlugin } from '../http/typebox';
import { absentBodyIsEmpty } from '../http/validation';
import { ApiKey, Email, Name, Password, Role, UserIdParams, UserRef, UserWithKey } from './user-schemas';

const CreateUserBody = Type.Object(
  { email: Email, password: Password, name: Type.Optional(Name), role: Type.Optional(Role) },
  { additionalProperties: false },
);
const NoBody = Type.Object({}, { additionalProperties: false, description: 'No options: send no body or {}' });
const UpdateUserBody = Type.Object(
  { name: Type.Optional(Name), role: Type.Optional(Role), isActive: Type.Optional(Type.Boolean()) },
  { additionalProperties: false, minProperties: 1 },
);

/** User administration; every route needs the ADMIN role. */
export const userRoutes: RoutesPlugin = (ctx) => async (app) => {
  app.addHook('preHandler', requireAdmin);
  const adminErrors = { ...authErrors, ...errors(403) };

  app.post(
    '/users',
    {
      schema: {
        tags: ['users'],
        summary: 'Create a user; its API key is returned once',
        body: CreateUserBody,
        response: { 201: UserWithKey, ...adminErrors, ...errors(409) },
      },
    },
    async (request, reply) => reply.status(201).send(await ctx.users.create(request.body)),
  );

  app.get(
    '/users',
    {
      schema: {
        tags: ['users'],
        summary: 'List users, oldest first',
        querystring: PageQuery,
        response: { 200: Page(UserRef), ...adminErrors },
      },
    },
    async (request) => {
      const { limit, cursor } = request.query;
      const after = cursor ? decodeCursor(cursor, ['number', 'string']) : undefined;
      const data = await ctx.users.list({
        limit: limit + 1,
        after: after ? { createdAt: new Date(after[0] as number), id: after[1] as string } : undefined,
      });
      const last = data.length > limit ? data[limit - 1] : undefined;
      return { data: data.slice(0, limit), nextCursor: last ? encodeCursor([last.createdAt.getTime(), last.id]) : null };
    },
  );

  app.get(
    '/users/:id',
    {
      schema: { tags: ['users'], summary: 'One user', params: UserIdParams, response: { 200: UserRef, ...adminErrors, ...errors(404) } },
    },
    async (request) => ctx.users.get(request.params.id),
  );

  app.patch(
    '/users/:id',
    {
      schema: {
        tags: ['users'],
        summary: "Change a user's name, role or active flag (an inactive user's key and tokens stop working)",
        params: UserIdParams,
        body: UpdateUserBody,
        response: { 200: UserRef, ...adminErrors, ...errors(404, 409) },
      },
    },
    async (request) => ctx.users.update(request.params.id, request.body),
  );

  app.post(
    '/users/:id/api-key',
    {
      preValidation: absentBodyIsEmpty,
      schema: {
        tags: ['users'],
        summary: "Rotate a user's API key: the new key is returned once and the old one stops working at once",
        params: UserIdParams,
        body: NoBody,
        response: { 200: Type.Object({ apiKey: ApiKey }), ...adminErrors, ...errors(404) },
      },
    },
    async (request) => ({ apiKey: await ctx.users.rotateApiKey(request.params.id) }),
  );

  app.delete(
    '/users/:id',
    {
      schema: {
        tags: ['users'],
        summary: 'Delete a user and everything they own',
        params: UserIdParams,
        response: { 204: Type.Null(), ...adminErrors, ...errors(404, 409) },
      },
    },
    async (request, reply) => {
      await ctx.users.remove(request.params.id);
      return reply.status(204).send(null);
    },
  );
};
