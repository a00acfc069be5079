import { sql, type ColumnDefinitionBuilder, type CreateTableBuilder, type Kysely } from 'kysely';

// Frozen in time: this file describes the schema as of its date and is never edited afterwards.

const ID = 'varchar(36)';
const JID = 'varchar(128)';
const TABLE_OPTIONS = sql`ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`;

const enumOf = (...values: string[]) => sql.raw(`enum(${values.map((v) => `'${v}'`).join(',')})`);

const now = (column: ColumnDefinitionBuilder) => column.notNull().defaultTo(sql`CURRENT_TIMESTAMP(3)`);
const onUpdateNow = (column: ColumnDefinitionBuilder) =>
  column
    .notNull()
    .defaultTo(sql`CURRENT_TIMESTAMP(3)`)
    .modifyEnd(sql`ON UPDATE CURRENT_TIMESTAMP(3)`);

type TableBuilder = CreateTableBuilder<string, string>;

function withTimestamps(table: TableBuilder): TableBuilder {
  return table.addColumn('createdAt', sql`datetime(3)`, now).addColumn('updatedAt', sql`datetime(3)`, onUpdateNow);
}

function belongsTo(table: TableBuilder, name: string, column: string, parent: string): TableBuilder {
  return table
    .addColumn(column, ID, (c) => c.notNull())
    .addForeignKeyConstraint(`${name}_${column}_fkey`, [column], parent, ['id'], (fk) => fk.onDelete('cascade').onUpdate('cascade'));
}

