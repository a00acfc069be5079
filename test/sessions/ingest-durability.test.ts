import type { DomainEventOf } from '../../server/src/events/catalogue';
import { eventually } from '../helpers/eventually';
import { startOutageWorld, watchRefusals, type OutageWorld } from '../helpers/restricted-database';
import { sessionWhere } from '../helpers/whatsapp';

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

let world: OutageWorld;
let key: string;
let sessionRowId: string;
let arrived: string[];
let published: string[];
const statuses: DomainEventOf<'session.status'>['payload'][] = [];

const grant = (privilege: 'GRANT' | 'REVOKE', table: string) => world.restricted.insert(privilege, table);

beforeAll(async () => {
  world = await startOutageWorld(
    'ingest_durability',
    { me: ME, contact: CARA },
    {
      INGEST_FAILURES_BEFORE_ERROR: '3',
    },
  );
  ({ key, sessionRowId, arrived, published } = world);
  world.gateway.ctx.bus.on('session.status', (event) => void statuses.push(event.payload));
});
afterAll(async () => world?.close());

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

  const refusals = watchRefusals();
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
  await refusals.more(2);
  expect(await storedIds([...during, ...whileError])).toEqual([]);
  expect((await world.gateway.api.get('/api/v1/sessions/me', { key })).body.status).toBe('ERROR');
  refusals.stop();

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
