import { authErrors, errors, Page } from '../http/schemas';
import type { RoutesPlugin } from '../http/typebox';
import { SessionParams } from '../sessions/session-schemas';
import { GroupListQuery, GroupRef } from './group-schemas';
import { GroupService } from './group-service';

/** Stored groups, by JID; `refresh=true` first brings them up to date from WhatsApp. */
export const groupReadRoutes: RoutesPlugin = (ctx) => async (app) => {
  const groups = new GroupService(ctx.db, ctx.sessions, ctx.ingest);

  app.get(
    '/sessions/:sessionId/groups',
    {
      schema: {
        tags: ['groups'],
        summary: 'Groups of the session, by JID, as stored',
        description:
          'With refresh=true the groups are first listed from WhatsApp (needs a connected session): every group the session is in is stored, ' +
          'and stored groups WhatsApp no longer lists keep their row with isMember false. Rows are never deleted, so chats and messages keep their group.',
        params: SessionParams,
        querystring: GroupListQuery,
        response: { 200: Page(GroupRef), ...authErrors, ...errors(404, 409, 422, 502, 504) },
      },
    },
    async (request) => groups.list(request.principal, request.params.sessionId, request.query),
  );
};