export async function up(db: Kysely<any>): Promise<void> {
  await withTimestamps(
    db.schema
      .createTable('User')
      .addColumn('id', ID, (c) => c.primaryKey())
      .addColumn('email', 'varchar(255)', (c) => c.notNull())
      .addColumn('name', 'varchar(255)')
      .addColumn('password', 'varchar(255)', (c) => c.notNull())
      .addColumn('apiKey', 'varchar(64)', (c) => c.notNull())
      .addColumn('isActive', 'boolean', (c) => c.notNull().defaultTo(true))
      .addColumn('role', enumOf('USER', 'ADMIN'), (c) => c.notNull().defaultTo('USER')),
  )
    .addUniqueConstraint('User_email_key', ['email'])
    .addUniqueConstraint('User_apiKey_key', ['apiKey'])
    .modifyEnd(TABLE_OPTIONS)
    .execute();

  await belongsTo(
    withTimestamps(
      db.schema
        .createTable('Session')
        .addColumn('id', ID, (c) => c.primaryKey())
        .addColumn('sessionId', 'varchar(100)', (c) => c.notNull())
        .addColumn('phoneNumber', 'varchar(32)')
        .addColumn('name', 'varchar(255)')
        .addColumn('status', enumOf('CONNECTING', 'CONNECTED', 'DISCONNECTED', 'QR_REQUIRED', 'PAIRING_REQUIRED', 'ERROR'), (c) =>
          c.notNull().defaultTo('DISCONNECTED'),
        )
        .addColumn('qrCode', 'text')
        .addColumn('pairingCode', 'varchar(32)')
        .addColumn('lastSeen', sql`datetime(3)`)
        .addColumn('isActive', 'boolean', (c) => c.notNull().defaultTo(true))
        .addColumn('authData', 'json')
        .addColumn('metadata', 'json'),
    ),
    'Session',
    'userId',
    'User',
  )
    .addColumn('workflowId', 'varchar(255)')
    .addUniqueConstraint('Session_sessionId_key', ['sessionId'])
    .modifyEnd(TABLE_OPTIONS)
    .execute();

  await belongsTo(
    withTimestamps(
      db.schema
        .createTable('Message')
        .addColumn('id', ID, (c) => c.primaryKey())
        .addColumn('messageId', sql`varchar(128) COLLATE utf8mb4_bin`, (c) => c.notNull()) // WhatsApp ids are case-sensitive
        .addColumn('chatId', JID, (c) => c.notNull())
        .addColumn('fromMe', 'boolean', (c) => c.notNull())
        .addColumn('fromJid', JID)
        .addColumn('toJid', JID, (c) => c.notNull())
        .addColumn(
          'messageType',
          enumOf(
            'TEXT',
            'IMAGE',
            'VIDEO',
            'AUDIO',
            'DOCUMENT',
            'STICKER',
            'LOCATION',
            'CONTACT',
            'POLL',
            'REACTION',
            'BUTTON_REPLY',
            'LIST_REPLY',
          ),
          (c) => c.notNull(),
        )
        .addColumn('content', 'json', (c) => c.notNull())
        .addColumn('status', enumOf('PENDING', 'SENT', 'DELIVERED', 'READ', 'FAILED'), (c) => c.notNull().defaultTo('PENDING'))
        .addColumn('timestamp', sql`datetime(3)`, (c) => c.notNull())
        .addColumn('quotedMessage', 'varchar(128)')
        .addColumn('metadata', 'json'),
    ),
    'Message',
    'sessionId',
    'Session',
  )
    .addUniqueConstraint('Message_sessionId_messageId_key', ['sessionId', 'messageId'])
    .modifyEnd(TABLE_OPTIONS)
    .execute();

  await belongsTo(
    withTimestamps(
      db.schema
        .createTable('Chat')
        .addColumn('id', ID, (c) => c.primaryKey())
        .addColumn('jid', JID, (c) => c.notNull())
        .addColumn('name', 'varchar(255)')
        .addColumn('isGroup', 'boolean', (c) => c.notNull().defaultTo(false))
        .addColumn('isArchived', 'boolean', (c) => c.notNull().defaultTo(false))
        .addColumn('isPinned', 'boolean', (c) => c.notNull().defaultTo(false))
        .addColumn('isMuted', 'boolean', (c) => c.notNull().defaultTo(false))
        .addColumn('unreadCount', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('lastMessage', 'json')
        .addColumn('metadata', 'json'),
    ),
    'Chat',
    'sessionId',
    'Session',
  )
    .addUniqueConstraint('Chat_sessionId_jid_key', ['sessionId', 'jid'])
    .modifyEnd(TABLE_OPTIONS)
    .execute();

  await belongsTo(
    withTimestamps(
      db.schema
        .createTable('Contact')
        .addColumn('id', ID, (c) => c.primaryKey())
        .addColumn('jid', JID, (c) => c.notNull())
        .addColumn('name', 'varchar(255)')
        .addColumn('pushName', 'varchar(255)')
        .addColumn('profilePicUrl', 'text')
        .addColumn('isBlocked', 'boolean', (c) => c.notNull().defaultTo(false))
        .addColumn('metadata', 'json'),
    ),
    'Contact',
    'sessionId',
    'Session',
  )
    .addUniqueConstraint('Contact_sessionId_jid_key', ['sessionId', 'jid'])
    .modifyEnd(TABLE_OPTIONS)
    .execute();

  await belongsTo(
    withTimestamps(
      db.schema
        .createTable('Group')
        .addColumn('id', ID, (c) => c.primaryKey())
        .addColumn('jid', JID, (c) => c.notNull())
        .addColumn('subject', 'varchar(255)')
        .addColumn('description', 'text')
        .addColumn('owner', JID)
        .addColumn('participants', 'json')
        .addColumn('settings', 'json')
        .addColumn('metadata', 'json'),
    ),
    'Group',
    'sessionId',
    'Session',
  )
    .addUniqueConstraint('Group_sessionId_jid_key', ['sessionId', 'jid'])
    .modifyEnd(TABLE_OPTIONS)
    .execute();

  await belongsTo(
    withTimestamps(
      db.schema
        .createTable('Webhook')
        .addColumn('id', ID, (c) => c.primaryKey())
        .addColumn('url', 'varchar(2048)', (c) => c.notNull())
        .addColumn('event', 'varchar(255)', (c) => c.notNull())
        .addColumn('secret', 'varchar(255)')
        .addColumn('isActive', 'boolean', (c) => c.notNull().defaultTo(true))
        .addColumn('retries', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('maxRetries', 'integer', (c) => c.notNull().defaultTo(3))
        .addColumn('lastError', 'text')
        .addColumn('metadata', 'json'),
    ),
    'Webhook',
    'userId',
    'User',
  )
    .modifyEnd(TABLE_OPTIONS)
    .execute();

  await belongsTo(
    withTimestamps(
      db.schema
        .createTable('WebhookDelivery')
        .addColumn('id', ID, (c) => c.primaryKey())
        .addColumn('event', 'varchar(255)', (c) => c.notNull())
        .addColumn('payload', 'json', (c) => c.notNull())
        .addColumn('status', enumOf('PENDING', 'SUCCESS', 'FAILED', 'RETRYING'), (c) => c.notNull().defaultTo('PENDING'))
        .addColumn('response', 'text')
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('nextRetry', sql`datetime(3)`),
    ),
    'WebhookDelivery',
    'webhookId',
    'Webhook',
  )
    .modifyEnd(TABLE_OPTIONS)
    .execute();

  await belongsTo(
    db.schema
      .createTable('ApiUsage')
      .addColumn('id', ID, (c) => c.primaryKey())
      .addColumn('endpoint', 'varchar(255)', (c) => c.notNull())
      .addColumn('method', 'varchar(16)', (c) => c.notNull())
      .addColumn('status', 'integer', (c) => c.notNull())
      .addColumn('duration', 'integer', (c) => c.notNull())
      .addColumn('timestamp', sql`datetime(3)`, now),
    'ApiUsage',
    'userId',
    'User',
  )
    .modifyEnd(TABLE_OPTIONS)
    .execute();

  await db.schema.createIndex('Session_userId_idx').on('Session').column('userId').execute();
  await db.schema.createIndex('Session_workflowId_idx').on('Session').column('workflowId').execute();
  await db.schema
    .createIndex('Message_sessionId_chatId_timestamp_idx')
    .on('Message')
    .columns(['sessionId', 'chatId', 'timestamp'])
    .execute();
  await db.schema.createIndex('Message_sessionId_timestamp_idx').on('Message').columns(['sessionId', 'timestamp']).execute();
  await db.schema.createIndex('Webhook_userId_idx').on('Webhook').column('userId').execute();
  await db.schema.createIndex('WebhookDelivery_webhookId_idx').on('WebhookDelivery').column('webhookId').execute();
  await db.schema.createIndex('WebhookDelivery_status_nextRetry_idx').on('WebhookDelivery').columns(['status', 'nextRetry']).execute();
  await db.schema.createIndex('ApiUsage_userId_timestamp_idx').on('ApiUsage').columns(['userId', 'timestamp']).execute();
  await db.schema.createIndex('ApiUsage_timestamp_idx').on('ApiUsage').column('timestamp').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['ApiUsage', 'WebhookDelivery', 'Webhook', 'Group', 'Contact', 'Chat', 'Message', 'Session', 'User']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
