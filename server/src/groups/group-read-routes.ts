import { authErrors, errors, Page, PageQuery } from '../http/schemas';
import type { RoutesPlugin } from '../http/typebox';
import { SessionParams } from '../sessions/session-schemas';
import { listGroups } from '../whatsapp/store/read-queries';
import { GroupRef } from './group-schemas';

/** Stored groups, by JID. */
export const groupReadRoutes: RoutesPlugin = (ctx) => async (app) => {
  app.get(
    '/sessions/:sessionId/groups',
    {
      schema: {
        tags: ['groups'],
        summary: 'Groups of the session, by JID, as stored',
        params: SessionParams,
        querystring: PageQuery,
        response: { 200: Page(GroupRef), ...authErrors, ...errors(404) },
      },
    },
    async (request) => {
      const session = await ctx.sessions.find(request.principal, request.params.sessionId);
      return listGroups(ctx.db, session.id, request.query);
    },
  );
};
