import { startWhatsAppWorld, type WhatsAppWorld } from '../helpers/whatsapp';

/* MAX_SESSIONS_PER_USER: a USER owns at most that many sessions (counted across concurrent creations); ADMINs are exempt. */

jest.setTimeout(60_000);

let world: WhatsAppWorld;
let alice: { id: string; key: string };
let bob: { id: string; key: string };

const sessionIdsOf = async (userId: string) =>
  (await world.gateway.ctx.db.selectFrom('Session').select('sessionId').where('userId', '=', userId).orderBy('sessionId').execute()).map(
    (row) => row.sessionId,
  );

beforeAll(async () => {
  world = await startWhatsAppWorld('session_limit', { MAX_SESSIONS_PER_USER: '2' });
  alice = await world.gateway.createUser('alice@test.local');
  bob = await world.gateway.createUser('bob@test.local');
});
afterAll(async () => {
  await world?.gateway.close();
  await world?.sim.stop();
});

it('a user beyond MAX_SESSIONS_PER_USER gets 409 with a clear message, and nothing is created', async () => {
  for (const sessionId of ['alice-1', 'alice-2']) {
    expect((await world.gateway.api.post('/api/v1/sessions', { key: alice.key, body: { sessionId } })).status).toBe(201);
  }
  const third = await world.gateway.api.post('/api/v1/sessions', { key: alice.key, body: { sessionId: 'alice-3' } });
  expect(third.status).toBe(409);
  expect(third.body.message).toBe('You already have 2 sessions, the most a user may have (2); delete one before creating another');
  expect(await sessionIdsOf(alice.id)).toEqual(['alice-1', 'alice-2']);

  // Deleting one makes room again.
  expect((await world.gateway.api.delete('/api/v1/sessions/alice-2', { key: alice.key })).status).toBeLessThan(300);
  expect((await world.gateway.api.post('/api/v1/sessions', { key: alice.key, body: { sessionId: 'alice-3' } })).status).toBe(201);
});

it('concurrent creations by one user cannot overshoot the limit together', async () => {
  const answers = await Promise.all(
    ['bob-1', 'bob-2', 'bob-3', 'bob-4'].map((sessionId) =>
      world.gateway.api.post('/api/v1/sessions', { key: bob.key, body: { sessionId } }),
    ),
  );
  expect(answers.map((a) => a.status).sort()).toEqual([201, 201, 409, 409]);
  expect(await sessionIdsOf(bob.id)).toHaveLength(2);
});

it('an admin is exempt', async () => {
  for (const sessionId of ['admin-1', 'admin-2', 'admin-3']) {
    expect((await world.gateway.api.post('/api/v1/sessions', { key: world.gateway.adminKey, body: { sessionId } })).status).toBe(201);
  }
});
