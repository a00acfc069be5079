import { sql, type Kysely } from 'kysely';

// Frozen in time. Issue 10 (accounts and tokens): login tokens carry a version, and changing the
// password or disabling the user raises it, which ends every token issued before. The documented User
// table has no column for it, so it lives in a helper table; a user without a row is at version 0.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('UserTokenVersion')
    .addColumn('userId', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addForeignKeyConstraint('UserTokenVersion_userId_fkey', ['userId'], 'User', ['id'], (fk) => fk.onDelete('cascade').onUpdate('cascade'))
    .modifyEnd(sql`ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('UserTokenVersion').ifExists().execute();
}
