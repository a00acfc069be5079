import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import { timingSafeEqual } from 'node:crypto';
import { request as send } from 'undici';
import type { Placement, SessionOwnership } from '../whatsapp/ownership/session-ownership';
import { HttpError } from './errors';

declare module 'fastify' {
  interface FastifyRequest {
    /** Sent by another gateway process (see forwardToOwner): already counted and metered there. */
    forwarded: boolean;
  }
}

/** Carries the internal secret on a request one gateway process forwards to another. */
export const FORWARDED_HEADER = 'x-gateway-forwarded';
const FORWARD_TIMEOUT_MS = 120_000;
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'host', 'x-request-id', 'proxy-connection']);
const SESSION_ROUTE = '/api/v1/sessions/:sessionId';
const STARTS_A_SESSION = [`${SESSION_ROUTE}/connect`, `${SESSION_ROUTE}/pairing-code`];

/** Whether the request came from another gateway process (it carries the shared internal secret). */
export function isForwarded(request: FastifyRequest, secret: Buffer): boolean {
  const value = request.headers[FORWARDED_HEADER];
  if (typeof value !== 'string') return false;
  const given = Buffer.from(value);
  return given.length === secret.length && timingSafeEqual(given, secret);
}

/**
 * Sends a request about a session to the process that runs it, and its answer back unchanged: every
 * route under /sessions/:sessionId runs where the session's socket is. A session nobody runs is
 * started on the least-loaded live process (create, connect, pairing code). The other process
 * authenticates and validates the request itself; it does not count it against the rate limit or
 * in ApiUsage again (this process does). A forwarded request is never forwarded a second time.
 */
export function forwardToOwner(ownership: SessionOwnership, secret: Buffer) {
  return async (request: FastifyRequest, reply: FastifyReply, payload: Readable): Promise<Readable> => {
    if (request.forwarded) return payload;
    const placement = await placementFor(ownership, request);
    if (placement.here) return payload;
    await relay(request, reply, payload, placement.address, secret);
    return payload;
  };
}

function placementFor(ownership: SessionOwnership, request: FastifyRequest): Promise<Placement> | Placement {
  const route = request.routeOptions.url ?? '';
  if (route === '/api/v1/sessions' && request.method === 'POST') return ownership.placementOfNew();
  if (!route.startsWith(SESSION_ROUTE)) return { here: true };
  const { sessionId } = request.params as { sessionId: string };
  return ownership.placementOf(sessionId, { starting: request.method === 'POST' && STARTS_A_SESSION.includes(route) });
}

async function relay(request: FastifyRequest, reply: FastifyReply, payload: Readable, address: string, secret: Buffer): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(request.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
  headers[FORWARDED_HEADER] = secret.toString();
  const hasBody = request.headers['content-length'] !== undefined || request.headers['transfer-encoding'] !== undefined;
  let answer;
  try {
    answer = await send(`${address}${request.raw.url}`, {
      method: request.method as 'POST',
      headers,
      body: hasBody ? payload : undefined,
      headersTimeout: FORWARD_TIMEOUT_MS,
      bodyTimeout: FORWARD_TIMEOUT_MS,
    });
  } catch (error) {
    request.log.warn({ err: error, address }, 'the gateway process running this session did not answer');
    reply.header('retry-after', '5');
    throw new HttpError(503, 'The gateway process running this session is not reachable right now; retry in a few seconds');
  }
  reply.code(answer.statusCode);
  for (const [name, value] of Object.entries(answer.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) reply.header(name, value);
  await reply.send(answer.body);
}
