import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { startGateway, type TestGateway } from '../helpers/gateway';
import { eventually } from '../helpers/eventually';
import { WebhookReceiver } from '../helpers/webhook-receiver';
import { addSession, deliveriesOf, emit, signedWith, statusEvent, textEvent } from './webhook-world';
import type { EventSession } from '../../server/src/webhooks/outbox';

jest.setTimeout(60_000);

let gateway: TestGateway;
let receiver: WebhookReceiver;
let user: { id: string; key: string };
let session: EventSession;
let counter = 0;

beforeAll(async () => {
  receiver = await new WebhookReceiver().start();
  gateway = await startGateway('webhook_delivery', {
    WEBHOOK_ALLOW_PRIVATE: 'true',
    WEBHOOK_POLL_INTERVAL_MS: '50',
    WEBHOOK_RETRY_BASE_DELAY_MS: '200',
    WEBHOOK_RETRY_MAX_DELAY_MS: '5000',
    WEBHOOK_DISABLE_AFTER_FAILURES: '4',
    WEBHOOK_SECRET_GRACE_SECONDS: '2',
    WEBHOOK_TIMEOUT_MS: '2000',
  });
  user = await gateway.createUser('deliveries@test.local');
  session = await addSession(gateway, user.id, 'deliveries');
});
afterAll(async () => {
  await gateway?.close();
  await receiver?.stop();
});

/** A webhook on its own receiver path, limited to one fresh session so tests do not see each other's events. */
async function webhookFor(body: Record<string, unknown> = {}) {
  const name = `s${++counter}`;
  const own = await addSession(gateway, user.id, name);
  const path = `/${name}`;
  const res = await gateway.api.post('/api/v1/webhooks', {
    key: user.key,
    body: { url: `${receiver.url}${path}`, event: '*', sessionIds: [name], ...body },
  });
  expect(res.status).toBe(201);
  return { ...(res.body as { id: string; secret: string }), path, session: own };
}

const deliveryState = (webhookId: string) => deliveriesOf(gateway, webhookId);
/** The webhook's deliveries, once its first one has succeeded. */
const firstSucceeded = (webhookId: string) =>
  eventually(
    () => deliveryState(webhookId),
    (rows) => rows[0]?.status === 'SUCCESS',
    15_000,
    `first delivery of ${webhookId} succeeded`,
  );
const webhook = async (id: string) => (await gateway.api.get(`/api/v1/webhooks/${id}`, { key: user.key })).body;

it('retries failures with growing delays until a 2xx, logging every attempt', async () => {
  const hook = await webhookFor({ maxRetries: 3 });
  receiver.respond = (request) => (request.path === hook.path && receiver.on(hook.path).length <= 2 ? { status: 500, body: 'boom' } : {});
  await emit(gateway, hook.session, [statusEvent(hook.session)]);
  const [delivery] = await firstSucceeded(hook.id);
  expect(delivery!.attempts).toBe(3);
  const requests = receiver.on(hook.path);
  expect(requests).toHaveLength(3);
  expect(new Set(requests.map((r) => r.headers['webhook-id'])).size).toBe(1);
  const gaps = [requests[1]!.at - requests[0]!.at, requests[2]!.at - requests[1]!.at];
  expect(gaps[0]).toBeGreaterThanOrEqual(150);
  expect(gaps[1]).toBeGreaterThanOrEqual(300);

  const detail = (await gateway.api.get(`/api/v1/webhook-deliveries/${delivery!.id}`, { key: user.key })).body;
  expect(detail).toMatchObject({ status: 'SUCCESS', attempts: 3, event: 'session.status', eventId: requests[0]!.headers['webhook-id'] });
  expect(detail.attemptLog.map((a: { statusCode: number }) => a.statusCode)).toEqual([500, 500, 200]);
  expect(detail.attemptLog[0]).toMatchObject({ response: 'boom', error: expect.stringContaining('500') });
  expect(detail.attemptLog[2].requestHeaders['webhook-signature']).toMatch(/^v1,/);
  expect(detail.payload).toEqual(requests[0]!.json);
  expect((await webhook(hook.id)).retries).toBe(0);
});

it('gives up after maxRetries retries and marks the delivery FAILED, without holding up newer deliveries', async () => {
  const hook = await webhookFor({ maxRetries: 1 });
  receiver.respond = (request) => (request.path === hook.path && request.json?.event === 'session.status' ? { status: 503 } : {});
  await emit(gateway, hook.session, [statusEvent(hook.session)]);
  await emit(gateway, hook.session, [textEvent(hook.session, 'newer')]);
  const rows = await eventually(
    () => deliveryState(hook.id),
    (r) => r.find((d) => d.event === 'session.status')?.status === 'FAILED',
    15_000,
    'failed',
  );
  expect(rows.find((d) => d.event === 'session.status')).toMatchObject({ attempts: 2, nextRetry: null });
  expect(rows.find((d) => d.event === 'messages.upsert')).toMatchObject({ status: 'SUCCESS', attempts: 1 });
  const w = await webhook(hook.id);
  expect(w.lastError).toContain('503');
  expect(w.isActive).toBe(true);
});

