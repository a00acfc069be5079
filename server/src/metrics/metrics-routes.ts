import type { RoutesPlugin } from '../http/typebox';
import { MetricsAccess } from './metrics-access';

/**
 * GET /metrics in the Prometheus text format, outside /api/v1: neither metered as API usage nor rate
 * limited. Also times every request by its route pattern.
 */
export const metricsRoutes: RoutesPlugin = (ctx) => async (app) => {
  const access = new MetricsAccess(ctx.config.METRICS_TOKEN, ctx.config.METRICS_ALLOW);
  app.get(
    '/metrics',
    { schema: { tags: ['health'], summary: 'Prometheus metrics (bearer token or address allowlist, see METRICS_TOKEN)' } },
    async (request, reply) => {
      access.check(request);
      return reply.type(ctx.metrics.contentType).send(await ctx.metrics.render());
    },
  );
};
