import { randomBytes } from 'node:crypto';
import { createConnection, type Connection } from 'mysql2/promise';
import { loadConfig } from '../../server/src/config';
import type { DomainEventOf } from '../../server/src/events/catalogue';
import { openMigratedDatabase } from '../../server/src/server';
import { IngestQueue } from '../../server/src/whatsapp/ingest-queue';
import { MYSQL_ROOT_URL, testDatabase, type TestDatabase } from '../helpers/database';
import { eventually } from '../helpers/eventually';
import { pairByQr, sessionWhere, startWhatsAppWorld, type WhatsAppWorld } from '../helpers/whatsapp';

jest.setTimeout(60_000);

/*
 * Baileys acknowledges messages to WhatsApp before the gateway stores them, so a database that refuses
 * writes must not lose them. The gateway connects as its own MariaDB user, which holds INSERT on each
 * table separately: revoking it on Message makes every ingest transaction fail at once (table grants
 * apply to open connections from their next statement), while the session's own row, its keys and the
 * usage log stay writable. Granting it back is the recovery.
 */

const ME = '15550009001';
const CARA = '15550009002';
const USER = `ingest_${randomBytes(4).toString('hex')}`;
const PASSWORD = randomBytes(12).toString('hex');

let root: Connection;
let database: TestDatabase;
let world: WhatsAppWorld;
let key: string;
let sessionRowId: string;
const statuses: DomainEventOf<'session.status'>['payload'][] = [];
const published: string[] = [];
const arrived: string[] = [];

const grant = (privilege: 'GRANT' | 'REVOKE', table: string) =>
  root.query(`${privilege} INSERT ON \`${database.name}\`.\`${table}\` ${privilege === 'GRANT' ? 'TO' : 'FROM'} '${USER}'@'%'`);

beforeAll(async () => {
  root = await createConnection(MYSQL_ROOT_URL);
  database = testDatabase('ingest_durability');
  await (await openMigratedDatabase(loadConfig({ DATABASE_URL: database.url, LOG_LEVEL: 'silent' }))).destroy();
  await root.query(`CREATE USER '${USER}'@'%' IDENTIFIED BY '${PASSWORD}'`);
  await root.query(
    `GRANT SELECT, UPDATE, DELETE, CREATE, ALTER, INDEX, DROP, REFERENCES, CREATE TEMPORARY TABLES, LOCK TABLES ON \`${database.name}\`.* TO '${USER}'@'%'`,
  );
  const [tables] = await root.query('SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?', [database.name]);
  for (const { name } of tables as { name: string }[]) await grant('GRANT', name);

  const url = new URL(database.url);
  url.username = USER;
  url.password = PASSWORD;
  world = await startWhatsAppWorld(
    'ingest_durability',
    {
      DATABASE_URL: url.toString(),
      INGEST_RETRY_BASE_DELAY_MS: '50',
      INGEST_RETRY_MAX_DELAY_MS: '300',
      INGEST_FAILURES_BEFORE_ERROR: '3',
    },
    { database },
  );
  key = world.gateway.adminKey;
  await world.sim.createAccount(ME, 'Me');
  await world.sim.createAccount(CARA, 'Cara');
  await pairByQr(world, key, 'me', ME);
  sessionRowId = (await world.gateway.ctx.db.selectFrom('Session').select('id').where('sessionId', '=', 'me').executeTakeFirstOrThrow()).id;

  const { bus, manager } = world.gateway.ctx;
  bus.on('session.status', (event) => void statuses.push(event.payload));
  bus.on('messages.upsert', (event) => void published.push(...event.payload.messages.map((message) => message.messageId)));
  const socket = await manager.whenConnected(sessionRowId, async (connected) => connected);
  socket.ev.on('messages.upsert', ({ messages }) => void arrived.push(...messages.map((message) => message.key.id!)));
});

