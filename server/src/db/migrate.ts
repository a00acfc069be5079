import { Migrator, type Kysely, type MigrationResultSet } from 'kysely';
import { migrations } from '../../../migrations';

export class MigrationError extends Error {}

const migratorOf = (db: Kysely<any>) => new Migrator({ db, provider: { getMigrations: async () => migrations } });

/**
 * Runs every pending migration. Kysely's MySQL adapter holds GET_LOCK while it migrates, so two
 * processes starting together apply each migration once.
 */
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  return unwrap(await migratorOf(db).migrateToLatest());
}

function unwrap({ error, results }: MigrationResultSet): string[] {
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    const cause = error instanceof Error ? error.message : String(error);
    throw new MigrationError(failed ? `Migration ${failed} failed: ${cause}` : `Migrating failed: ${cause}`);
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Names of the migrations this code has that the database has not applied (all of them on an empty one). */
export async function pendingMigrations(db: Kysely<any>): Promise<string[]> {
  return (await migratorOf(db).getMigrations())
    .filter((migration) => migration.executedAt === undefined)
    .map((migration) => migration.name);
}
