import { isAdmin } from '../auth/principal';
import { authErrors, errors } from '../http/schemas';
import type { RoutesPlugin } from '../http/typebox';
import { notFound } from '../http/errors';
import { sendBodyValidator } from '../messages/send-body-validation';
import { SessionParams } from '../sessions/session-schemas';
import { BulkSends } from './bulk-sends';
import { findQueued, pacedSendsToday } from './queue-repository';
import { BULK_MAX_RECIPIENTS, BulkBody, BulkJobResult, PacingBody, PacingResult, QueuedParams, QueuedSendResult } from './queue-schemas';
import { queuedView } from './queue-views';

const scoped = { ...authErrors, ...errors(404) };

/** The send queue as the API shows it: queued sends, bulk jobs and the session's pacing. */
export const sendQueueRoutes: RoutesPlugin = (ctx) => async (app) => {
  const bulk = new BulkSends(ctx.db, ctx.sessions, ctx.config, (sessionRowId) => ctx.sendQueue.wake(sessionRowId));

  app.get(
    '/sessions/:sessionId/messages/queued/:id',
    {
      schema: {
        tags: ['messages'],
        summary: 'A queued send (from a 202 answer): its status, and why it failed',
        params: QueuedParams,
        response: { 200: QueuedSendResult, ...scoped },
      },
    },
    async (request) => {
      const session = await ctx.sessions.find(request.principal, request.params.sessionId);
      const row = await findQueued(ctx.db, session.id, { id: request.params.id });
      const theirs = row && (isAdmin(request.principal) || row.userId === request.principal.id);
      if (!row || !theirs || row.bulkJobId !== null) throw notFound(`Queued send "${request.params.id}" not found`);
      return queuedView(row);
    },
  );

  app.post(
    '/sessions/:sessionId/messages/bulk',
    {
      bodyLimit: Math.ceil(ctx.config.MEDIA_MAX_BYTES / 3) * 4 + BULK_MAX_RECIPIENTS * 8 * 1024,
      validatorCompiler: sendBodyValidator,
      schema: {
        tags: ['messages'],
        summary: 'Send one message to up to 1,000 recipients, at the session’s pace',
        description:
          'The whole request is checked first (every recipient, every `{{variable}}` the message uses, the content); then every ' +
          'recipient is queued at once, in one transaction, and sent in the order given at the session’s pace (…/pacing), ' +
          'waiting while the session is not connected. Follow it with GET …/messages/bulk/:id; cancel what is not sent yet with POST …/cancel.',
        params: SessionParams,
        body: BulkBody,
        response: { 202: BulkJobResult, ...scoped, ...errors(413, 422) },
      },
    },
    async (request, reply) => reply.status(202).send(await bulk.create(request.principal, request.params.sessionId, request.body)),
  );

  app.get(
    '/sessions/:sessionId/messages/bulk/:id',
    {
      schema: {
        tags: ['messages'],
        summary: 'Progress of a bulk send, with every recipient’s status',
        params: QueuedParams,
        response: { 200: BulkJobResult, ...scoped },
      },
    },
    async (request) => bulk.get(request.principal, request.params.sessionId, request.params.id),
  );

  app.post(
    '/sessions/:sessionId/messages/bulk/:id/cancel',
    {
      schema: {
        tags: ['messages'],
        summary: 'Cancel a bulk send: recipients not sent yet are not sent',
        params: QueuedParams,
        response: { 200: BulkJobResult, ...scoped },
      },
    },
    async (request) => bulk.cancel(request.principal, request.params.sessionId, request.params.id),
  );

  const pacingOf = async (sessionRowId: string) => ({
    ...(await ctx.sendQueue.pacing(sessionRowId)),
    sentToday: (await pacedSendsToday(ctx.db, sessionRowId)).count,
  });

  app.get(
    '/sessions/:sessionId/pacing',
    {
      schema: {
        tags: ['sessions'],
        summary: 'How fast the session’s queued messages go out',
        params: SessionParams,
        response: { 200: PacingResult, ...scoped },
      },
    },
    async (request) => pacingOf((await ctx.sessions.find(request.principal, request.params.sessionId)).id),
  );

  app.put(
    '/sessions/:sessionId/pacing',
    {
      schema: {
        tags: ['sessions'],
        summary: 'Change the session’s pacing (fields left out keep their value); applies to what is queued at once',
        params: SessionParams,
        body: PacingBody,
        response: { 200: PacingResult, ...scoped },
      },
    },
    async (request) => {
      const session = await ctx.sessions.find(request.principal, request.params.sessionId);
      await ctx.sendQueue.setPacing(session.id, request.body);
      return pacingOf(session.id);
    },
  );
};
