import { authErrors, errors } from '../http/schemas';
import type { RoutesPlugin } from '../http/typebox';
import { SessionParams } from '../sessions/session-schemas';
import type { SendResult as Sent } from './message-sender';
import { base64Limit, sendMediaLimits } from './media-input';
import { MessageSender } from './message-sender';
import { sendBodyValidator } from './send-body-validation';
import { ForwardBody, IdempotencyHeaders, MessageParams, SEND_DESCRIPTION, SendMessageBody, SendResult } from './send-schemas';

const tags = ['messages'];
/** JSON around the largest base64 media a send may carry: a data: URL header, a caption of 4096 characters escaped, mentions. */
const BODY_SLACK_BYTES = 64 * 1024;

/** Sending new messages and forwarding stored ones. */
export const messageSendRoutes: RoutesPlugin = (ctx) => async (app) => {
  const sender = new MessageSender(ctx);
  const answer = (result: Sent) => ({ messageId: result.messageId, status: result.status, timestamp: result.timestamp });
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
        description: SEND_DESCRIPTION,
        params: SessionParams,
        headers: IdempotencyHeaders,
        body: SendMessageBody,
        response: { 201: SendResult, ...authErrors, ...errors(404, 409, 413, 422, 502, 503, 504) },
      },
    },
    async (request, reply) => {
      const result = await sender.send(request.principal, request.params.sessionId, request.body, request.headers['idempotency-key']);
      if (result.replayed) reply.header('idempotent-replayed', 'true');
      return reply.status(201).send(answer(result));
    },
  );

  app.post(
    '/sessions/:sessionId/messages/:messageId/forward',
    {
      schema: {
        tags,
        summary: 'Forward a stored message to another chat (shown as forwarded)',
        description: 'Text, media, location and contact messages can be forwarded. Honours `Idempotency-Key` like sending.',
        params: MessageParams,
        headers: IdempotencyHeaders,
        body: ForwardBody,
        response: { 201: SendResult, ...authErrors, ...errors(404, 409, 422, 502, 504) },
      },
    },
    async (request, reply) => {
      const { sessionId, messageId } = request.params;
      const result = await sender.forward(request.principal, sessionId, messageId, request.body.to, request.headers['idempotency-key']);
      if (result.replayed) reply.header('idempotent-replayed', 'true');
      return reply.status(201).send(answer(result));
    },
  );
};