it('honours Retry-After on 429', async () => {
  const hook = await webhookFor();
  receiver.respond = (request) =>
    request.path === hook.path && receiver.on(hook.path).length === 1 ? { status: 429, headers: { 'retry-after': '1' } } : {};
  await emit(gateway, hook.session, [statusEvent(hook.session)]);
  await firstSucceeded(hook.id);
  const [first, second] = receiver.on(hook.path);
  expect(second!.at - first!.at).toBeGreaterThanOrEqual(950);
});

it('disables a webhook that answers 410 and tells the owner’s other webhooks', async () => {
  const watcher = await webhookFor({ event: 'webhook.disabled' });
  const hook = await webhookFor();
  receiver.respond = (request) => (request.path === hook.path ? { status: 410 } : {});
  await emit(gateway, hook.session, [statusEvent(hook.session)]);
  const [notice] = await receiver.waitFor(watcher.path, 1);
  expect(notice!.json).toMatchObject({
    event: 'webhook.disabled',
    sessionId: null,
    sequence: null,
    data: { webhookId: hook.id, reason: expect.stringContaining('410') },
  });
  expect(signedWith(notice!, watcher.secret)).toBe(true);
  expect(await webhook(hook.id)).toMatchObject({ isActive: false, lastError: expect.stringContaining('410') });
  expect((await deliveryState(hook.id))[0]).toMatchObject({ status: 'FAILED', attempts: 1 });
});

it('disables a webhook after N consecutive failures, and re-enabling delivers what waited', async () => {
  const watcher = await webhookFor({ event: 'webhook.*' });
  const hook = await webhookFor({ maxRetries: 10 });
  let healthy = false;
  receiver.respond = (request) => (request.path === hook.path && !healthy ? { status: 500 } : {});
  await emit(gateway, hook.session, [statusEvent(hook.session)]);
  await receiver.waitFor(watcher.path, 1);
  expect(receiver.on(hook.path)).toHaveLength(4);
  expect(await webhook(hook.id)).toMatchObject({
    isActive: false,
    retries: 4,
    lastError: expect.stringContaining('4 consecutive failed attempts'),
  });

  // What was waiting goes out once it is enabled again; events that happened while it was off are not routed to it.
  await emit(gateway, hook.session, [textEvent(hook.session, 'while disabled')]);
  expect(await deliveryState(hook.id)).toHaveLength(1);
  healthy = true;
  const enabled = await gateway.api.patch(`/api/v1/webhooks/${hook.id}`, { key: user.key, body: { isActive: true } });
  expect(enabled.body).toMatchObject({ isActive: true, retries: 0 });
  const [waited] = await firstSucceeded(hook.id);
  expect(waited!.attempts).toBe(5);
  await emit(gateway, hook.session, [textEvent(hook.session, 'after')]);
  await eventually(
    () => deliveryState(hook.id),
    (rows) => rows.length === 2 && rows.every((d) => d.status === 'SUCCESS'),
    15_000,
    'delivered',
  );
});

it('redelivers a delivery on request with the same event id', async () => {
  const hook = await webhookFor();
  await emit(gateway, hook.session, [statusEvent(hook.session)]);
  const [delivery] = await firstSucceeded(hook.id);
  const res = await gateway.api.post(`/api/v1/webhook-deliveries/${delivery!.id}/redeliver`, { key: user.key });
  expect(res.status).toBe(200);
  const [first, again] = await receiver.waitFor(hook.path, 2);
  expect(again!.headers['webhook-id']).toBe(first!.headers['webhook-id']);
  expect(again!.body).toBe(first!.body);
  await eventually(
    () => deliveryState(hook.id),
    (rows) => rows[0]?.status === 'SUCCESS' && rows[0]!.attempts === 2,
    15_000,
    'second attempt recorded',
  );
});

