import { startGateway, type TestGateway } from '../helpers/gateway';
import { WebhookReceiver } from '../helpers/webhook-receiver';
import { addSession, deliveriesOf, emit, signedWith, statusEvent, textEvent } from './webhook-world';

jest.setTimeout(60_000);

let gateway: TestGateway;
let receiver: WebhookReceiver;
let alice: { id: string; key: string };
let bob: { id: string; key: string };

beforeAll(async () => {
  receiver = await new WebhookReceiver().start();
  gateway = await startGateway('webhook_routing', { WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_POLL_INTERVAL_MS: '100' });
  alice = await gateway.createUser('alice@test.local');
  bob = await gateway.createUser('bob@test.local');
});
afterAll(async () => {
  await gateway?.close();
  await receiver?.stop();
});

async function register(key: string, path: string, body: Record<string, unknown> = {}) {
  const res = await gateway.api.post('/api/v1/webhooks', { key, body: { url: `${receiver.url}${path}`, event: '*', ...body } });
  expect(res.status).toBe(201);
  return res.body as { id: string; secret: string };
}

it('routes by owner, pattern, list, sessionIds and workflow (admins get every session on their plan)', async () => {
  const a1 = await addSession(gateway, alice.id, 'a1', 'plan-1');
  const a2 = await addSession(gateway, alice.id, 'a2');
  const b1 = await addSession(gateway, bob.id, 'b1', 'plan-1');
  const adminId = (await gateway.api.get('/api/v1/me', { key: gateway.adminKey })).body.id;
  const adminOwn = await addSession(gateway, adminId, 'admin-own');

  const hooks = {
    aliceAll: await register(alice.key, '/alice-all'),
    alicePlan: await register(alice.key, '/alice-plan', { workflowId: 'plan-1' }),
    aliceA2: await register(alice.key, '/alice-a2', { sessionIds: ['a2'] }),
    adminPlan: await register(gateway.adminKey, '/admin-plan', { workflowId: 'plan-1' }),
    adminAll: await register(gateway.adminKey, '/admin-all'),
    bobMessages: await register(bob.key, '/bob-messages', { event: 'messages.*' }),
    bobList: await register(bob.key, '/bob-list', { event: 'session.status, message.receipt' }),
    bobOtherPlan: await register(bob.key, '/bob-other-plan', { workflowId: 'plan-2' }),
  };

  for (const session of [a1, a2, b1, adminOwn])
    await emit(gateway, session, [statusEvent(session), textEvent(session, `hi ${session.sessionId}`)]);

  // Routing happens when the events are stored: these rows are all the deliveries there will ever be.
  const routed = async (hook: { id: string }) =>
    (await deliveriesOf(gateway, hook.id))
      .map((row) => {
        const body = typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload;
        return `${body.sessionId}:${body.event}`;
      })
      .sort();
  expect(await routed(hooks.aliceAll)).toEqual(['a1:messages.upsert', 'a1:session.status', 'a2:messages.upsert', 'a2:session.status']);
  expect(await routed(hooks.alicePlan)).toEqual(['a1:messages.upsert', 'a1:session.status']);
  expect(await routed(hooks.aliceA2)).toEqual(['a2:messages.upsert', 'a2:session.status']);
  expect(await routed(hooks.adminPlan)).toEqual(['a1:messages.upsert', 'a1:session.status', 'b1:messages.upsert', 'b1:session.status']);
  expect(await routed(hooks.adminAll)).toEqual(['admin-own:messages.upsert', 'admin-own:session.status']);
  expect(await routed(hooks.bobMessages)).toEqual(['b1:messages.upsert']);
  expect(await routed(hooks.bobList)).toEqual(['b1:session.status']);
  expect(await routed(hooks.bobOtherPlan)).toEqual([]);

  const received = await receiver.waitFor('/alice-all', 4);
  for (const request of received) {
    expect(signedWith(request, hooks.aliceAll.secret)).toBe(true);
    expect(signedWith(request, hooks.bobMessages.secret)).toBe(false);
    expect(request.headers['webhook-id']).toBe(request.json.id);
    expect(request.json).toMatchObject({ timestamp: expect.any(String), sequence: expect.any(Number) });
    expect(request.json.workflowId).toBe(request.json.sessionId === 'a1' ? 'plan-1' : null);
  }
  const a1Events = received.filter((r) => r.json.sessionId === 'a1').map((r) => r.json);
  expect(a1Events.map((e) => e.sequence).sort()).toEqual([1, 2]);
  expect(a1Events.find((e) => e.event === 'messages.upsert').data.message).toMatchObject({
    text: 'hi a1',
    fromMe: false,
    pushName: 'Zoe',
    type: 'TEXT',
  });
  await receiver.waitFor('/admin-plan', 4);
  await receiver.waitFor('/bob-list', 1);
});

