import type { FastifyReply } from 'fastify';
import { authErrors, errors } from '../http/schemas';
import type { RoutesPlugin } from '../http/typebox';
import { QueuedSendResult, SendWaitQuery } from '../send-queue/queue-schemas';
import { queuedView } from '../send-queue/queue-views';
import { SessionParams } from '../sessions/session-schemas';
import { base64Limit, sendMediaLimits } from './media-input';
import { MessageSender, type SendAnswer } from './message-sender';
import { sendBodyValidator } from './send-body-validation';
import { ForwardBody, IdempotencyHeaders, MessageParams, SEND_DESCRIPTION, SendMessageBody, SendResult } from './send-schemas';

const tags = ['messages'];
/** JSON around the largest base64 media a send may carry: a data: URL header, a caption of 4096 characters escaped, mentions. */
const BODY_SLACK_BYTES = 64 * 1024;
const QUEUED_DESCRIPTION =
  'Every send is written to the session’s send queue first (so it survives a restart) and sent by the session’s worker. ' +
  'Unpaced sends answer 201 once WhatsApp has the message (or its refusal), as a direct send would; a send that is paced ' +
  '(see …/pacing), asked with `wait=false`, or still waiting after SEND_WAIT_MS (the connection dropped) answers 202 with the queued send.';

/** 201 with the sent message, or 202 with the queued send. */
function reply(answer: SendAnswer, res: FastifyReply) {
  if (answer.replayed) res.header('idempotent-replayed', 'true');
  if ('sent' in answer) return res.status(201).send(answer.sent);
  return res.status(202).send(queuedView(answer.queued));
}

/** Sending new messages and forwarding stored ones. */
export const messageSendRoutes: RoutesPlugin = (ctx) => async (app) => {
  const sender = new MessageSender(ctx);
  const limits = sendMediaLimits(ctx.config);
  const largestMedia = base64Limit(limits);
  const bodyTooLarge =
    largestMedia < limits.maxBytes
      ? `base64 media up to ${largestMedia} bytes (MEDIA_BASE64_MAX_BYTES); send larger files, up to ${limits.maxBytes} bytes (MEDIA_MAX_BYTES), by url`
      : `base64 media up to ${largestMedia} bytes (MEDIA_MAX_BYTES)`;

  app.post(
    '/sessions/:sessionId/messages',
    {
      bodyLimit: Math.ceil(largestMedia / 3) * 4 + BODY_SLACK_BYTES,
      config: { bodyTooLarge },
      validatorCompiler: sendBodyValidator,
      schema: {
        tags,
        summary: 'Send a message: text, media, location, contact, poll or reaction',
        description: `${SEND_DESCRIPTION} ${QUEUED_DESCRIPTION}`,
        params: SessionParams,
        querystring: SendWaitQuery,
        headers: IdempotencyHeaders,
        body: SendMessageBody,
        response: { 201: SendResult, 202: QueuedSendResult, ...authErrors, ...errors(404, 409, 413, 422, 502, 503, 504) },
      },
    },
    async (request, res) => {
      const options = { idempotencyKey: request.headers['idempotency-key'], wait: request.query.wait };
      return reply(await sender.send(request.principal, request.params.sessionId, request.body, options), res);
    },
  );

  app.post(
    '/sessions/:sessionId/messages/:messageId/forward',
    {
      schema: {
        tags,
        summary: 'Forward a stored message to another chat (shown as forwarded)',
        description: `Text, media, location and contact messages can be forwarded. Honours \`Idempotency-Key\` like sending. ${QUEUED_DESCRIPTION}`,
        params: MessageParams,
        querystring: SendWaitQuery,
        headers: IdempotencyHeaders,
        body: ForwardBody,
        response: { 201: SendResult, 202: QueuedSendResult, ...authErrors, ...errors(404, 409, 422, 502, 504) },
      },
    },
    async (request, res) => {
      const { sessionId, messageId } = request.params;
      const options = { idempotencyKey: request.headers['idempotency-key'], wait: request.query.wait };
      return reply(await sender.forward(request.principal, sessionId, messageId, request.body.to, options), res);
    },
  );
};
