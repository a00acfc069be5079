import { withConnection } from '../helpers/database';
import { eventually } from '../helpers/eventually';
import { startGateway, type TestGateway } from '../helpers/gateway';
import { gatewayEnvFor, sessionWhere, startWhatsAppWorld, type WhatsAppWorld } from '../helpers/whatsapp';

jest.setTimeout(60_000);

let world: WhatsAppWorld;
let key: string;
const ANA = '15550001001';
const BEN = '15550001002';

const authRows = async (gateway: TestGateway, sessionId: string) => {
  const session = await gateway.ctx.db
    .selectFrom('Session')
    .select(['id', 'authData'])
    .where('sessionId', '=', sessionId)
    .executeTakeFirstOrThrow();
  const keys = await gateway.ctx.db.selectFrom('SessionKey').select('type').where('sessionId', '=', session.id).execute();
  return { authData: session.authData, keys: keys.length };
};

const storedFor = (sessionId: string, messageId: string) =>
  eventually(
    () =>
      world.gateway.ctx.db
        .selectFrom('Message')
        .innerJoin('Session', 'Session.id', 'Message.sessionId')
        .select('Message.id')
        .where('Session.sessionId', '=', sessionId)
        .where('Message.messageId', '=', messageId)
        .execute(),
    (found) => found.length === 1,
    10_000,
    `message ${messageId} stored`,
  );

beforeAll(async () => {
  world = await startWhatsAppWorld('lifecycle');
  key = world.gateway.adminKey;
  await world.sim.createAccount(ANA, 'Ana');
  await world.sim.createAccount(BEN, 'Ben');
});
afterAll(async () => {
  await world?.gateway.close();
  await world?.sim.stop();
});

it('pairs by QR and reaches CONNECTED with the account filled in', async () => {
  const created = await world.gateway.api.post('/api/v1/sessions', { key, body: { sessionId: 'ana', workflowId: 'wf-1' } });
  expect(created.status).toBe(201);
  expect(created.body).toMatchObject({ sessionId: 'ana', workflowId: 'wf-1', isActive: true });

  const waiting = await sessionWhere(world.gateway, key, 'ana', (s) => s.status === 'QR_REQUIRED');
  expect(waiting.qrCode).toMatch(/^2@|,/);
  const qr = await world.gateway.api.get('/api/v1/sessions/ana/qr', { key });
  expect(qr.body.qr).toBe(waiting.qrCode);
  expect(new Date(qr.body.expiresAt).getTime()).toBeGreaterThan(Date.now());
  const png = await world.gateway.api.get('/api/v1/sessions/ana/qr', { key, headers: { accept: 'image/png' } });
  expect(png.headers['content-type']).toBe('image/png');

  await world.sim.scan(ANA, waiting.qrCode);
  const connected = await sessionWhere(world.gateway, key, 'ana', (s) => s.status === 'CONNECTED');
  expect(connected).toMatchObject({ phoneNumber: ANA, qrCode: null, pairingCode: null });
  expect(new Date(connected.lastSeen).getTime()).toBeGreaterThan(Date.now() - 60_000);
  expect(connected.metadata.me.id).toMatch(new RegExp(`^${ANA}:\\d+@s\\.whatsapp\\.net$`));

  const stored = await authRows(world.gateway, 'ana');
  expect(stored.authData).not.toBeNull();
  expect(stored.keys).toBeGreaterThan(0);
  const qrAfter = await world.gateway.api.get('/api/v1/sessions/ana/qr', { key });
  expect(qrAfter.status).toBe(409);
});

