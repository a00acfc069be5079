import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction, onRequestHookHandler, preHandlerHookHandler } from 'fastify';
import { forbidden, unauthorized } from '../http/errors';
import { looksLikeApiKey } from './api-keys';
import type { AuthOutcome, Authenticator } from './authenticator';
import type { Principal } from './principal';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
    /** How the caller authenticated: an API key, or a login token (from a password login). */
    credentialKind: 'api-key' | 'token';
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
  return (request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction) => {
    let presented: ReturnType<typeof presentedCredential>;
    try {
      presented = presentedCredential(request);
    } catch (error) {
      return done(error as Error);
    }
    if (!presented) return done(unauthorized('Missing credentials: send "Authorization: Bearer <API key>" or "X-API-Key: <API key>"'));
    const kind = looksLikeApiKey(presented.credential) ? 'api-key' : 'token';
    const settle = (outcome: AuthOutcome) => {
      if ('failure' in outcome) return done(unauthorized(outcome.failure));
      request.principal = outcome.principal;
      request.credentialKind = kind;
      done();
    };
    const outcome = authenticator.authenticate(presented.credential, presented.source);
    if (outcome instanceof Promise) outcome.then(settle, done);
    else settle(outcome);
  };
}

export const requireAdmin: preHandlerHookHandler = async (request) => {
  if (request.principal.role !== 'ADMIN') throw forbidden('This route needs the ADMIN role');
};
