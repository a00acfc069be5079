import { authErrors, errors } from '../http/schemas';
import type { RoutesPlugin } from '../http/typebox';
import { SessionParams } from '../sessions/session-schemas';
import {
  CreateGroupBody,
  GroupParams,
  GroupQuery,
  GroupRef,
  InviteCodeResponse,
  JoinGroupBody,
  MembershipResponse,
  ParticipantsBody,
  ParticipantsResponse,
  UpdateGroupBody,
} from './group-schemas';
import { GroupService, toGroupJid } from './group-service';

/** Failures of a route that talks to WhatsApp: not connected 409, refused 422, failed 502, no answer 504. */
const whatsappErrors = errors(404, 409, 422, 502, 504);
const tags = ['groups'];

/** Creating, reading, changing, joining and leaving groups on WhatsApp; the Group rows follow each change. */
export const groupRoutes: RoutesPlugin = (ctx) => async (app) => {
  const groups = new GroupService(ctx.db, ctx.sessions, ctx.ingest);

  app.post(
    '/sessions/:sessionId/groups',
    {
      schema: {
        tags,
        summary: 'Create a group with these participants',
        description: 'People WhatsApp would not add (privacy settings) are left out of participants; add them with an invite link.',
        params: SessionParams,
        body: CreateGroupBody,
        response: { 201: GroupRef, ...authErrors, ...whatsappErrors },
      },
    },
    async (request, reply) => {
      reply.status(201);
      return groups.create(request.principal, request.params.sessionId, request.body);
    },
  );

  app.post(
    '/sessions/:sessionId/groups/join',
    {
      schema: {
        tags,
        summary: 'Join a group by its invite code or link',
        description: 'A revoked or unknown code is refused by WhatsApp (422).',
        params: SessionParams,
        body: JoinGroupBody,
        response: { 200: MembershipResponse, ...authErrors, ...whatsappErrors },
      },
    },
    async (request) => groups.join(request.principal, request.params.sessionId, request.body.code),
  );

  app.get(
    '/sessions/:sessionId/groups/:groupJid',
    {
      schema: {
        tags,
        summary: 'A group as WhatsApp describes it now (the stored row is updated)',
        description:
          'With cached=true the stored row is answered without asking WhatsApp. A group WhatsApp does not know is a 404; one this session is not in is refused by WhatsApp (422).',
        params: GroupParams,
        querystring: GroupQuery,
        response: { 200: GroupRef, ...authErrors, ...whatsappErrors },
      },
    },
    async (request) => groups.get(request.principal, request.params.sessionId, toGroupJid(request.params.groupJid), request.query.cached),
  );

  app.patch(
    '/sessions/:sessionId/groups/:groupJid',
    {
      schema: {
        tags,
        summary: 'Change the subject, description or settings',
        description:
          'announcement: only admins send messages; locked: only admins edit the group’s info. Rights are checked before anything changes: ' +
          'a change this session may not make is refused as a whole (422).',
        params: GroupParams,
        body: UpdateGroupBody,
        response: { 200: GroupRef, ...authErrors, ...whatsappErrors },
      },
    },
    async (request) => groups.update(request.principal, request.params.sessionId, toGroupJid(request.params.groupJid), request.body),
  );

  app.post(
    '/sessions/:sessionId/groups/:groupJid/participants',
    {
      schema: {
        tags,
        summary: 'Add, remove, promote or demote participants',
        description:
          'Answers 200 with WhatsApp’s result for each participant (status 200 when done, otherwise its error code and what it means).',
        params: GroupParams,
        body: ParticipantsBody,
        response: { 200: ParticipantsResponse, ...authErrors, ...whatsappErrors },
      },
    },
    async (request) =>
      groups.changeParticipants(request.principal, request.params.sessionId, toGroupJid(request.params.groupJid), request.body),
  );

  app.get(
    '/sessions/:sessionId/groups/:groupJid/invite-code',
    {
      schema: {
        tags,
        summary: 'The group’s invite code and link (admins only)',
        params: GroupParams,
        response: { 200: InviteCodeResponse, ...authErrors, ...whatsappErrors },
      },
    },
    async (request) => groups.inviteCode(request.principal, request.params.sessionId, toGroupJid(request.params.groupJid), false),
  );

  app.post(
    '/sessions/:sessionId/groups/:groupJid/invite-code/revoke',
    {
      schema: {
        tags,
        summary: 'Replace the invite code; the old link stops working',
        params: GroupParams,
        response: { 200: InviteCodeResponse, ...authErrors, ...whatsappErrors },
      },
    },
    async (request) => groups.inviteCode(request.principal, request.params.sessionId, toGroupJid(request.params.groupJid), true),
  );

  app.post(
    '/sessions/:sessionId/groups/:groupJid/leave',
    {
      schema: {
        tags,
        summary: 'Leave the group',
        description: 'The stored group stays (with its chat and messages) and shows isMember false.',
        params: GroupParams,
        response: { 200: MembershipResponse, ...authErrors, ...whatsappErrors },
      },
    },
    async (request) => groups.leave(request.principal, request.params.sessionId, toGroupJid(request.params.groupJid)),
  );
};
