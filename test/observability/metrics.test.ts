import { newId } from '../../server/src/db/ids';
import { eventually } from '../helpers/eventually';
import { WebhookReceiver } from '../helpers/webhook-receiver';
import { pairByQr, startWhatsAppWorld, storedMessage, type WhatsAppWorld } from '../helpers/whatsapp';
import { addSession, emit, textEvent } from '../webhooks/webhook-world';
import { sample } from './prometheus-text';

jest.setTimeout(90_000);

const ME = '15550007001';
const ZOE = '15550007002';

let world: WhatsAppWorld;
let receiver: WebhookReceiver;
let key: string;

const scrape = async () => {
  const res = await world.gateway.api.get('/metrics');
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.body as string;
};

beforeAll(async () => {
  receiver = await new WebhookReceiver().start();
  world = await startWhatsAppWorld('metrics', { WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_POLL_INTERVAL_MS: '50' });
  key = world.gateway.adminKey;
});
afterAll(async () => {
  await world?.gateway.close();
  await world?.sim.stop();
  await receiver?.stop();
});

it('times requests by route pattern, method and status, never by raw URL', async () => {
  const ghost = `ghost-${newId()}`;
  expect((await world.gateway.api.get(`/api/v1/sessions/${ghost}`, { key })).status).toBe(404);
  expect((await world.gateway.api.get(`/no/such/${ghost}`)).status).toBe(404);
  const text = await scrape();
  const route = { method: 'GET', route: '/api/v1/sessions/:sessionId', status_code: '404' };
  expect(sample(text, 'baileys_api_http_request_duration_seconds_count', route)).toBe(1);
  expect(sample(text, 'baileys_api_http_request_duration_seconds_bucket', { ...route, le: '+Inf' })).toBe(1);
  expect(sample(text, 'baileys_api_http_request_duration_seconds_count', { method: 'GET', route: 'unmatched', status_code: '404' })).toBe(
    1,
  );
  expect(text).not.toContain(ghost);
});

it('reports the process: event-loop lag, memory', async () => {
  const text = await scrape();
  expect(sample(text, 'nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
  expect(sample(text, 'process_resident_memory_bytes')).toBeGreaterThan(1_000_000);
  expect(sample(text, 'baileys_api_database_up')).toBe(1);
});

it('counts messages in and out by type and sessions by status, from a linked session', async () => {
  await world.sim.createAccount(ME, 'Me');
  await world.sim.createAccount(ZOE, 'Zoe');
  await pairByQr(world, key, 'me', ME);
  const sessionRowId = (
    await world.gateway.ctx.db.selectFrom('Session').select('id').where('sessionId', '=', 'me').executeTakeFirstOrThrow()
  ).id;
  const { id } = await world.sim.send(ZOE, { to: ME, text: 'hello' });
  await storedMessage(world.gateway, sessionRowId, id);
  const sent = await world.gateway.api.post('/api/v1/sessions/me/messages', { key, body: { to: ZOE, type: 'text', text: 'hi back' } });
  expect(sent.status).toBe(201);

  const text = await eventually(
    scrape,
    (body) => sample(body, 'baileys_api_whatsapp_messages_total', { direction: 'out', type: 'TEXT' }) === 1,
  );
  expect(sample(text, 'baileys_api_whatsapp_messages_total', { direction: 'in', type: 'TEXT' })).toBe(1);
  expect(sample(text, 'baileys_api_sessions_running', { status: 'CONNECTED' })).toBe(1);
  expect(sample(text, 'baileys_api_sessions_running', { status: 'QR_REQUIRED' })).toBe(0);
  expect(sample(text, 'baileys_api_sessions', { status: 'CONNECTED' })).toBe(1);
  expect(
    sample(text, 'baileys_api_http_request_duration_seconds_count', {
      method: 'POST',
      route: '/api/v1/sessions/:sessionId/messages',
      status_code: '201',
    }),
  ).toBe(1);
});

it('counts webhook deliveries by final status and times them from outbox to delivery', async () => {
  const user = await world.gateway.createUser('metrics-hooks@test.local');
  const session = await addSession(world.gateway, user.id, 'hooked');
  const created = await world.gateway.api.post('/api/v1/webhooks', {
    key: user.key,
    body: { url: `${receiver.url}/hook`, event: 'messages.upsert', sessionIds: ['hooked'] },
  });
  expect(created.status).toBe(201);
  await emit(world.gateway, session, [textEvent(session, 'one'), textEvent(session, 'two')]);
  await receiver.waitFor('/hook', 2);

  const text = await eventually(scrape, (body) => sample(body, 'baileys_api_webhook_deliveries_total', { status: 'SUCCESS' }) === 2);
  expect(sample(text, 'baileys_api_webhook_delivery_latency_seconds_count')).toBe(2);
  expect(sample(text, 'baileys_api_webhook_delivery_latency_seconds_sum')).toBeGreaterThan(0);
  expect(sample(text, 'baileys_api_webhook_delivery_latency_seconds_bucket', { le: '3600' })).toBe(2);
  expect(sample(text, 'baileys_api_webhook_outbox_depth')).toBe(0);
  expect(sample(text, 'baileys_api_webhook_outbox_oldest_due_age_seconds')).toBe(0);
});

it('reads the outbox depth and how long its longest-waiting due delivery has waited at scrape time, leaving out parked ones', async () => {
  // As on a process with WEBHOOK_DISPATCH=false: nothing takes the due deliveries.
  await world.gateway.ctx.delivery.dispatcher.stop();
  const user = await world.gateway.createUser('metrics-outbox@test.local');
  const webhookId = newId();
  await world.gateway.ctx.db
    .insertInto('Webhook')
    .values({ id: webhookId, url: `${receiver.url}/later`, event: '*', userId: user.id })
    .execute();
  const secondsFromNow = (seconds: number) => new Date(Date.now() + seconds * 1000);
  const row = (status: 'PENDING' | 'RETRYING', nextRetry: Date | null) => ({
    id: newId(),
    event: 'messages.upsert',
    payload: '{}',
    status,
    nextRetry,
    webhookId,
  });
  await world.gateway.ctx.db
    .insertInto('WebhookDelivery')
    .values([
      row('RETRYING', secondsFromNow(-90)),
      row('PENDING', secondsFromNow(-30)),
      row('RETRYING', secondsFromNow(3600)),
      row('PENDING', null),
    ])
    .execute();

  const text = await scrape();
  expect(sample(text, 'baileys_api_webhook_outbox_depth')).toBe(3);
  const age = sample(text, 'baileys_api_webhook_outbox_oldest_due_age_seconds')!;
  expect(age).toBeGreaterThanOrEqual(89);
  expect(age).toBeLessThan(120);
});
