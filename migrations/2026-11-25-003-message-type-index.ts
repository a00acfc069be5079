import type { Kysely } from 'kysely';

// Frozen in time. Message search by type across a session ("all polls", "all images") walks this
// index newest first instead of filtering the (sessionId, timestamp) index row by row, which for a
// rare type means reading most of the session. The primary key (id) ends every InnoDB index, so the
// (timestamp, id) keyset order needs no sort.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex('Message_sessionId_messageType_timestamp_idx')
    .on('Message')
    .columns(['sessionId', 'messageType', 'timestamp'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('Message_sessionId_messageType_timestamp_idx').on('Message').execute();
}
