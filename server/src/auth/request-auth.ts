import type { FastifyReply, FastifyRequest, onRequestHookHandler, preHandlerHookHandler } from 'fastify';
import { forbidden, unauthorized } from '../http/errors';
import type { Authenticator } from './authenticator';
import type { Principal } from './principal';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
  }
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/** Credentials come from `Authorization: Bearer` or `X-API-Key`, never from the query string. */
function presentedCredential(request: FastifyRequest): { credential: string; source: 'bearer' | 'x-api-key' } | null {
  const authorization = request.headers.authorization;
  if (typeof authorization === 'string') {
    const match = BEARER.exec(authorization);
    if (!match) throw unauthorized('Authorization header must be "Bearer <API key or token>"');
    return { credential: match[1]!, source: 'bearer' };
  }
  const apiKey = request.headers['x-api-key'];
  if (typeof apiKey === 'string' && apiKey.length > 0) return { credential: apiKey.trim(), source: 'x-api-key' };
  return null;
}

export function authenticateRequest(authenticator: Authenticator): onRequestHookHandler {
  return async (request: FastifyRequest, _reply: FastifyReply) => {
    const presented = presentedCredential(request);
    if (!presented) throw unauthorized('Missing credentials: send "Authorization: Bearer <API key>" or "X-API-Key: <API key>"');
    const outcome = await authenticator.authenticate(presented.credential, presented.source);
    if ('failure' in outcome) throw unauthorized(outcome.failure);
    request.principal = outcome.principal;
  };
}

export const requireAdmin: preHandlerHookHandler = async (request) => {
  if (request.principal.role !== 'ADMIN') throw forbidden('This route needs the ADMIN role');
};
