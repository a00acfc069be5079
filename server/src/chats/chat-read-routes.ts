import { authErrors, errors, Page, PageQuery } from '../http/schemas';
import type { RoutesPlugin } from '../http/typebox';
import { SessionParams } from '../sessions/session-schemas';
import { listChats } from '../whatsapp/store/read-queries';
import { ChatRef } from './chat-schemas';

/** Stored chats, most recent activity first. */
export const chatReadRoutes: RoutesPlugin = (ctx) => async (app) => {
  app.get(
    '/sessions/:sessionId/chats',
    {
      schema: {
        tags: ['chats'],
        summary: 'Chats of the session, most recent activity first',
        params: SessionParams,
        querystring: PageQuery,
        response: { 200: Page(ChatRef), ...authErrors, ...errors(404) },
      },
    },
    async (request) => {
      const session = await ctx.sessions.find(request.principal, request.params.sessionId);
      return listChats(ctx.db, session.id, request.query);
    },
  );
};
