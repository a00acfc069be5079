import { Type } from '@sinclair/typebox';
import { MAX_PASSWORD_BYTES } from '../auth/passwords';
import { errors, Timestamp } from '../http/schemas';
import type { RoutesPlugin } from '../http/typebox';
import { forbidden } from '../http/errors';
import { Email, Name, Password, UserRef, UserWithKey } from './user-schemas';
import { LoginThrottledError } from './user-service';

const LoginBody = Type.Object(
  { email: Email, password: Type.String({ minLength: 1, maxLength: MAX_PASSWORD_BYTES }) },
  { additionalProperties: false },
);
const RegisterBody = Type.Object({ email: Email, password: Password, name: Type.Optional(Name) }, { additionalProperties: false });

/** Unauthenticated routes: login, and self-registration when the server allows it. */
export const authRoutes: RoutesPlugin = (ctx) => async (app) => {
  app.post(
    '/auth/login',
    {
      schema: {
        tags: ['auth'],
        summary: 'Exchange email and password for a signed, expiring Bearer token',
        body: LoginBody,
        response: {
          200: Type.Object({ token: Type.String(), expiresAt: Timestamp, user: UserRef }),
          ...errors(400, 401, 429),
        },
      },
    },
    async (request, reply) => {
      try {
        return await ctx.users.login(request.body.email, request.body.password);
      } catch (error) {
        if (error instanceof LoginThrottledError) reply.header('retry-after', String(error.retryAfterSeconds));
        throw error;
      }
    },
  );

  app.post(
    '/auth/register',
    {
      schema: {
        tags: ['auth'],
        summary: 'Create a USER account (only when ALLOW_REGISTRATION=true)',
        body: RegisterBody,
        response: { 201: UserWithKey, ...errors(400, 403, 409, 429) },
      },
    },
    async (request, reply) => {
      if (!ctx.config.ALLOW_REGISTRATION) throw forbidden('Registration is disabled on this server');
      const created = await ctx.users.create({ ...request.body, role: 'USER' });
      return reply.status(201).send(created);
    },
  );
};
