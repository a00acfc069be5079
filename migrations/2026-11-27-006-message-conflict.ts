import { sql, type Kysely } from 'kysely';

// Frozen in time. Issue 10 (hardening): WhatsApp message ids are unique per sender, not per session,
// but Message's unique key is (sessionId, messageId). A message whose id is already stored for another
// chat, direction or sender, and an edit or revoke by someone who may not make it, is kept here instead
// of touching the stored row, so it can be counted and inspected.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('MessageConflict')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('sessionId', 'varchar(36)', (c) => c.notNull())
    .addColumn('kind', sql`enum('MESSAGE','EDIT','REVOKE')`, (c) => c.notNull())
    .addColumn('messageId', sql`varchar(128) COLLATE utf8mb4_bin`, (c) => c.notNull())
    .addColumn('chatId', 'varchar(128)', (c) => c.notNull())
    .addColumn('fromMe', 'boolean', (c) => c.notNull())
    .addColumn('fromJid', 'varchar(128)', (c) => c.notNull().defaultTo(''))
    .addColumn('content', 'json', (c) => c.notNull())
    .addColumn('timestamp', sql`datetime(3)`, (c) => c.notNull())
    .addColumn('metadata', 'json')
    .addColumn('createdAt', sql`datetime(3)`, (c) => c.notNull().defaultTo(sql`CURRENT_TIMESTAMP(3)`))
    .addForeignKeyConstraint('MessageConflict_sessionId_fkey', ['sessionId'], 'Session', ['id'], (fk) =>
      fk.onDelete('cascade').onUpdate('cascade'),
    )
    .modifyEnd(sql`ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`)
    .execute();
  // One row per conflicting message (or refused change) and place: seeing it again (a redelivery, a history
  // sync, Baileys reporting an edit twice) does not count it twice.
  await db.schema
    .createIndex('MessageConflict_place_key')
    .unique()
    .on('MessageConflict')
    .columns(['sessionId', 'messageId', 'kind', 'chatId', 'fromMe', 'fromJid'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('MessageConflict').ifExists().execute();
}