it('pairs by code when created with a phone number', async () => {
  const created = await world.gateway.api.post('/api/v1/sessions', { key, body: { sessionId: 'ben', phoneNumber: '+1 555 000-1002' } });
  expect(created.status).toBe(201);
  const waiting = await sessionWhere(world.gateway, key, 'ben', (s) => s.status === 'PAIRING_REQUIRED');
  expect(waiting.pairingCode).toMatch(/^[A-Z0-9]{8}$/);
  expect(waiting.phoneNumber).toBe(BEN);

  // Asking again while the code waits answers that code at once (it used to hang 20 s and answer 502).
  const startedAt = Date.now();
  const again = await world.gateway.api.post('/api/v1/sessions/ben/pairing-code', { key, body: { phoneNumber: BEN } });
  expect(again.status).toBe(200);
  expect(again.body).toEqual({ pairingCode: waiting.pairingCode });
  expect(Date.now() - startedAt).toBeLessThan(2000);
  const other = await world.gateway.api.post('/api/v1/sessions/ben/pairing-code', { key, body: { phoneNumber: '+15550001099' } });
  expect(other.status).toBe(409);
  expect(other.body.message).toMatch(/\+15550001002/);

  await world.sim.enterPairingCode(BEN, waiting.pairingCode);
  const connected = await sessionWhere(world.gateway, key, 'ben', (s) => s.status === 'CONNECTED');
  expect(connected).toMatchObject({ phoneNumber: BEN, pairingCode: null });
});

it('comes back by itself when the simulator drops the connection', async () => {
  expect(world.sim.disconnect(ANA)).toBeGreaterThan(0);
  await sessionWhere(world.gateway, key, 'ana', (s) => s.status !== 'CONNECTED', 5000).catch(() => undefined);
  const back = await sessionWhere(world.gateway, key, 'ana', (s) => s.status === 'CONNECTED');
  expect(back.metadata.lastDisconnect).toBeDefined();
});

it('reconnects stored sessions after a gateway restart, without pairing again', async () => {
  await world.gateway.stop();
  world.gateway = await startGateway('lifecycle', gatewayEnvFor(world.sim), { database: world.gateway.database });
  key = (await world.gateway.api.post('/api/v1/auth/login', { body: { email: 'admin@test.local', password: 'admin-password-1' } })).body
    .token;
  for (const sessionId of ['ana', 'ben']) {
    const session = await sessionWhere(world.gateway, key, sessionId, (s) => s.status === 'CONNECTED', 15_000);
    expect(session.qrCode).toBeNull();
  }
});

it('disconnect keeps the credentials; connect resumes without a QR', async () => {
  const off = await world.gateway.api.post('/api/v1/sessions/ben/disconnect', { key });
  expect(off.body.status).toBe('DISCONNECTED');
  expect((await authRows(world.gateway, 'ben')).authData).not.toBeNull();
  await world.gateway.api.post('/api/v1/sessions/ben/connect', { key });
  await sessionWhere(world.gateway, key, 'ben', (s) => s.status === 'CONNECTED');

  const row = await world.gateway.ctx.db.selectFrom('Session').selectAll().where('sessionId', '=', 'ben').executeTakeFirstOrThrow();
  const closes: string[] = [];
  const unsubscribe = world.gateway.ctx.bus.on('session.status', (event) => {
    if (event.session?.sessionId === 'ben') closes.push(event.payload.status);
  });
  await world.gateway.ctx.manager.restart(row);
  await sessionWhere(world.gateway, key, 'ben', (s) => s.status === 'CONNECTED');
  unsubscribe();
  expect(closes).toContain('DISCONNECTED');
  expect((await authRows(world.gateway, 'ben')).authData).not.toBeNull();
});

it('a disconnected session stays disconnected: no lease renewal or orphan claim reconnects it', async () => {
  const off = await world.gateway.api.post('/api/v1/sessions/ben/disconnect', { key });
  expect(off.body.status).toBe('DISCONNECTED');
  const heartbeat = () =>
    world.gateway.ctx.db
      .selectFrom('GatewayProcess')
      .select('heartbeatAt')
      .where('id', '=', world.gateway.ctx.ownership.processId)
      .executeTakeFirstOrThrow();
  const after = (await heartbeat()).heartbeatAt.getTime();
  // Two renewals later, an orphan claim would have started it again.
  await eventually(heartbeat, (row) => row.heartbeatAt.getTime() > after, 10_000);
  const second = (await heartbeat()).heartbeatAt.getTime();
  await eventually(heartbeat, (row) => row.heartbeatAt.getTime() > second, 10_000);
  expect((await world.gateway.api.get('/api/v1/sessions/ben', { key })).body.status).toBe('DISCONNECTED');
  await world.gateway.api.post('/api/v1/sessions/ben/connect', { key });
  await sessionWhere(world.gateway, key, 'ben', (s) => s.status === 'CONNECTED');
});

