import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { RowDataPacket } from 'mysql2';
import { createConnection, type Connection } from 'mysql2/promise';
import { loadConfig } from '../../server/src/config';
import { openMigratedDatabase } from '../../server/src/server';
import { MYSQL_ROOT_URL, testDatabase } from '../helpers/database';
import { givenSchema, parseSchemaDoc, type DocColumn } from '../helpers/schema-doc';

const repoDoc = path.join(__dirname, '../../docs/schema.md');
const sharedDoc = path.join(__dirname, '../../../shared/schema.md');
const doc = parseSchemaDoc(repoDoc);
/** Tables the issues allow beside the documented nine. */
const HELPER_TABLES = [
  'kysely_migration',
  'kysely_migration_lock',
  'SessionKey',
  'WebhookSettings',
  'WebhookDeliveryAttempt',
  'SessionEventSequence',
  'UserTokenVersion',
  'MessageConflict',
  'GatewayProcess',
  'SessionLease',
  'GatewaySecret',
  'SessionPacing',
  'SendBulkJob',
  'SendQueue',
];

const database = testDatabase('schema');
let connection: Connection;

const rows = async (query: string, params: unknown[] = []) => (await connection.query<RowDataPacket[]>(query, params))[0];

beforeAll(async () => {
  const db = await openMigratedDatabase(loadConfig({ DATABASE_URL: database.url }));
  await db.destroy();
  connection = await createConnection(MYSQL_ROOT_URL);
});
afterAll(async () => {
  await connection?.end();
  await database.drop();
});

it('uses the schema we were given (docs/schema.md is a faithful copy, plus its extensions section)', () => {
  if (existsSync(sharedDoc)) expect(givenSchema(readFileSync(repoDoc, 'utf8'))).toBe(readFileSync(sharedDoc, 'utf8'));
  for (const helper of HELPER_TABLES.filter((name) => !name.startsWith('kysely'))) {
    expect(readFileSync(repoDoc, 'utf8')).toContain(`### ${helper}`);
  }
  expect(doc.tables.map((t) => t.name)).toEqual([
    'User',
    'Session',
    'Message',
    'Chat',
    'Contact',
    'Group',
    'Webhook',
    'WebhookDelivery',
    'ApiUsage',
  ]);
  expect(Object.keys(doc.enums)).toEqual(['Role', 'SessionStatus', 'MessageType', 'MessageStatus', 'WebhookStatus']);
});

it('has exactly the documented tables, in utf8mb4', async () => {
  const tables = await rows(
    'SELECT TABLE_NAME AS name, TABLE_COLLATION AS collation FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?',
    [database.name],
  );
  const documented = doc.tables.map((t) => t.name);
  expect(
    tables
      .map((t) => t.name)
      .filter((n) => !HELPER_TABLES.includes(n))
      .sort(),
  ).toEqual([...documented].sort());
  for (const table of tables) expect(table.collation).toMatch(/^utf8mb4_/);
});