it('leaves history batches out of patterns: only a webhook naming messages.history gets them', async () => {
  const session = await addSession(gateway, alice.id, 'history-session');
  const star = await register(alice.key, '/history-star', { sessionIds: ['history-session'] });
  const named = await register(alice.key, '/history-named', {
    sessionIds: ['history-session'],
    event: 'messages.history,history.progress',
  });
  const history = textEvent(session, 'old');
  const payload = history.payload as { source: string; messages: { metadata: { source: string } }[] };
  payload.source = 'history';
  payload.messages[0]!.metadata.source = 'history';
  await emit(gateway, session, [history]);
  expect((await deliveriesOf(gateway, star.id)).map((d) => d.event)).toEqual([]);
  expect((await deliveriesOf(gateway, named.id)).map((d) => d.event)).toEqual(['messages.history']);
  const [delivered] = await receiver.waitFor('/history-named', 1);
  expect(delivered!.json.data.messages[0]).toMatchObject({ text: 'old', source: 'history' });
});

it('keeps every user to their own webhooks and delivery log', async () => {
  const hook = await register(alice.key, '/isolation');
  const session = await addSession(gateway, alice.id, 'isolation');
  await emit(gateway, session, [statusEvent(session)]);
  const [delivery] = await deliveriesOf(gateway, hook.id);

  expect((await gateway.api.get(`/api/v1/webhooks/${hook.id}`, { key: bob.key })).status).toBe(404);
  expect((await gateway.api.patch(`/api/v1/webhooks/${hook.id}`, { key: bob.key, body: { isActive: false } })).status).toBe(404);
  expect((await gateway.api.delete(`/api/v1/webhooks/${hook.id}`, { key: bob.key })).status).toBe(404);
  expect((await gateway.api.get(`/api/v1/webhooks/${hook.id}/deliveries`, { key: bob.key })).status).toBe(404);
  expect((await gateway.api.get(`/api/v1/webhook-deliveries/${delivery!.id}`, { key: bob.key })).status).toBe(404);
  expect((await gateway.api.post(`/api/v1/webhook-deliveries/${delivery!.id}/redeliver`, { key: bob.key })).status).toBe(404);
  const bobs = await gateway.api.get('/api/v1/webhooks?limit=200', { key: bob.key });
  expect(bobs.body.data.every((w: { userId: string }) => w.userId === bob.id)).toBe(true);
  expect((await gateway.api.get(`/api/v1/webhooks/${hook.id}`, { key: alice.key })).body).not.toHaveProperty('secret');
  expect((await gateway.api.get(`/api/v1/webhook-deliveries/${delivery!.id}`, { key: alice.key })).status).toBe(200);
});

it('refuses unknown events and malformed secrets with a 400 that says what is valid, and stores nothing', async () => {
  const before = (await gateway.api.get('/api/v1/webhooks?limit=200', { key: alice.key })).body.data.length;
  const unknown = await gateway.api.post('/api/v1/webhooks', {
    key: alice.key,
    body: { url: `${receiver.url}/x`, event: 'messages.upsert,mesages.update' },
  });
  expect(unknown.status).toBe(400);
  expect(unknown.body.message).toContain("'mesages.update'");
  expect(unknown.body.message).toContain('messages.*');
  expect(unknown.body.message).toContain('session.status');
  const secret = await gateway.api.post('/api/v1/webhooks', {
    key: alice.key,
    body: { url: `${receiver.url}/x`, event: '*', secret: 'hunter2' },
  });
  expect(secret.status).toBe(400);
  expect(secret.body.message).toContain('whsec_');
  const scheme = await gateway.api.post('/api/v1/webhooks', { key: alice.key, body: { url: 'ftp://example.com/x', event: '*' } });
  expect(scheme.status).toBe(400);
  expect((await gateway.api.get('/api/v1/webhooks?limit=200', { key: alice.key })).body.data.length).toBe(before);
});