afterAll(async () => {
  try {
    if (world) {
      await world.gateway.close();
      await world.sim.stop();
    } else {
      await database?.drop();
    }
  } finally {
    await root?.query(`DROP USER IF EXISTS '${USER}'@'%'`);
    await root?.end();
  }
});

const storedIds = async (ids: string[]) =>
  (
    await world.gateway.ctx.db
      .selectFrom('Message')
      .select('messageId')
      .where('sessionId', '=', sessionRowId)
      .where('messageId', 'in', ids)
      .execute()
  ).map((row) => row.messageId);

const sendFromCara = async (texts: string[]) => {
  const ids: string[] = [];
  for (const text of texts) ids.push((await world.sim.send(CARA, { to: ME, text })).id);
  return ids;
};

it('keeps every message the database refused, and stores them all, in order, once it takes writes again', async () => {
  const before = await sendFromCara(['before 1', 'before 2']);
  await eventually(
    () => storedIds(before),
    (ids) => ids.length === 2,
  );

  const refusals = jest.spyOn(IngestQueue.prototype as unknown as { failed: (error: unknown, message: string) => void }, 'failed');
  await grant('REVOKE', 'Message');
  const during = await sendFromCara(Array.from({ length: 8 }, (_, i) => `during the outage ${i}`));
  const failing = await sessionWhere(world.gateway, key, 'me', (s) => s.status === 'ERROR');
  expect(failing.metadata.error).toMatch(/WhatsApp events could not be stored \(.*INSERT command denied.*\); they are kept and retried/);
  const whileError = await sendFromCara(['while ERROR 1', 'while ERROR 2']);
  await eventually(
    () => arrived.filter((id) => whileError.includes(id)).length,
    (n) => n === 2,
    10_000,
    'the last messages reached Baileys',
  );
  // Two more refusals of the queue's head after the last messages arrived: the database was asked
  // again, with those messages waiting behind, and still took nothing.
  const refusalsSoFar = refusals.mock.calls.length;
  await eventually(
    () => refusals.mock.calls.length,
    (n) => n >= refusalsSoFar + 2,
    10_000,
    'two more refused attempts',
  );
  expect(await storedIds([...during, ...whileError])).toEqual([]);
  expect((await world.gateway.api.get('/api/v1/sessions/me', { key })).body.status).toBe('ERROR');
  refusals.mockRestore();

  await grant('GRANT', 'Message');
  const all = [...before, ...during, ...whileError];
  await eventually(
    () => storedIds(all),
    (ids) => ids.length === all.length,
    10_000,
    'every message stored',
  );
  const back = await sessionWhere(world.gateway, key, 'me', (s) => s.status === 'CONNECTED');
  expect(back.metadata.error).toBeUndefined();

  // none lost, none twice: one row and one messages.upsert event per message, in the order Baileys got them
  const rows = await world.gateway.ctx.db
    .selectFrom('Message')
    .select(['messageId', (eb) => eb.fn.countAll<number>().as('n')])
    .where('sessionId', '=', sessionRowId)
    .where('messageId', 'in', all)
    .groupBy('messageId')
    .execute();
  expect(rows.map((row) => Number(row.n))).toEqual(all.map(() => 1));
  const arrivalOrder = arrived.filter((id) => all.includes(id));
  expect([...arrivalOrder].sort()).toEqual([...all].sort());
  expect(published.filter((id) => all.includes(id))).toEqual(arrivalOrder);

  // the session said so: ERROR with the reason, then CONNECTED again
  const errorAt = statuses.findIndex((s) => s.status === 'ERROR');
  expect(statuses[errorAt]).toMatchObject({ status: 'ERROR', reason: expect.stringMatching(/INSERT command denied/) });
  // (the API shows the live status; the event follows when the row is written, at a bounded rate)
  await eventually(() => statuses.slice(errorAt + 1).some((s) => s.status === 'CONNECTED'), Boolean, 5000, 'a CONNECTED event after ERROR');
});
