import type { Db } from '../db/database';
import { findUserByApiKeyHash, findUserById, tokenVersionOf } from '../users/user-repository';
import { hashApiKey, looksLikeApiKey, sameHash } from './api-keys';
import { toPrincipal, type Principal } from './principal';
import type { PrincipalCache } from './principal-cache';

export interface VerifiedToken {
  userId: string;
  /** Must equal the user's current token version (raised by a password change or deactivation). */
  version: number;
}

export interface TokenVerifier {
  /** The user a valid, unexpired token names; throws otherwise. */
  verify(token: string): VerifiedToken;
}

export type AuthOutcome = { principal: Principal } | { failure: string };

/** Turns a presented credential (API key or login token) into an active user. */
export class Authenticator {
  constructor(
    private readonly db: Db,
    private readonly tokens: TokenVerifier,
    private readonly cache: PrincipalCache,
  ) {}

  /** Answers synchronously when the user is cached (the common case), otherwise after one lookup. */
  authenticate(credential: string, source: 'bearer' | 'x-api-key'): AuthOutcome | Promise<AuthOutcome> {
    if (looksLikeApiKey(credential)) {
      const hash = hashApiKey(credential);
      const cached = this.cache.get(hash);
      return cached ? { principal: cached } : this.byApiKey(hash);
    }
    if (source === 'x-api-key') return { failure: 'Invalid API key' };
    return this.byToken(credential);
  }

  private async byApiKey(hash: string): Promise<AuthOutcome> {
    const ticket = this.cache.ticket();
    const user = await findUserByApiKeyHash(this.db, hash);
    if (!user || !sameHash(user.apiKey, hash) || !user.isActive) return { failure: 'Invalid API key' };
    const principal = toPrincipal(user);
    this.cache.set(hash, principal, ticket);
    return { principal };
  }

  private async byToken(token: string): Promise<AuthOutcome> {
    let verified: VerifiedToken;
    try {
      verified = this.tokens.verify(token);
    } catch (error) {
      const expired = (error as { code?: string }).code === 'FAST_JWT_EXPIRED';
      return { failure: expired ? 'Token expired' : 'Invalid API key or token' };
    }
    const { userId, version } = verified;
    // The version is part of the key: a cached principal only ever vouches for the version it was checked at.
    const cacheKey = `user:${userId}:v${version}`;
    const cached = this.cache.get(cacheKey);
    if (cached) return { principal: cached };
    const ticket = this.cache.ticket();
    const user = await findUserById(this.db, userId);
    if (!user || !user.isActive) return { failure: 'Invalid API key or token' };
    if ((await tokenVersionOf(this.db, userId)) !== version) {
      return { failure: 'Token no longer valid (password changed or account disabled): log in again' };
    }
    const principal = toPrincipal(user);
    this.cache.set(cacheKey, principal, ticket);
    return { principal };
  }
}
