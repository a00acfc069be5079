import { authErrors, errors, Page, PageQuery } from '../http/schemas';
import type { RoutesPlugin } from '../http/typebox';
import { SessionParams } from '../sessions/session-schemas';
import { listContacts } from '../whatsapp/store/read-queries';
import { ContactRef } from './contact-schemas';

/** Stored contacts, by JID. */
export const contactReadRoutes: RoutesPlugin = (ctx) => async (app) => {
  app.get(
    '/sessions/:sessionId/contacts',
    {
      schema: {
        tags: ['contacts'],
        summary: 'Contacts of the session, by JID',
        params: SessionParams,
        querystring: PageQuery,
        response: { 200: Page(ContactRef), ...authErrors, ...errors(404) },
      },
    },
    async (request) => {
      const session = await ctx.sessions.find(request.principal, request.params.sessionId);
      return listContacts(ctx.db, session.id, request.query);
    },
  );
};
