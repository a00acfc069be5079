import { eventually } from '../helpers/eventually';
import { sessionWhere, startWhatsAppWorld, type WhatsAppWorld } from '../helpers/whatsapp';

jest.setTimeout(60_000);

let world: WhatsAppWorld;
let alice: { id: string; key: string };
let bob: { id: string; key: string };

/** What requests may change (the runtime writes status and QR on its own schedule). */
const sessionRows = () =>
  world.gateway.ctx.db
    .selectFrom('Session')
    .select(['id', 'sessionId', 'name', 'workflowId', 'isActive', 'userId', 'authData'])
    .orderBy('id')
    .execute();

beforeAll(async () => {
  world = await startWhatsAppWorld('session_api');
  alice = await world.gateway.createUser('alice@test.local');
  bob = await world.gateway.createUser('bob@test.local');
  const created = await world.gateway.api.post('/api/v1/sessions', {
    key: alice.key,
    body: { sessionId: 'alice-main', name: 'Alice main' },
  });
  expect(created.status).toBe(201);
  await sessionWhere(world.gateway, alice.key, 'alice-main', (s) => s.status === 'QR_REQUIRED');
});
afterAll(async () => {
  await world?.gateway.close();
  await world?.sim.stop();
});

describe('ownership', () => {
  it('lists only the caller’s sessions; an admin sees all', async () => {
    await world.gateway.api.post('/api/v1/sessions', { key: bob.key, body: { sessionId: 'bob-main' } });
    const mine = await world.gateway.api.get('/api/v1/sessions', { key: alice.key });
    expect(mine.body.data.map((s: { sessionId: string }) => s.sessionId)).toEqual(['alice-main']);
    const all = await world.gateway.api.get('/api/v1/sessions', { key: world.gateway.adminKey });
    expect(all.body.data.map((s: { sessionId: string }) => s.sessionId).sort()).toEqual(['alice-main', 'bob-main']);
  });

  it.each([
    ['GET', '', undefined],
    ['PATCH', '', { name: 'mine now' }],
    ['POST', '/connect', undefined],
    ['POST', '/disconnect', undefined],
    ['POST', '/logout', undefined],
    ['DELETE', '', undefined],
    ['GET', '/qr', undefined],
    ['POST', '/pairing-code', { phoneNumber: '+15550009999' }],
  ])('another user’s session answers 404 to %s …%s and nothing changes', async (method, suffix, body) => {
    const before = await sessionRows();
    const res = await world.gateway.api.call(method, `/api/v1/sessions/alice-main${suffix}`, { key: bob.key, body });
    expect(res.status).toBe(404);
    expect(res.body.message).toBe('Session "alice-main" not found');
    expect(await sessionRows()).toEqual(before);
  });

  it('the same sessionId cannot be taken twice: sessionIds are global, and the answer does not say whose it is', async () => {
    const before = await sessionRows();
    const dup = await world.gateway.api.post('/api/v1/sessions', { key: bob.key, body: { sessionId: 'alice-main' } });
    expect(dup.status).toBe(409);
    expect(dup.body.message).toBe('The sessionId "alice-main" is already taken; sessionIds are unique across all users, choose another');
    const said = JSON.stringify(dup.body);
    for (const owner of [alice.id, 'alice@test.local', 'Alice main']) expect(said).not.toContain(owner);
    const own = await world.gateway.api.post('/api/v1/sessions', { key: alice.key, body: { sessionId: 'alice-main' } });
    expect({ status: own.status, message: own.body.message }).toEqual({ status: 409, message: dup.body.message });
    expect(await sessionRows()).toEqual(before);
  });

  it('PATCH renames, ties a workflow and deactivates', async () => {
    const renamed = await world.gateway.api.patch('/api/v1/sessions/alice-main', {
      key: alice.key,
      body: { name: 'Sales', workflowId: 'wf-42' },
    });
    expect(renamed.body).toMatchObject({ name: 'Sales', workflowId: 'wf-42', isActive: true });
    const off = await world.gateway.api.patch('/api/v1/sessions/alice-main', { key: alice.key, body: { isActive: false } });
    expect(off.body).toMatchObject({ isActive: false, status: 'DISCONNECTED', qrCode: null });
    const on = await world.gateway.api.post('/api/v1/sessions/alice-main/connect', { key: alice.key });
    expect(on.body.isActive).toBe(true);
    await sessionWhere(world.gateway, alice.key, 'alice-main', (s) => s.status === 'QR_REQUIRED');
  });
});

describe('bad input changes nothing', () => {
  it.each([
    ['POST', '/api/v1/sessions', { sessionId: 'has space' }],
    ['POST', '/api/v1/sessions', { sessionId: 'slash/name' }],
    ['POST', '/api/v1/sessions', { sessionId: '' }],
    ['POST', '/api/v1/sessions', { sessionId: 'x'.repeat(101) }],
    ['POST', '/api/v1/sessions', { sessionId: 'ok-name', phoneNumber: '12' }],
    ['POST', '/api/v1/sessions', { sessionId: 'ok-name', phoneNumber: 'call me' }],
    ['POST', '/api/v1/sessions', { sessionId: 'ok-name', phoneNumber: '0049 151 1234567' }],
    ['POST', '/api/v1/sessions', { sessionId: 'ok-name', userId: 'someone-else' }],
    ['POST', '/api/v1/sessions', { sessionId: 'ok-name', isActive: 'yes' }],
    ['POST', '/api/v1/sessions', { name: 'no id' }],
    ['PATCH', '/api/v1/sessions/alice-main', {}],
    ['PATCH', '/api/v1/sessions/alice-main', { status: 'CONNECTED' }],
    ['PATCH', '/api/v1/sessions/alice-main', { isActive: 1 }],
    ['POST', '/api/v1/sessions/alice-main/pairing-code', { phoneNumber: 'abc' }],
    ['POST', '/api/v1/sessions/alice-main/pairing-code', {}],
    ['GET', '/api/v1/sessions/bad%20id', undefined],
    ['GET', '/api/v1/sessions?limit=-1', undefined],
  ])('%s %s %j → 400', async (method, path, body) => {
    const before = await sessionRows();
    const res = await world.gateway.api.call(method, path, { key: alice.key, body });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    expect(await sessionRows()).toEqual(before);
  });

  it('unknown sessions answer 404 on every route', async () => {
    for (const [method, suffix] of [
      ['GET', ''],
      ['POST', '/connect'],
      ['DELETE', ''],
      ['GET', '/qr'],
    ] as const) {
      const res = await world.gateway.api.call(method, `/api/v1/sessions/nope${suffix}`, { key: alice.key });
      expect(res.status).toBe(404);
    }
  });
});

it('the QR page is plain HTML with no data in it; the data comes from the API with the caller’s credential', async () => {
  const page = await world.gateway.api.get('/api/v1/sessions/alice-main/qr/page');
  expect(page.status).toBe(200);
  expect(page.headers['content-type']).toMatch(/^text\/html/);
  expect(page.body).toContain("'/api/v1/sessions/' + encodeURIComponent(sessionId)");
  expect(page.body).toContain('location.hash');
  const session = await eventually(
    async () => (await world.gateway.api.get('/api/v1/sessions/alice-main', { key: alice.key })).body,
    (s) => s.qrCode !== null,
  );
  expect(page.body).not.toContain(session.qrCode);
});
