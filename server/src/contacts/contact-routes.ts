import { authErrors, errors } from '../http/schemas';
import type { RoutesPlugin } from '../http/typebox';
import { SessionParams } from '../sessions/session-schemas';
import {
  CheckNumbersBody,
  CheckNumbersResponse,
  ContactDetailsResponse,
  ContactParams,
  ContactRef,
  ProfilePictureQuery,
  ProfilePictureResponse,
} from './contact-schemas';
import { ContactService } from './contact-service';

/** Failures of a route that talks to WhatsApp: not connected 409, refused 422, failed 502, no answer 504. */
const whatsappErrors = errors(404, 409, 422, 502, 504);
const tags = ['contacts'];

/** Asking WhatsApp about people and blocking them; the Contact rows follow. */
export const contactRoutes: RoutesPlugin = (ctx) => async (app) => {
  const contacts = new ContactService(ctx.db, ctx.sessions, ctx.ingest);

  app.post(
    '/sessions/:sessionId/contacts/check',
    {
      schema: {
        tags,
        summary: 'Which phone numbers are on WhatsApp',
        description: 'One WhatsApp query for the whole list. Nothing is stored.',
        params: SessionParams,
        body: CheckNumbersBody,
        response: { 200: CheckNumbersResponse, ...authErrors, ...whatsappErrors },
      },
    },
    async (request) => ({ results: await contacts.check(request.principal, request.params.sessionId, request.body.numbers) }),
  );

  app.get(
    '/sessions/:sessionId/contacts/:jid',
    {
      schema: {
        tags,
        summary: 'A contact: stored fields plus about text, business profile and picture from WhatsApp',
        description:
          'The contact row is created or updated with what WhatsApp says (picture URL, about, LID). A number not on WhatsApp and not stored is a 404.',
        params: ContactParams,
        response: { 200: ContactDetailsResponse, ...authErrors, ...whatsappErrors },
      },
    },
    async (request) => contacts.details(request.principal, request.params.sessionId, request.params.jid),
  );

  app.get(
    '/sessions/:sessionId/contacts/:jid/profile-picture',
    {
      schema: {
        tags,
        summary: 'The URL of a contact’s profile picture',
        description: '404 when there is none or their privacy settings hide it. Contact.profilePicUrl is updated either way.',
        params: ContactParams,
        querystring: ProfilePictureQuery,
        response: { 200: ProfilePictureResponse, ...authErrors, ...whatsappErrors },
      },
    },
    async (request) => contacts.profilePicture(request.principal, request.params.sessionId, request.params.jid, request.query.type),
  );

  for (const action of ['block', 'unblock'] as const) {
    app.post(
      `/sessions/:sessionId/contacts/:jid/${action}`,
      {
        schema: {
          tags,
          summary: action === 'block' ? 'Block a contact: their messages and calls no longer arrive' : 'Unblock a contact',
          description: 'Answers the contact with isBlocked updated. A number not on WhatsApp is a 404.',
          params: ContactParams,
          response: { 200: ContactRef, ...authErrors, ...whatsappErrors },
        },
      },
      async (request) => contacts.setBlocked(request.principal, request.params.sessionId, request.params.jid, action === 'block'),
    );
  }
};
