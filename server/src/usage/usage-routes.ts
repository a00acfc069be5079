import { Type, type Static } from '@sinclair/typebox';
import { requireAdmin } from '../auth/request-auth';
import { badRequest } from '../http/errors';
import { authErrors, errors, Timestamp } from '../http/schemas';
import type { RoutesPlugin } from '../http/typebox';
import { aggregateUsage } from './usage-repository';

const DAY_MS = 86_400_000;
/** The longest range one report aggregates: the query scans every ApiUsage row in it. */
export const MAX_USAGE_RANGE_DAYS = 366;

const Range = {
  from: Type.Optional(
    Type.String({ format: 'date-time', description: `Default: 24 hours before \`to\`; at most ${MAX_USAGE_RANGE_DAYS} days before it` }),
  ),
  to: Type.Optional(Type.String({ format: 'date-time', description: 'Default: now' })),
};
const MyUsageQuery = Type.Object(Range, { additionalProperties: false });
const UsageQuery = Type.Object({ ...Range, userId: Type.Optional(Type.String({ maxLength: 36 })) }, { additionalProperties: false });

const UsageReport = Type.Object({
  from: Timestamp,
  to: Timestamp,
  total: Type.Integer(),
  endpoints: Type.Array(
    Type.Object({
      endpoint: Type.String({ examples: ['/api/v1/sessions/:sessionId'] }),
      method: Type.String(),
      status: Type.Integer(),
      count: Type.Integer(),
      p50: Type.Number({ description: 'median duration, ms' }),
      p95: Type.Number({ description: '95th percentile duration, ms' }),
    }),
  ),
});

function range(query: Static<typeof MyUsageQuery>) {
  const to = query.to ? new Date(query.to) : new Date();
  const from = query.from ? new Date(query.from) : new Date(to.getTime() - DAY_MS);
  if (from >= to) throw badRequest('from must be before to');
  if (to.getTime() - from.getTime() > MAX_USAGE_RANGE_DAYS * DAY_MS)
    throw badRequest(`The range from..to may span at most ${MAX_USAGE_RANGE_DAYS} days; ask for longer periods in parts`);
  return { from, to };
}

/** API usage aggregates: your own, or anyone's for an admin. */
export const usageRoutes: RoutesPlugin = (ctx) => async (app) => {
  const report = async (filter: { userId?: string; from: Date; to: Date }) => {
    await ctx.usage.flush();
    const endpoints = await aggregateUsage(ctx.db, filter);
    return { ...filter, total: endpoints.reduce((sum, e) => sum + e.count, 0), endpoints };
  };

  app.get(
    '/me/usage',
    {
      schema: {
        tags: ['usage'],
        summary: 'Your API usage: count and p50/p95 duration by endpoint, method and status',
        querystring: MyUsageQuery,
        response: { 200: UsageReport, ...authErrors },
      },
    },
    async (request) => report({ userId: request.principal.id, ...range(request.query) }),
  );

  app.get(
    '/usage',
    {
      preHandler: requireAdmin,
      schema: {
        tags: ['usage'],
        summary: 'API usage of every user, or of one (admin)',
        querystring: UsageQuery,
        response: { 200: UsageReport, ...authErrors, ...errors(403) },
      },
    },
    async (request) => report({ userId: request.query.userId, ...range(request.query) }),
  );
};
