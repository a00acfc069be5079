import { createSigner, createVerifier } from 'fast-jwt';
import type { TokenVerifier } from './authenticator';

const ISSUER = 'baileys-api';

/** Signed, expiring login tokens (HS256), usable as Bearer credentials. */
export class LoginTokens implements TokenVerifier {
  private readonly sign: (payload: Record<string, unknown>) => string;
  private readonly check: (token: string) => { sub?: unknown };

  constructor(
    secret: string,
    readonly ttlSeconds: number,
  ) {
    this.sign = createSigner({ key: secret, algorithm: 'HS256', iss: ISSUER, expiresIn: ttlSeconds * 1000 });
    this.check = createVerifier({ key: secret, algorithms: ['HS256'], allowedIss: ISSUER, cache: 1000 });
  }

  issue(userId: string): { token: string; expiresAt: Date } {
    return { token: this.sign({ sub: userId }), expiresAt: new Date(Date.now() + this.ttlSeconds * 1000) };
  }

  verify(token: string): string {
    const { sub } = this.check(token);
    if (typeof sub !== 'string') throw new Error('token has no subject');
    return sub;
  }
}