describe.each(doc.tables.map((t) => [t.name, t] as const))('table %s', (tableName, table) => {
  let columns: RowDataPacket[];
  let jsonChecks: string[];

  beforeAll(async () => {
    columns = await rows(
      `SELECT COLUMN_NAME AS name, DATA_TYPE AS dataType, COLUMN_TYPE AS columnType, IS_NULLABLE AS nullable,
              COLUMN_DEFAULT AS defaultValue, EXTRA AS extra, COLUMN_KEY AS columnKey, DATETIME_PRECISION AS precision_,
              CHARACTER_SET_NAME AS charset
         FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`,
      [database.name, tableName],
    );
    jsonChecks = (
      await rows('SELECT CHECK_CLAUSE AS clause FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ? AND TABLE_NAME = ?', [
        database.name,
        tableName,
      ]).catch(() => [])
    ).map((r) => String(r.clause));
  });

  const column = (name: string) => columns.find((c) => c.name === name)!;

  it('has exactly the documented columns', () => {
    expect(columns.map((c) => c.name).sort()).toEqual(table.columns.map((c) => c.name).sort());
  });

  it.each(table.columns.map((c) => [c.name, c] as const))(
    'column %s has the documented type, nullability and default',
    (_n, docColumn: DocColumn) => {
      const actual = column(docColumn.name);
      const { type, constraints } = docColumn;
      if (type === 'String') expect(['varchar', 'text', 'mediumtext']).toContain(actual.dataType);
      else if (type === 'Int') expect(actual.dataType).toBe('int');
      else if (type === 'Boolean') expect(actual.columnType).toBe('tinyint(1)');
      else if (type === 'DateTime') expect([actual.dataType, actual.precision_]).toEqual(['datetime', 3]);
      else if (type === 'Json') {
        const mysqlJson = actual.dataType === 'json';
        const mariadbJson = actual.dataType === 'longtext' && jsonChecks.some((c) => c.includes(`json_valid(\`${docColumn.name}\`)`));
        expect(mysqlJson || mariadbJson).toBe(true);
      } else {
        const values = doc.enums[type];
        expect(values).toBeDefined();
        expect(actual.columnType).toBe(`enum(${values!.map((v) => `'${v}'`).join(',')})`);
      }
      if (['varchar', 'text', 'mediumtext'].includes(actual.dataType)) expect(actual.charset).toBe('utf8mb4');

      const nullable = /Nullable/.test(constraints);
      expect(actual.nullable).toBe(nullable ? 'YES' : 'NO');

      const documentedDefault = /Default: (\S+)/.exec(constraints)?.[1];
      const actualDefault = actual.defaultValue === null ? null : String(actual.defaultValue).replace(/^'|'$/g, '').toLowerCase();
      if (documentedDefault === 'now()' || /On update/.test(constraints)) expect(actualDefault).toBe('current_timestamp(3)');
      else if (documentedDefault === 'true') expect(actualDefault).toBe('1');
      else if (documentedDefault === 'false') expect(actualDefault).toBe('0');
      else if (documentedDefault !== undefined) expect(actualDefault).toBe(documentedDefault.toLowerCase());
      else if (nullable) expect([null, 'null']).toContain(actualDefault);
      else expect(actualDefault).toBeNull();

      expect(/on update current_timestamp\(3\)/i.test(actual.extra)).toBe(/On update/.test(constraints));
      if (/Primary Key/.test(constraints)) expect(actual.columnKey).toBe('PRI');
    },
  );

  it('has the documented unique constraints, single and composite', async () => {
    const indexes = await rows(
      `SELECT INDEX_NAME AS name, GROUP_CONCAT(COLUMN_NAME ORDER BY SEQ_IN_INDEX) AS cols
         FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND NON_UNIQUE = 0 AND INDEX_NAME <> 'PRIMARY'
        GROUP BY INDEX_NAME`,
      [database.name, tableName],
    );
    const expected = [
      ...table.columns.filter((c) => /\bUnique\b/.test(c.constraints)).map((c) => c.name),
      ...table.uniqueCombinations.map((combo) => combo.join(',')),
    ];
    expect(indexes.map((i) => i.cols).sort()).toEqual(expected.sort());
  });

  it('has the documented foreign keys, cascading from parent to child', async () => {
    const foreignKeys = await rows(
      `SELECT k.COLUMN_NAME AS col, k.REFERENCED_TABLE_NAME AS parent, k.REFERENCED_COLUMN_NAME AS parentCol, r.DELETE_RULE AS onDelete
         FROM information_schema.KEY_COLUMN_USAGE k
         JOIN information_schema.REFERENTIAL_CONSTRAINTS r
           ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME AND r.TABLE_NAME = k.TABLE_NAME
        WHERE k.TABLE_SCHEMA = ? AND k.TABLE_NAME = ? AND k.REFERENCED_TABLE_NAME IS NOT NULL`,
      [database.name, tableName],
    );
    const expected = table.columns
      .filter((c) => /Foreign Key/.test(c.constraints))
      .map((c) => {
        const [, parent, parentCol] = /Reference to (\w+)\.(\w+)/.exec(c.description)!;
        return { col: c.name, parent, parentCol, onDelete: 'CASCADE' };
      });
    expect(foreignKeys).toEqual(expected);
  });
});

it('indexes the foreign keys and the columns the queries filter on', async () => {
  const indexed = await rows(
    `SELECT TABLE_NAME AS tbl, GROUP_CONCAT(COLUMN_NAME ORDER BY SEQ_IN_INDEX) AS cols
       FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? GROUP BY TABLE_NAME, INDEX_NAME`,
    [database.name],
  );
  const has = (table: string, prefix: string) => indexed.some((i) => i.tbl === table && String(i.cols).startsWith(prefix));
  expect(has('Session', 'userId')).toBe(true);
  expect(has('Message', 'sessionId,chatId,timestamp')).toBe(true);
  expect(has('WebhookDelivery', 'status,nextRetry')).toBe(true);
  expect(has('ApiUsage', 'userId,timestamp')).toBe(true);
});

it('keeps emoji and updates updatedAt on every change', async () => {
  await connection.query(`USE \`${database.name}\``);
  await connection.query("INSERT INTO User (id, email, password, apiKey, name) VALUES ('u1', 'e@x.y', 'h', 'k', '🎉 Ana 👩🏽‍💻')");
  const [[before]] = await connection.query<RowDataPacket[]>("SELECT name, updatedAt FROM User WHERE id = 'u1'");
  expect(before!.name).toBe('🎉 Ana 👩🏽‍💻');
  await new Promise((r) => setTimeout(r, 10));
  await connection.query("UPDATE User SET name = 'Ana' WHERE id = 'u1'");
  const [[after]] = await connection.query<RowDataPacket[]>("SELECT updatedAt FROM User WHERE id = 'u1'");
  expect(after!.updatedAt.getTime()).toBeGreaterThan(before!.updatedAt.getTime());
});
