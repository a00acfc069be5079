import { Type } from '@sinclair/typebox';
import { sql } from 'kysely';
import type { RoutesPlugin } from './typebox';

const Status = Type.Object({ status: Type.String() });

/** Liveness and readiness probes, open to anyone. */
export const healthRoutes: RoutesPlugin = (ctx) => async (app) => {
  app.get('/health', { schema: { tags: ['health'], summary: 'The process is up', response: { 200: Status } } }, async () => ({
    status: 'ok',
  }));

  app.get(
    '/ready',
    {
      schema: { tags: ['health'], summary: 'The database answers', response: { 200: Status, 503: Status } },
    },
    async (request, reply) => {
      try {
        await sql`SELECT 1`.execute(ctx.db);
        return { status: 'ready' };
      } catch (error) {
        request.log.warn({ err: error }, 'readiness check failed');
        return reply.status(503).send({ status: 'database unreachable' });
      }
    },
  );
};
