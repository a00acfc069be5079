import type { Principal } from './principal';

interface Entry {
  principal: Principal;
  expiresAt: number;
}

/**
 * Keeps recently authenticated users for a few seconds so most requests skip the user lookup.
 * Any change to a user forgets it at once in this process; other processes see it within the TTL.
 */
export class PrincipalCache {
  private readonly byCredential = new Map<string, Entry>();
  private readonly credentialsOf = new Map<string, Set<string>>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  get(credential: string): Principal | undefined {
    const entry = this.byCredential.get(credential);
    if (!entry) return undefined;
    if (entry.expiresAt > Date.now()) return entry.principal;
    this.byCredential.delete(credential);
    return undefined;
  }

  set(credential: string, principal: Principal): void {
    if (this.ttlMs <= 0) return;
    if (this.byCredential.size >= this.maxEntries) this.clear();
    this.byCredential.set(credential, { principal, expiresAt: Date.now() + this.ttlMs });
    let credentials = this.credentialsOf.get(principal.id);
    if (!credentials) this.credentialsOf.set(principal.id, (credentials = new Set()));
    credentials.add(credential);
  }

  forgetUser(userId: string): void {
    for (const credential of this.credentialsOf.get(userId) ?? []) this.byCredential.delete(credential);
    this.credentialsOf.delete(userId);
  }

  clear(): void {
    this.byCredential.clear();
    this.credentialsOf.clear();
  }
}
