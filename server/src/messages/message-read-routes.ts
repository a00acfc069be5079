import { Type } from '@sinclair/typebox';
import { parseJid, JidOrPhone } from '../http/jid-param';
import { authErrors, errors, Page, PageQuery } from '../http/schemas';
import type { RoutesPlugin } from '../http/typebox';
import { SessionId } from '../sessions/session-schemas';
import { listChatMessages, searchMessages } from '../whatsapp/store/read-queries';
import { MessageRef, MessageType } from './message-schemas';

const SearchQuery = Type.Object(
  {
    ...PageQuery.properties,
    chatId: Type.Optional(JidOrPhone),
    type: Type.Optional(MessageType),
    fromMe: Type.Optional(Type.Boolean()),
    since: Type.Optional(Type.String({ format: 'date-time', description: 'Only messages at or after this instant' })),
  },
  { additionalProperties: false },
);

/** Stored messages: all of a session's (filtered), or one chat's; newest first. */
export const messageReadRoutes: RoutesPlugin = (ctx) => async (app) => {
  app.get(
    '/sessions/:sessionId/messages',
    {
      schema: {
        tags: ['messages'],
        summary: 'Stored messages of the session, newest first, filtered by chat, type, direction and time',
        params: Type.Object({ sessionId: SessionId }, { additionalProperties: false }),
        querystring: SearchQuery,
        response: { 200: Page(MessageRef), ...authErrors, ...errors(404) },
      },
    },
    async (request) => {
      const session = await ctx.sessions.find(request.principal, request.params.sessionId);
      const { limit, cursor, chatId, type, fromMe, since } = request.query;
      return searchMessages(
        ctx.db,
        session.id,
        {
          chatId: chatId === undefined ? undefined : parseJid(chatId),
          type,
          fromMe,
          since: since === undefined ? undefined : new Date(since),
        },
        { limit, cursor },
      );
    },
  );

  app.get(
    '/sessions/:sessionId/chats/:jid/messages',
    {
      schema: {
        tags: ['messages'],
        summary: 'Stored messages of one chat, newest first',
        params: Type.Object({ sessionId: SessionId, jid: JidOrPhone }, { additionalProperties: false }),
        querystring: PageQuery,
        response: { 200: Page(MessageRef), ...authErrors, ...errors(404) },
      },
    },
    async (request) => {
      const session = await ctx.sessions.find(request.principal, request.params.sessionId);
      return listChatMessages(ctx.db, session.id, parseJid(request.params.jid), request.query);
    },
  );
};
