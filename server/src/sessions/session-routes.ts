import { Type } from '@sinclair/typebox';
import QRCode from 'qrcode';
import { decodeCursor, encodeCursor } from '../db/cursor';
import { authErrors, errors, Page, PageQuery } from '../http/schemas';
import type { RoutesPlugin } from '../http/typebox';
import { CreateSessionBody, PairingCodeBody, QrResponse, SessionParams, SessionRef, UpdateSessionBody } from './session-schemas';

const tags = ['sessions'];
const scoped = { ...authErrors, ...errors(404) };

/** WhatsApp sessions of the caller (all sessions for an admin). */
export const sessionRoutes: RoutesPlugin = (ctx) => async (app) => {
  const service = ctx.sessions;

  app.post(
    '/sessions',
    {
      schema: {
        tags,
        summary: 'Create a session and start connecting: scan its QR, or give phoneNumber to pair by code',
        body: CreateSessionBody,
        response: { 201: SessionRef, ...authErrors, ...errors(409) },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(await service.create(request.principal, request.body, { maxSessionsPerUser: ctx.config.MAX_SESSIONS_PER_USER })),
  );

  app.get(
    '/sessions',
    {
      schema: { tags, summary: 'List sessions, newest first', querystring: PageQuery, response: { 200: Page(SessionRef), ...authErrors } },
    },
    async (request) => {
      const { limit, cursor } = request.query;
      const before = cursor ? decodeCursor(cursor, ['number', 'string']) : undefined;
      const rows = await service.list(
        request.principal,
        limit + 1,
        before ? { createdAt: new Date(before[0] as number), id: before[1] as string } : undefined,
      );
      const last = rows.length > limit ? rows[limit - 1]!.row : undefined;
      return { data: rows.slice(0, limit).map((r) => r.view), nextCursor: last ? encodeCursor([last.createdAt.getTime(), last.id]) : null };
    },
  );

  app.get(
    '/sessions/:sessionId',
    { schema: { tags, summary: 'One session with its live status', params: SessionParams, response: { 200: SessionRef, ...scoped } } },
    async (request) => service.get(request.principal, request.params.sessionId),
  );

  app.patch(
    '/sessions/:sessionId',
    {
      schema: {
        tags,
        summary: 'Rename, tie to an n8n workflow, or (de)activate a session',
        params: SessionParams,
        body: UpdateSessionBody,
        response: { 200: SessionRef, ...scoped },
      },
    },
    async (request) => service.update(request.principal, request.params.sessionId, request.body),
  );

  for (const [action, summary] of [
    ['connect', 'Start connecting (a QR appears if the session is not paired yet)'],
    ['disconnect', 'Close the connection and keep the credentials'],
    ['logout', 'Log the device out of WhatsApp and forget its credentials'],
  ] as const) {
    app.post(
      `/sessions/:sessionId/${action}`,
      { schema: { tags, summary, params: SessionParams, response: { 200: SessionRef, ...scoped } } },
      async (request) => service[action](request.principal, request.params.sessionId),
    );
  }

  app.delete(
    '/sessions/:sessionId',
    {
      schema: {
        tags,
        summary: 'Log out and delete the session with its messages, chats, contacts and groups',
        params: SessionParams,
        response: { 204: Type.Null(), ...scoped },
      },
    },
    async (request, reply) => {
      await service.remove(request.principal, request.params.sessionId);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/sessions/:sessionId/qr',
    {
      schema: {
        tags,
        summary: 'The QR code waiting to be scanned: JSON, or a PNG image with "Accept: image/png"',
        params: SessionParams,
        response: { 200: QrResponse, ...scoped, ...errors(409) },
      },
    },
    async (request, reply) => {
      const { qr, expiresAt } = await service.qr(request.principal, request.params.sessionId);
      const accept = request.headers.accept ?? '';
      if (accept.includes('image/png') && !accept.includes('application/json')) {
        const png = await QRCode.toBuffer(qr, { type: 'png', width: 320, margin: 2 });
        return reply
          .type('image/png')
          .header('cache-control', 'no-store')
          .send(png as never);
      }
      return { qr, expiresAt };
    },
  );

  app.post(
    '/sessions/:sessionId/pairing-code',
    {
      schema: {
        tags,
        summary: 'Pair by code: returns 8 characters to type on the phone (Linked devices → Link with phone number)',
        params: SessionParams,
        body: PairingCodeBody,
        response: { 200: Type.Object({ pairingCode: Type.String() }), ...scoped, ...errors(409, 502) },
      },
    },
    async (request) => ({ pairingCode: await service.pairingCode(request.principal, request.params.sessionId, request.body.phoneNumber) }),
  );
};
