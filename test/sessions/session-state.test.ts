import pino from 'pino';
import { loadConfig } from '../../server/src/config';
import type { Db } from '../../server/src/db/database';
import { insertSession } from '../../server/src/whatsapp/store/session-repository';
import { openMigratedDatabase } from '../../server/src/server';
import { insertUser } from '../../server/src/users/user-repository';
import { claimLease, type Fence } from '../../server/src/whatsapp/ownership/lease-repository';
import { SerialQueue } from '../../server/src/whatsapp/serial-queue';
import { SessionStateWriter, type SessionState } from '../../server/src/whatsapp/session-state';
import { testDatabase } from '../helpers/database';

const database = testDatabase('session_state');
let db: Db;
let sessionRowId: string;
let fence: Fence;

const initial: SessionState = {
  status: 'DISCONNECTED',
  qrCode: null,
  pairingCode: null,
  phoneNumber: null,
  name: null,
  lastSeen: null,
  metadata: {},
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  db = await openMigratedDatabase(loadConfig({ DATABASE_URL: database.url }));
  const user = await insertUser(db, { email: 'state@test.local', password: 'x', apiKey: 'k'.repeat(64) });
  sessionRowId = (await insertSession(db, { sessionId: 'flappy', userId: user.id })).id;
  fence = (await claimLease(db, sessionRowId, 'this-process', 600_000))!;
});
afterAll(async () => {
  await db?.destroy();
  await database.drop();
});

it('writes a flapping status at most once per interval and ends with the latest state', async () => {
  const written: SessionState[] = [];
  const writer = new SessionStateWriter(db, fence, initial, 100, new SerialQueue(), pino({ level: 'silent' }), (state) =>
    written.push(state),
  );
  const started = Date.now();
  for (let i = 0; i < 200; i++) {
    writer.change({ status: i % 2 === 0 ? 'CONNECTING' : 'CONNECTED', metadata: { attempt: i } });
    await sleep(5);
  }
  writer.change({ status: 'CONNECTED', metadata: { attempt: 'last' } });
  const elapsed = Date.now() - started;
  await sleep(150);
  await writer.flush();

  expect(written.length).toBeGreaterThan(1);
  expect(written.length).toBeLessThanOrEqual(Math.ceil(elapsed / 100) + 2);
  expect(written.at(-1)).toMatchObject({ status: 'CONNECTED', metadata: { attempt: 'last' } });
  const row = await db.selectFrom('Session').select(['status', 'metadata']).where('id', '=', sessionRowId).executeTakeFirstOrThrow();
  expect(row.status).toBe('CONNECTED');
  expect(JSON.parse(String(typeof row.metadata === 'string' ? row.metadata : JSON.stringify(row.metadata)))).toEqual({ attempt: 'last' });
});

it('writes nothing (and tells no one) when the state did not change', async () => {
  const written: SessionState[] = [];
  const writer = new SessionStateWriter(db, fence, initial, 0, new SerialQueue(), pino({ level: 'silent' }), (state) =>
    written.push(state),
  );
  writer.change({ status: 'DISCONNECTED' });
  await writer.flush();
  expect(written).toHaveLength(0);
});

it('writes nothing once another process has taken the session over (its epoch fences this writer off)', async () => {
  const written: SessionState[] = [];
  const stale = new SessionStateWriter(db, fence, initial, 0, new SerialQueue(), pino({ level: 'silent' }), (state) => written.push(state));
  // 'this-process' never beats (it has no GatewayProcess row), so its lease counts as abandoned.
  const successor = (await claimLease(db, sessionRowId, 'other-process', 600_000))!;
  expect(successor.epoch).toBe(fence.epoch + 1);
  const current = new SessionStateWriter(db, successor, initial, 0, new SerialQueue(), pino({ level: 'silent' }), () => undefined);
  current.change({ status: 'QR_REQUIRED' });
  await current.flush();

  stale.change({ status: 'ERROR', metadata: { from: 'stale owner' } });
  await stale.flush();
  expect(written).toHaveLength(0);
  const row = await db.selectFrom('Session').select('status').where('id', '=', sessionRowId).executeTakeFirstOrThrow();
  expect(row.status).toBe('QR_REQUIRED');
});
