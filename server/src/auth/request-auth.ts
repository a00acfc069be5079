import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction, onRequestHookHandler, preHandlerHookHandler } from 'fastify';
import { forbidden, HttpError, unauthorized } from '../http/errors';
import { looksLikeApiKey } from './api-keys';
import type { AuthOutcome, Authenticator } from './authenticator';
import type { LoginThrottle } from './login-throttle';
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

/**
 * Authenticates the request. With `failures`, a client address whose presented credentials were rejected
 * too often in the window gets 429 (with Retry-After) without its credential being looked at, so keys and
 * tokens cannot be guessed at the API's rate; only failures are counted, a success costs one map lookup.
 */
export function authenticateRequest(authenticator: Authenticator, failures?: LoginThrottle): onRequestHookHandler {
  return (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
    let presented: ReturnType<typeof presentedCredential>;
    try {
      presented = presentedCredential(request);
    } catch (error) {
      return done(error as Error);
    }
    if (!presented) return done(unauthorized('Missing credentials: send "Authorization: Bearer <API key>" or "X-API-Key: <API key>"'));
    const retryAfter = failures?.refusedFor(request.ip) ?? 0;
    if (retryAfter > 0) {
      reply.header('retry-after', String(retryAfter));
      return done(new HttpError(429, `Too many failed authentications from this address; retry in ${retryAfter} seconds`));
    }
    const kind = looksLikeApiKey(presented.credential) ? 'api-key' : 'token';
    const settle = (outcome: AuthOutcome) => {
      if ('failure' in outcome) {
        failures?.failed(request.ip);
        return done(unauthorized(outcome.failure));
      }
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
