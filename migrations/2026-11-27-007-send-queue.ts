import { sql, type Kysely } from 'kysely';

// Frozen in time. Issue 11, "persisted, paced send queue": accepted sends are written before they are
// sent, so they survive a crash. Helper tables, beside the documented nine:
// - SessionPacing: per session, how fast queued messages go out (per minute, jitter, typing indicator,
//   daily cap) and whether single sends are paced too.
// - SendBulkJob: one bulk send (one content, many recipients) and whether it was cancelled.
// - SendQueue: one accepted send. Unique (sessionId, messageId): the WhatsApp id is chosen on
//   acceptance (derived from the Idempotency-Key when there is one), so a key is claimed by inserting
//   the row, in every process at once, and a re-sent row goes out under the same id.
// Indexes: the claim (a session's due rows in order), the daily count and last paced send (sentAt),
// a bulk job's rows in recipient order, and finished rows and jobs by age (pruning).

const TABLE_OPTIONS = sql`ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`;

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('SessionPacing')
    .addColumn('sessionId', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('paceSingleSends', 'boolean', (c) => c.notNull())
    .addColumn('messagesPerMinute', 'integer', (c) => c.notNull())
    .addColumn('jitterMs', 'integer', (c) => c.notNull())
    .addColumn('typingMs', 'integer', (c) => c.notNull())
    .addColumn('dailyCap', 'integer', (c) => c.notNull())
    .addColumn('updatedAt', sql`datetime(3)`, (c) =>
      c
        .notNull()
        .defaultTo(sql`CURRENT_TIMESTAMP(3)`)
        .modifyEnd(sql`ON UPDATE CURRENT_TIMESTAMP(3)`),
    )
    .addForeignKeyConstraint('SessionPacing_sessionId_fkey', ['sessionId'], 'Session', ['id'], (fk) =>
      fk.onDelete('cascade').onUpdate('cascade'),
    )
    .modifyEnd(TABLE_OPTIONS)
    .execute();

  await db.schema
    .createTable('SendBulkJob')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('sessionId', 'varchar(36)', (c) => c.notNull())
    .addColumn('userId', 'varchar(36)', (c) => c.notNull())
    .addColumn('template', sql`longtext`, (c) => c.notNull())
    .addColumn('total', 'integer', (c) => c.notNull())
    .addColumn('cancelledAt', sql`datetime(3)`)
    .addColumn('createdAt', sql`datetime(3)`, (c) => c.notNull().defaultTo(sql`CURRENT_TIMESTAMP(3)`))
    .addForeignKeyConstraint('SendBulkJob_sessionId_fkey', ['sessionId'], 'Session', ['id'], (fk) =>
      fk.onDelete('cascade').onUpdate('cascade'),
    )
    .addForeignKeyConstraint('SendBulkJob_userId_fkey', ['userId'], 'User', ['id'], (fk) => fk.onDelete('cascade').onUpdate('cascade'))
    .modifyEnd(TABLE_OPTIONS)
    .execute();
  await db.schema.createIndex('SendBulkJob_sessionId_createdAt_idx').on('SendBulkJob').columns(['sessionId', 'createdAt']).execute();
  await db.schema.createIndex('SendBulkJob_createdAt_idx').on('SendBulkJob').column('createdAt').execute();

  await db.schema
    .createTable('SendQueue')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('sessionId', 'varchar(36)', (c) => c.notNull())
    .addColumn('userId', 'varchar(36)', (c) => c.notNull())
    .addColumn('messageId', 'varchar(128)', (c) => c.notNull())
    .addColumn('idempotencyKey', 'varchar(255)')
    .addColumn('requestHash', 'char(64)')
    .addColumn('request', sql`longtext`, (c) => c.notNull())
    .addColumn('paced', 'boolean', (c) => c.notNull())
    .addColumn('status', sql`enum('QUEUED','SENDING','SENT','FAILED','CANCELLED')`, (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('leaseUntil', sql`datetime(3)`)
    .addColumn('error', 'text')
    .addColumn('errorStatus', 'integer')
    .addColumn('bulkJobId', 'varchar(36)')
    .addColumn('bulkIndex', 'integer')
    .addColumn('createdAt', sql`datetime(3)`, (c) => c.notNull().defaultTo(sql`CURRENT_TIMESTAMP(3)`))
    .addColumn('updatedAt', sql`datetime(3)`, (c) =>
      c
        .notNull()
        .defaultTo(sql`CURRENT_TIMESTAMP(3)`)
        .modifyEnd(sql`ON UPDATE CURRENT_TIMESTAMP(3)`),
    )
    .addColumn('sentAt', sql`datetime(3)`)
    .addUniqueConstraint('SendQueue_sessionId_messageId_key', ['sessionId', 'messageId'])
    .addForeignKeyConstraint('SendQueue_sessionId_fkey', ['sessionId'], 'Session', ['id'], (fk) =>
      fk.onDelete('cascade').onUpdate('cascade'),
    )
    .addForeignKeyConstraint('SendQueue_userId_fkey', ['userId'], 'User', ['id'], (fk) => fk.onDelete('cascade').onUpdate('cascade'))
    .addForeignKeyConstraint('SendQueue_bulkJobId_fkey', ['bulkJobId'], 'SendBulkJob', ['id'], (fk) =>
      fk.onDelete('cascade').onUpdate('cascade'),
    )
    .modifyEnd(TABLE_OPTIONS)
    .execute();
  await db.schema.createIndex('SendQueue_claim_idx').on('SendQueue').columns(['sessionId', 'paced', 'status', 'createdAt']).execute();
  await db.schema.createIndex('SendQueue_sessionId_paced_sentAt_idx').on('SendQueue').columns(['sessionId', 'paced', 'sentAt']).execute();
  await db.schema.createIndex('SendQueue_status_updatedAt_idx').on('SendQueue').columns(['status', 'updatedAt']).execute();
  await db.schema.createIndex('SendQueue_bulkJobId_bulkIndex_idx').on('SendQueue').columns(['bulkJobId', 'bulkIndex']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['SendQueue', 'SendBulkJob', 'SessionPacing']) await db.schema.dropTable(table).ifExists().execute();
}
