import { Type } from '@sinclair/typebox';
import { JidOrPhone } from '../http/jid-param';
import { authErrors, errors } from '../http/schemas';
import type { RoutesPlugin } from '../http/typebox';
import { absentBodyIsEmpty } from '../http/validation';
import { SessionId, SessionParams } from '../sessions/session-schemas';
import { MessageActions } from './message-actions';
import { MessageRef } from './message-schemas';
import { EditBody, MessageParams, PresenceBody, PresenceResult, ReadBody, ReadResult } from './send-schemas';

const tags = ['messages'];
const whatsAppErrors = errors(404, 409, 422, 502, 504);

/** Edit, delete for everyone, mark read, presence and media download. */
export const messageActionRoutes: RoutesPlugin = (ctx) => async (app) => {
  const actions = new MessageActions(ctx);

  app.post(
    '/sessions/:sessionId/messages/:messageId/edit',
    {
      schema: {
        tags,
        summary: 'Edit the text of a text message this session sent (within 15 minutes)',
        params: MessageParams,
        body: EditBody,
        response: { 200: MessageRef, ...authErrors, ...whatsAppErrors },
      },
    },
    async (request) => actions.edit(request.principal, request.params.sessionId, request.params.messageId, request.body.text),
  );

  app.delete(
    '/sessions/:sessionId/messages/:messageId',
    {
      schema: {
        tags,
        summary: 'Delete a message for everyone (yours, or others\u2019 in groups you administer)',
        description: 'The stored row stays, with metadata.revoked.',
        params: MessageParams,
        response: { 200: MessageRef, ...authErrors, ...whatsAppErrors },
      },
    },
    async (request) => actions.revoke(request.principal, request.params.sessionId, request.params.messageId),
  );

  app.post(
    '/sessions/:sessionId/chats/:jid/read',
    {
      preValidation: absentBodyIsEmpty,
      schema: {
        tags,
        summary: 'Mark a chat\u2019s received messages read (blue ticks for the sender); its unread count becomes 0',
        params: Type.Object({ sessionId: SessionId, jid: JidOrPhone }, { additionalProperties: false }),
        body: ReadBody,
        response: { 200: ReadResult, ...authErrors, ...whatsAppErrors },
      },
    },
    async (request) => actions.markRead(request.principal, request.params.sessionId, request.params.jid, request.body.messageIds),
  );

  app.post(
    '/sessions/:sessionId/presence',
    {
      schema: {
        tags,
        summary: 'Show online/offline, or typing/recording/paused in a chat',
        params: SessionParams,
        body: PresenceBody,
        response: { 200: PresenceResult, ...authErrors, ...errors(404, 409, 422, 502, 504) },
      },
    },
    async (request) => actions.presence(request.principal, request.params.sessionId, request.body.state, request.body.to),
  );

  app.get(
    '/sessions/:sessionId/messages/:messageId/media',
    {
      schema: {
        tags,
        summary: 'Download the media of a stored message (received or sent), decrypted, with its mimetype',
        description:
          'Served with X-Content-Type-Options: nosniff; everything but common image, audio and video types (documents always) comes with ' +
          'Content-Disposition: attachment and its file name. 422 when the message has no media, or its media location is not on ' +
          'WhatsApp\u2019s media hosts (WHATSAPP_MEDIA_HOSTS) or it is larger than MEDIA_MAX_BYTES; 502/504 when the media server fails or is too slow; ' +
          '429/503 with Retry-After when too many media downloads and fetches run (MEDIA_CONCURRENCY_PER_USER, MEDIA_CONCURRENCY).',
        params: MessageParams,
        produces: ['application/octet-stream'],
        response: {
          200: Type.Unsafe<unknown>({
            type: 'string',
            format: 'binary',
            description: 'The media bytes; Content-Type is the media\u2019s mimetype',
          }),
          ...authErrors,
          ...errors(404, 422, 502, 503, 504),
        },
      },
    },
    async (request, reply) => {
      const media = await actions.media(request.principal, request.params.sessionId, request.params.messageId);
      const mimetype = headerSafeMimetype(media.mimetype);
      reply.header('content-type', mimetype);
      reply.header('x-content-type-options', 'nosniff');
      if (media.isDocument || !isInlineSafe(mimetype)) reply.header('content-disposition', attachment(media.fileName ?? 'file'));
      return reply.send(media.stream);
    },
  );
};

/** The sender's mimetype when it is a well-formed type (parameters kept), else application/octet-stream. */
function headerSafeMimetype(mimetype: string): string {
  return /^[\w.+-]+\/[\w.+-]+(\s*;\s*[\w.+-]+=("[\x20-\x7e]*"|[\w.+-]+))*$/.test(mimetype.trim())
    ? mimetype.trim()
    : 'application/octet-stream';
}

/** Image types browsers only ever render as pictures (no SVG: it runs scripts); audio and video play, nothing else. */
const INLINE_IMAGES = new Set([
  'image/jpeg',
  'image/png',
  'image/gif',
  'image/webp',
  'image/avif',
  'image/bmp',
  'image/heic',
  'image/heif',
]);

/** Whether media of this type may be shown in the browser rather than saved (a sender chooses the type). */
function isInlineSafe(mimetype: string): boolean {
  const essence = mimetype.split(';')[0]!.trim().toLowerCase();
  return INLINE_IMAGES.has(essence) || /^(audio|video)\/[\w.+-]+$/.test(essence);
}

/** Content-Disposition with an ASCII fallback and the exact UTF-8 name (RFC 6266). */
function attachment(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}