it('connects and disconnects racing each other never leave a second socket behind', async () => {
  const conflicts: unknown[] = [];
  const onConflict = (ref: unknown) => conflicts.push(ref);
  world.sim.serverEvents.on('device-conflict', onConflict);
  try {
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        world.gateway.api.post(`/api/v1/sessions/ben/${i % 2 === 0 ? 'disconnect' : 'connect'}`, { key }),
      ),
    );
    await world.gateway.api.post('/api/v1/sessions/ben/connect', { key });
    await sessionWhere(world.gateway, key, 'ben', (s) => s.status === 'CONNECTED');
    // A message reaching Ben's linked device proves it is online; an orphaned second socket would have
    // replaced it (a conflict) by the time a later one arrives.
    const first = await world.sim.send(ANA, { to: BEN, text: 'after the race' });
    await storedFor('ben', first.id);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const second = await world.sim.send(ANA, { to: BEN, text: 'still one socket' });
    await storedFor('ben', second.id);
    expect(conflicts).toEqual([]);
  } finally {
    world.sim.serverEvents.off('device-conflict', onConflict);
  }
});

it('a logout from the phone ends in DISCONNECTED with the credentials wiped, and no reconnect', async () => {
  const session = (await world.gateway.api.get('/api/v1/sessions/ana', { key })).body;
  const anaStatuses: string[] = [];
  const unsubscribe = world.gateway.ctx.bus.on('session.status', (event) => {
    if (event.session?.sessionId === 'ana') anaStatuses.push(event.payload.status);
  });
  const benOnline: string[] = [];
  const onOnline = (ref: { account: { phone: string } }) => {
    if (ref.account.phone === BEN) benOnline.push(ref.account.phone);
  };
  world.sim.serverEvents.on('device-online', onOnline);
  try {
    world.sim.removeDevice(session.metadata.me.id);
    await sessionWhere(world.gateway, key, 'ana', (s) => s.status === 'DISCONNECTED');
    // The runtime shows DISCONNECTED first and wipes the credentials right after.
    await eventually(
      () => authRows(world.gateway, 'ana'),
      (stored) => stored.authData === null && stored.keys === 0,
      5000,
      'the credentials of Ana wiped',
    );

    // The proof that a reconnect would have happened by now: Ben, dropped twice in a row, comes
    // back online twice through the same backoff (each first retry waits at most the base delay,
    // as Ana's would have after her connection had opened) and a full handshake each time.
    for (let drop = 1; drop <= 2; drop++) {
      expect(world.sim.disconnect(BEN)).toBeGreaterThan(0);
      await eventually(
        () => benOnline.length,
        (n) => n >= drop,
        10_000,
        `Ben online again (${drop})`,
      );
    }
    await sessionWhere(world.gateway, key, 'ben', (s) => s.status === 'CONNECTED');
    await eventually(() => anaStatuses.includes('DISCONNECTED'), Boolean, 5000, 'the DISCONNECTED event of Ana');
  } finally {
    unsubscribe();
    world.sim.serverEvents.off('device-online', onOnline);
  }
  expect(anaStatuses.slice(anaStatuses.indexOf('DISCONNECTED'))).toEqual(['DISCONNECTED']);
  expect((await world.gateway.api.get('/api/v1/sessions/ana', { key })).body.status).toBe('DISCONNECTED');
});

it('logout through the API unlinks the device and deleting removes everything', async () => {
  const out = await world.gateway.api.post('/api/v1/sessions/ben/logout', { key });
  expect(out.body.status).toBe('DISCONNECTED');
  expect(await authRows(world.gateway, 'ben')).toEqual({ authData: null, keys: 0 });
  const removed = await world.gateway.api.delete('/api/v1/sessions/ben', { key });
  expect(removed.status).toBe(204);
  expect((await world.gateway.api.get('/api/v1/sessions/ben', { key })).status).toBe(404);
  const rows = await withConnection(
    world.gateway.database.url,
    async (c) => (await c.query('SELECT COUNT(*) AS n FROM Session WHERE sessionId = ?', ['ben']))[0],
  );
  expect(rows).toEqual([{ n: 0 }]);
});
