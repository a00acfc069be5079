import { createSigner, createVerifier } from 'fast-jwt';
import type { TokenVerifier, VerifiedToken } from './authenticator';

const ISSUER = 'baileys-api';

/** Signed, expiring login tokens (HS256), usable as Bearer credentials. */
export class LoginTokens implements TokenVerifier {
  private readonly sign: (payload: Record<string, unknown>) => string;
  private readonly check: (token: string) => { sub?: unknown; ver?: unknown };

  constructor(
    secret: string,
    readonly ttlSeconds: number,
  ) {
    this.sign = createSigner({ key: secret, algorithm: 'HS256', iss: ISSUER, expiresIn: ttlSeconds * 1000 });
    this.check = createVerifier({ key: secret, algorithms: ['HS256'], allowedIss: ISSUER, cache: 1000 });
  }

  /** `version` is the user's token version now; raising it later ends this token. */
  issue(userId: string, version: number): { token: string; expiresAt: Date } {
    return { token: this.sign({ sub: userId, ver: version }), expiresAt: new Date(Date.now() + this.ttlSeconds * 1000) };
  }

  verify(token: string): VerifiedToken {
    const { sub, ver } = this.check(token);
    if (typeof sub !== 'string') throw new Error('token has no subject');
    // Tokens from before versions existed carry none: they count as version 0.
    return { userId: sub, version: typeof ver === 'number' ? ver : 0 };
  }
}
