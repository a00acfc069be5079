import { Type } from '@sinclair/typebox';
import { authErrors, errors } from '../http/schemas';
import type { RoutesPlugin } from '../http/typebox';
import { absentBodyIsEmpty } from '../http/validation';
import type { ChatChange } from '../whatsapp/operations/chats';
import { ChatParams, ChatRef, MuteBody, NoOptionsBody } from './chat-schemas';
import { ChatService } from './chat-service';

const tags = ['chats'];
/** Unknown session or chat 404, not connected 409, refused 422, failed 502, no answer 504. */
const whatsAppErrors = errors(404, 409, 422, 502, 504);
const KNOWN_CHAT =
  'The chat must be known to the session (a stored chat or message; 404 otherwise). The change reaches all your devices; ' +
  'the answer is the chat as stored after it.';

const SETTINGS: { action: string; summary: string; change: Exclude<ChatChange, { kind: 'delete' }> }[] = [
  { action: 'archive', summary: 'Archive a chat', change: { kind: 'archive', archived: true } },
  { action: 'unarchive', summary: 'Move a chat out of the archive', change: { kind: 'archive', archived: false } },
  { action: 'pin', summary: 'Pin a chat to the top of the list', change: { kind: 'pin', pinned: true } },
  { action: 'unpin', summary: 'Unpin a chat', change: { kind: 'pin', pinned: false } },
  { action: 'unmute', summary: 'Unmute a chat', change: { kind: 'mute', until: null } },
];

/** Archive, pin, mute and delete chats: WhatsApp app-state changes shared by all the account's devices. */
export const chatRoutes: RoutesPlugin = (ctx) => async (app) => {
  const chats = new ChatService(ctx);

  for (const { action, summary, change } of SETTINGS) {
    app.post(
      `/sessions/:sessionId/chats/:jid/${action}`,
      {
        preValidation: absentBodyIsEmpty,
        schema: {
          tags,
          summary,
          description: KNOWN_CHAT,
          params: ChatParams,
          body: NoOptionsBody,
          response: { 200: ChatRef, ...authErrors, ...whatsAppErrors },
        },
      },
      async (request) => chats.change(request.principal, request.params.sessionId, request.params.jid, change),
    );
  }

  app.post(
    '/sessions/:sessionId/chats/:jid/mute',
    {
      preValidation: absentBodyIsEmpty,
      schema: {
        tags,
        summary: 'Mute a chat for a number of seconds, or until unmuted',
        description: `${KNOWN_CHAT} isMuted becomes true and metadata.mutedUntil holds the end (ISO 8601) or "forever".`,
        params: ChatParams,
        body: MuteBody,
        response: { 200: ChatRef, ...authErrors, ...whatsAppErrors },
      },
    },
    async (request) => {
      const { duration } = request.body;
      const until = duration == null ? 'forever' : new Date(Date.now() + duration * 1000);
      return chats.change(request.principal, request.params.sessionId, request.params.jid, { kind: 'mute', until });
    },
  );

  app.delete(
    '/sessions/:sessionId/chats/:jid',
    {
      schema: {
        tags,
        summary: 'Delete a chat for me on all my devices',
        description:
          'The chat disappears from your devices (WhatsApp app state) and its Chat row is removed; stored messages stay ' +
          '(as when a chat is deleted on the phone). The chat must be known to the session (404 otherwise).',
        params: ChatParams,
        response: { 204: Type.Null(), ...authErrors, ...whatsAppErrors },
      },
    },
    async (request, reply) => {
      await chats.remove(request.principal, request.params.sessionId, request.params.jid);
      return reply.status(204).send(null);
    },
  );
};
