import { Type, type Static } from '@sinclair/typebox';
import { requireAdmin } from '../auth/request-auth';
import { authErrors, errors, Timestamp } from '../http/schemas';
import type { RoutesPlugin } from '../http/typebox';
import { hourlyActivity } from './activity-repository';

const HOUR_MS = 3_600_000;
export const MAX_ACTIVITY_HOURS = 168;

const Hours = Type.Integer({
  minimum: 1,
  maximum: MAX_ACTIVITY_HOURS,
  default: 24,
  description: 'How many hours, the last one the current hour',
});
const MyActivityQuery = Type.Object({ hours: Type.Optional(Hours) }, { additionalProperties: false });
const ActivityQuery = Type.Object(
  { hours: Type.Optional(Hours), userId: Type.Optional(Type.String({ maxLength: 36, description: 'Default: everyone' })) },
  { additionalProperties: false },
);

/** Whole hours from `from` to `to`, the last one the current hour (still running). */
const ActivityReport = Type.Object({
  from: Timestamp,
  to: Timestamp,
  buckets: Type.Array(
    Type.Object({
      start: Timestamp,
      requests: Type.Integer({ description: 'API requests made with your key or login token' }),
      messagesIn: Type.Integer({ description: 'WhatsApp messages received by your sessions' }),
      messagesOut: Type.Integer({ description: 'WhatsApp messages sent from your sessions' }),
    }),
  ),
});
type ActivityReport = Static<typeof ActivityReport>;

/** Hourly API requests and message volume, for the dashboard's charts: your own, or anyone's for an admin. */
export const activityRoutes: RoutesPlugin = (ctx) => async (app) => {
  const report = async (hours: number, userId?: string): Promise<ActivityReport> => {
    await ctx.usage.flush();
    const to = new Date((Math.floor(Date.now() / HOUR_MS) + 1) * HOUR_MS);
    const from = new Date(to.getTime() - hours * HOUR_MS);
    const counts = await hourlyActivity(ctx.db, { userId, from, to }, hours);
    return { from, to, buckets: counts.map((c, hour) => ({ start: new Date(from.getTime() + hour * HOUR_MS), ...c })) };
  };

  app.get(
    '/me/activity',
    {
      schema: {
        tags: ['usage'],
        summary: 'Your API requests and messages in and out, per hour',
        querystring: MyActivityQuery,
        response: { 200: ActivityReport, ...authErrors },
      },
    },
    async (request) => report(request.query.hours ?? 24, request.principal.id),
  );

  app.get(
    '/activity',
    {
      preHandler: requireAdmin,
      schema: {
        tags: ['usage'],
        summary: 'API requests and messages per hour of every user, or of one (admin)',
        querystring: ActivityQuery,
        response: { 200: ActivityReport, ...authErrors, ...errors(403) },
      },
    },
    async (request) => report(request.query.hours ?? 24, request.query.userId),
  );
};
