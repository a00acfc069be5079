import { sql, type Kysely } from 'kysely';

// Frozen in time. Issue 11 (many processes on one database): each gateway process heartbeats a row and
// owns the sessions it runs through a lease with an epoch (the fencing token every runtime write is
// checked against), live while its owner's heartbeat is; secrets every process must share (the login-token key) live in the database when the
// environment does not give them.

const table = sql`ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`;

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('GatewayProcess')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('address', 'varchar(255)')
    .addColumn('startedAt', sql`datetime(3)`, (c) => c.notNull())
    .addColumn('heartbeatAt', sql`datetime(3)`, (c) => c.notNull())
    .addColumn('stoppingAt', sql`datetime(3)`)
    .modifyEnd(table)
    .execute();
  await db.schema.createIndex('GatewayProcess_heartbeatAt_idx').on('GatewayProcess').column('heartbeatAt').execute();

  await db.schema
    .createTable('SessionLease')
    .addColumn('sessionId', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('ownerId', 'varchar(36)')
    .addColumn('epoch', 'bigint', (c) => c.unsigned().notNull().defaultTo(0))
    .addForeignKeyConstraint('SessionLease_sessionId_fkey', ['sessionId'], 'Session', ['id'], (fk) =>
      fk.onDelete('cascade').onUpdate('cascade'),
    )
    .modifyEnd(table)
    .execute();
  await db.schema.createIndex('SessionLease_ownerId_idx').on('SessionLease').column('ownerId').execute();

  await db.schema
    .createTable('GatewaySecret')
    .addColumn('name', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('value', 'varchar(255)', (c) => c.notNull())
    .addColumn('createdAt', sql`datetime(3)`, (c) => c.notNull().defaultTo(sql`CURRENT_TIMESTAMP(3)`))
    .modifyEnd(table)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('GatewaySecret').ifExists().execute();
  await db.schema.dropTable('SessionLease').ifExists().execute();
  await db.schema.dropTable('GatewayProcess').ifExists().execute();
}
