import type { Principal } from './principal';

interface Entry {
  principal: Principal;
  expiresAt: number;
}

/** Invalidations remembered per user before the oldest are dropped (and older lookups refused wholesale). */
const MAX_REMEMBERED_INVALIDATIONS = 10_000;

/**
 * Keeps recently authenticated users for a few seconds so most requests skip the user lookup.
 * Any change to a user forgets it at once in this process; other processes see it within the TTL.
 *
 * A lookup that was in flight while the user changed (a key rotation, a deactivation) read the row
 * as it was before: it must not put that principal back. So a lookup takes a ticket before it reads,
 * and `set` refuses a principal whose user was invalidated after that ticket.
 */
export class PrincipalCache {
  private readonly byCredential = new Map<string, Entry>();
  private readonly credentialsOf = new Map<string, Set<string>>();
  /** Counts invalidations; a ticket is its value when a lookup starts. */
  private generation = 0;
  /** The generation at which each user was last invalidated. */
  private readonly invalidatedAt = new Map<string, number>();
  /** Tickets older than this are refused: what they would be checked against was forgotten. */
  private floor = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  /** Take before reading the user; pass to `set`. */
  ticket(): number {
    return this.generation;
  }

  get(credential: string): Principal | undefined {
    const entry = this.byCredential.get(credential);
    if (!entry) return undefined;
    if (entry.expiresAt > Date.now()) return entry.principal;
    this.byCredential.delete(credential);
    return undefined;
  }

  /** Caches the principal unless its user was invalidated since `ticket` was taken. */
  set(credential: string, principal: Principal, ticket: number): void {
    if (this.ttlMs <= 0) return;
    if (ticket < this.floor || (this.invalidatedAt.get(principal.id) ?? -1) > ticket) return;
    if (this.byCredential.size >= this.maxEntries) this.dropEntries();
    this.byCredential.set(credential, { principal, expiresAt: Date.now() + this.ttlMs });
    let credentials = this.credentialsOf.get(principal.id);
    if (!credentials) this.credentialsOf.set(principal.id, (credentials = new Set()));
    credentials.add(credential);
  }

  forgetUser(userId: string): void {
    for (const credential of this.credentialsOf.get(userId) ?? []) this.byCredential.delete(credential);
    this.credentialsOf.delete(userId);
    this.generation++;
    if (this.invalidatedAt.size >= MAX_REMEMBERED_INVALIDATIONS) {
      this.invalidatedAt.clear();
      this.floor = this.generation;
    }
    this.invalidatedAt.set(userId, this.generation);
  }

  /** Forgets everyone, including what in-flight lookups would cache. */
  clear(): void {
    this.dropEntries();
    this.generation++;
    this.invalidatedAt.clear();
    this.floor = this.generation;
  }

  private dropEntries(): void {
    this.byCredential.clear();
    this.credentialsOf.clear();
  }
}
