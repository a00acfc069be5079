import { sql, type Kysely } from 'kysely';

// Frozen in time. The Signal key store of each WhatsApp session (pre-keys, sessions, sender keys,
// app-state keys, LID mappings, device lists, ...), one row per key, so a key update never
// rewrites the whole credentials blob in Session.authData. Key ids are case-sensitive (base64).

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('SessionKey')
    .addColumn('sessionId', 'varchar(36)', (c) => c.notNull())
    .addColumn('type', sql`varchar(64) COLLATE utf8mb4_bin`, (c) => c.notNull())
    .addColumn('keyId', sql`varchar(255) COLLATE utf8mb4_bin`, (c) => c.notNull())
    .addColumn('value', sql`longtext`, (c) => c.notNull())
    .addColumn('updatedAt', sql`datetime(3)`, (c) =>
      c
        .notNull()
        .defaultTo(sql`CURRENT_TIMESTAMP(3)`)
        .modifyEnd(sql`ON UPDATE CURRENT_TIMESTAMP(3)`),
    )
    .addPrimaryKeyConstraint('SessionKey_pkey', ['sessionId', 'type', 'keyId'])
    .addForeignKeyConstraint('SessionKey_sessionId_fkey', ['sessionId'], 'Session', ['id'], (fk) =>
      fk.onDelete('cascade').onUpdate('cascade'),
    )
    .modifyEnd(sql`ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('SessionKey').ifExists().execute();
}