it('signs with both secrets during a rotation’s grace period, then with the new one only', async () => {
  const hook = await webhookFor();
  const rotated = await gateway.api.post(`/api/v1/webhooks/${hook.id}/rotate-secret`, { key: user.key });
  expect(rotated.status).toBe(200);
  expect(rotated.body.secret).toMatch(/^whsec_/);
  expect(rotated.body.secret).not.toBe(hook.secret);
  expect(rotated.body.secretRotatedUntil).toEqual(expect.any(String));
  await emit(gateway, hook.session, [statusEvent(hook.session)]);
  const [during] = await receiver.waitFor(hook.path, 1);
  expect(String(during!.headers['webhook-signature']).split(' ')).toHaveLength(2);
  expect(signedWith(during!, hook.secret)).toBe(true);
  expect(signedWith(during!, rotated.body.secret)).toBe(true);

  await new Promise((resolve) => setTimeout(resolve, 2100));
  await emit(gateway, hook.session, [statusEvent(hook.session, 'DISCONNECTED')]);
  const [, after] = await receiver.waitFor(hook.path, 2);
  expect(String(after!.headers['webhook-signature']).split(' ')).toHaveLength(1);
  expect(signedWith(after!, rotated.body.secret)).toBe(true);
  expect(signedWith(after!, hook.secret)).toBe(false);
});

it('sends a signed test ping on request and answers with what the receiver said', async () => {
  const hook = await webhookFor();
  receiver.respond = (request) => (request.path === hook.path ? { status: 202, body: 'got it' } : {});
  const res = await gateway.api.post(`/api/v1/webhooks/${hook.id}/test`, { key: user.key });
  expect(res.body).toMatchObject({ success: true, statusCode: 202, response: 'got it' });
  const [ping] = receiver.on(hook.path);
  expect(ping!.json).toMatchObject({ event: 'webhook.test', data: { webhookId: hook.id } });
  expect(signedWith(ping!, hook.secret)).toBe(true);
  const log = await gateway.api.get(`/api/v1/webhooks/${hook.id}/deliveries?status=SUCCESS`, { key: user.key });
  expect(log.body.data.map((d: { id: string }) => d.id)).toEqual([res.body.deliveryId]);

  receiver.respond = (request) => (request.path === hook.path ? { status: 500 } : {});
  const failing = await gateway.api.post(`/api/v1/webhooks/${hook.id}/test`, { key: user.key });
  expect(failing.body).toMatchObject({ success: false, statusCode: 500 });
});

it('lists deliveries by status and time, one page after another', async () => {
  const hook = await webhookFor();
  const since = new Date(Date.now() - 1000).toISOString();
  for (let i = 0; i < 5; i++) await emit(gateway, hook.session, [textEvent(hook.session, `page ${i}`)]);
  await eventually(
    () => deliveryState(hook.id),
    (rows) => rows.length === 5 && rows.every((d) => d.status === 'SUCCESS'),
    15_000,
    'delivered',
  );
  const first = await gateway.api.get(`/api/v1/webhooks/${hook.id}/deliveries?limit=3&from=${since}`, { key: user.key });
  expect(first.body.data).toHaveLength(3);
  const second = await gateway.api.get(`/api/v1/webhooks/${hook.id}/deliveries?limit=3&cursor=${first.body.nextCursor}`, { key: user.key });
  expect(second.body.data).toHaveLength(2);
  expect(second.body.nextCursor).toBeNull();
  expect((await gateway.api.get(`/api/v1/webhooks/${hook.id}/deliveries?status=FAILED`, { key: user.key })).body.data).toEqual([]);
  expect((await gateway.api.get(`/api/v1/webhooks/${hook.id}/deliveries?to=${since}`, { key: user.key })).body.data).toEqual([]);
});

it('prunes finished deliveries past the retention and keeps the rest', async () => {
  const hook = await webhookFor();
  await emit(gateway, hook.session, [statusEvent(hook.session)]);
  await firstSucceeded(hook.id);
  const dispatcher = gateway.ctx.delivery.dispatcher;
  expect(await dispatcher.prune(new Date())).toBe(0);
  // Seven days later (the default retention) the finished delivery and its attempts go.
  const pruned = await dispatcher.prune(new Date(Date.now() + 7 * 86_400_000 + 60_000));
  expect(pruned).toBeGreaterThanOrEqual(1);
  expect(await deliveryState(hook.id)).toEqual([]);
});

it('publishes the event catalogue with a schema and a valid example for every event', async () => {
  const res = await gateway.api.get('/api/v1/webhooks/events', { key: user.key });
  expect(res.status).toBe(200);
  const names = res.body.events.map((e: { name: string }) => e.name);
  expect(names).toEqual(
    expect.arrayContaining(['messages.upsert', 'messages.history', 'history.progress', 'session.status', 'session.qr', 'webhook.disabled']),
  );
  expect(res.body.events.find((e: { name: string }) => e.name === 'messages.history').optIn).toBe(true);
  const ajv = addFormats(new Ajv({ strict: false }));
  for (const entry of res.body.events) {
    const valid = ajv.validate(entry.schema, entry.example);
    if (!valid) throw new Error(`${entry.name}: ${ajv.errorsText()}`);
  }
  expect(session.sessionId).toBe('deliveries');
});
