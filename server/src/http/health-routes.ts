import { Type } from '@sinclair/typebox';
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
      schema: {
        tags: ['health'],
        summary: 'The process takes traffic: the database answers and is migrated, and no shutdown has begun',
        response: { 200: Status, 503: Status },
      },
    },
    async (_request, reply) => {
      const reason = await ctx.readiness.check();
      return reason ? reply.status(503).send({ status: reason }) : { status: 'ready' };
    },
  );
};
