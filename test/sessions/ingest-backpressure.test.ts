import { eventually } from '../helpers/eventually';
import { startOutageWorld, watchRefusals, type OutageWorld } from '../helpers/restricted-database';

jest.setTimeout(90_000);

/*
 * Batches Baileys has acknowledged wait in the session's ingest queue until the database takes them, and are
 * never dropped; what bounds the queue is reading less. While the database refuses writes (INSERT on Message
 * revoked, as in ingest-durability), the queue grows to INGEST_QUEUE_HIGH_WATERMARK and the session stops
 * reading WhatsApp's websocket: what WhatsApp sends meanwhile waits unacknowledged in the network buffers.
 * Once the backlog is written down to INGEST_QUEUE_LOW_WATERMARK it reads again, and everything is stored.
 */

const ME = '15550009101';
const CARA = '15550009102';
const HIGH = 4;
const LOW = 1;
const SENT = 30;

let world: OutageWorld;

beforeAll(async () => {
  world = await startOutageWorld(
    'ingest_backpressure',
    { me: ME, contact: CARA },
    {
      INGEST_QUEUE_HIGH_WATERMARK: String(HIGH),
      INGEST_QUEUE_LOW_WATERMARK: String(LOW),
    },
  );
});
afterAll(async () => world?.close());

const backlog = () => world.gateway.ctx.manager.ingestBacklog(world.sessionRowId)!;
const storedCounts = async (ids: string[]) =>
  world.gateway.ctx.db
    .selectFrom('Message')
    .select(['messageId', (eb) => eb.fn.countAll<number>().as('n')])
    .where('sessionId', '=', world.sessionRowId)
    .where('messageId', 'in', ids)
    .groupBy('messageId')
    .execute();

it('stops reading from WhatsApp while a backlog waits for the database, and stores every message once, in order, after', async () => {
  const before = (await world.sim.send(CARA, { to: ME, text: 'before the outage' })).id;
  await eventually(
    () => storedCounts([before]),
    (rows) => rows.length === 1,
  );

  const refusals = watchRefusals();
  await world.restricted.insert('REVOKE', 'Message');
  const during: string[] = [];
  let deepest = 0;
  for (let i = 0; i < SENT; i++) {
    during.push((await world.sim.send(CARA, { to: ME, text: `during the outage ${i}` })).id);
    deepest = Math.max(deepest, backlog().batches);
  }
  await eventually(backlog, (state) => state.paused, 10_000, 'reading paused');
  // WhatsApp has handed every message to the connection (each send above returned); an unpaused socket would
  // have read them by the time the database refused the head of the queue twice more
  await refusals.more(2);
  refusals.stop();
  deepest = Math.max(deepest, backlog().batches);
  expect(backlog().paused).toBe(true);
  expect(deepest).toBeGreaterThanOrEqual(HIGH);
  expect(deepest).toBeLessThanOrEqual(HIGH + 3);
  const readWhilePaused = world.arrived.filter((id) => during.includes(id)).length;
  expect(readWhilePaused).toBeLessThan(SENT - 10);

  await world.restricted.insert('GRANT', 'Message');
  const all = [before, ...during];
  const rows = await eventually(
    () => storedCounts(all),
    (found) => found.length === all.length,
    20_000,
    'every message stored',
  );
  expect(rows.map((row) => Number(row.n))).toEqual(all.map(() => 1));
  // Reading resumed, the frames WhatsApp held back arrive at once and may queue (and pause) once more briefly.
  await eventually(backlog, (state) => state.batches === 0 && !state.paused, 20_000, 'the backlog drained and reading resumed');
  // in the order Cara sent them, as Baileys read them and as the events went out
  expect(world.arrived.filter((id) => all.includes(id))).toEqual(all);
  expect(world.published.filter((id) => all.includes(id))).toEqual(all);
});
