import { sql, type Kysely } from 'kysely';

// Frozen in time. Durable webhook delivery (issue 8) needs state the nine documented tables have no
// column for, kept in helper tables:
// - WebhookSettings: per webhook, the routing (n8n workflow, session filter) and the previous secret
//   that keeps signing during a rotation's grace period.
// - WebhookDeliveryAttempt: one row per HTTP attempt of a WebhookDelivery (request headers, response,
//   timing), so the delivery log shows every attempt; WebhookDelivery keeps the latest state.
// - SessionEventSequence: the last event sequence number handed out per session.
// Indexes: deliveries of a webhook newest first (the log), and deliveries by creation (pruning), on a
// column no update touches so that claiming and recording move no entries of it.

const TABLE_OPTIONS = sql`ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`;

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('WebhookSettings')
    .addColumn('webhookId', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('workflowId', 'varchar(255)')
    .addColumn('sessionIds', 'json')
    .addColumn('previousSecret', 'varchar(255)')
    .addColumn('previousSecretExpiresAt', sql`datetime(3)`)
    .addForeignKeyConstraint('WebhookSettings_webhookId_fkey', ['webhookId'], 'Webhook', ['id'], (fk) =>
      fk.onDelete('cascade').onUpdate('cascade'),
    )
    .modifyEnd(TABLE_OPTIONS)
    .execute();
  await db.schema.createIndex('WebhookSettings_workflowId_idx').on('WebhookSettings').column('workflowId').execute();

  await db.schema
    .createTable('WebhookDeliveryAttempt')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('deliveryId', 'varchar(36)', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('startedAt', sql`datetime(3)`, (c) => c.notNull())
    .addColumn('durationMs', 'integer', (c) => c.notNull())
    .addColumn('statusCode', 'integer')
    .addColumn('error', 'text')
    .addColumn('response', 'text')
    .addColumn('requestHeaders', 'json', (c) => c.notNull())
    .addForeignKeyConstraint('WebhookDeliveryAttempt_deliveryId_fkey', ['deliveryId'], 'WebhookDelivery', ['id'], (fk) =>
      fk.onDelete('cascade').onUpdate('cascade'),
    )
    .modifyEnd(TABLE_OPTIONS)
    .execute();
  await db.schema
    .createIndex('WebhookDeliveryAttempt_deliveryId_attempt_idx')
    .on('WebhookDeliveryAttempt')
    .columns(['deliveryId', 'attempt'])
    .execute();

  await db.schema
    .createTable('SessionEventSequence')
    .addColumn('sessionId', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('lastSequence', 'bigint', (c) => c.notNull())
    .addForeignKeyConstraint('SessionEventSequence_sessionId_fkey', ['sessionId'], 'Session', ['id'], (fk) =>
      fk.onDelete('cascade').onUpdate('cascade'),
    )
    .modifyEnd(TABLE_OPTIONS)
    .execute();

  await db.schema
    .createIndex('WebhookDelivery_webhookId_createdAt_idx')
    .on('WebhookDelivery')
    .columns(['webhookId', 'createdAt'])
    .execute();
  await db.schema.createIndex('WebhookDelivery_createdAt_idx').on('WebhookDelivery').column('createdAt').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('WebhookDelivery_createdAt_idx').on('WebhookDelivery').execute();
  await db.schema.dropIndex('WebhookDelivery_webhookId_createdAt_idx').on('WebhookDelivery').execute();
  for (const table of ['SessionEventSequence', 'WebhookDeliveryAttempt', 'WebhookSettings']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
