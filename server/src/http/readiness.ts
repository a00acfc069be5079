import type { FastifyBaseLogger } from 'fastify';
import { sql } from 'kysely';
import type { Db } from '../db/database';
import { pendingMigrations } from '../db/migrate';

/**
 * Whether this process should get traffic: not once it is shutting down, not while the database lacks
 * a migration this code needs (checked until all are seen applied once), not while the database does
 * not answer. `check` gives the reason it should not, or undefined.
 */
export class Readiness {
  private migrated = false;
  private stopping = false;

  constructor(
    private readonly db: Db,
    private readonly log: FastifyBaseLogger,
  ) {}

  beginShutdown(): void {
    this.stopping = true;
  }

  async check(): Promise<'shutting down' | 'migrations pending' | 'database unreachable' | undefined> {
    if (this.stopping) return 'shutting down';
    try {
      if (this.migrated) await sql`SELECT 1`.execute(this.db);
      else if ((await pendingMigrations(this.db)).length > 0) return 'migrations pending';
      else this.migrated = true;
    } catch (error) {
      this.log.warn({ err: error }, 'readiness check failed');
      return 'database unreachable';
    }
    return this.stopping ? 'shutting down' : undefined;
  }
}
