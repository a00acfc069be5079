import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { PAYLOADS_V1, EnvelopeV1 } from '../../server/src/events/public/payloads';
import { eventually } from '../helpers/eventually';
import { startGateway } from '../helpers/gateway';
import { WebhookReceiver, type ReceivedRequest } from '../helpers/webhook-receiver';
import { pairByQr, startWhatsAppWorld, type WhatsAppWorld } from '../helpers/whatsapp';
import { signedWith } from './webhook-world';

jest.setTimeout(90_000);

const ME = '15550004001';
const EVA = '15550004002';
const jidOf = (phone: string) => `${phone}@s.whatsapp.net`;

let world: WhatsAppWorld;
let receiver: WebhookReceiver;
let secret: string;
const ajv = addFormats(new Ajv({ strict: false }));

beforeAll(async () => {
  receiver = await new WebhookReceiver().start();
  world = await startWhatsAppWorld('webhooks_e2e', { WEBHOOK_ALLOW_PRIVATE: 'true' });
  await world.sim.createAccount(ME, 'Me');
  await world.sim.createAccount(EVA, 'Eva');
  const created = await world.gateway.api.post('/api/v1/webhooks', {
    key: world.gateway.adminKey,
    body: { url: `${receiver.url}/hook`, event: 'session.*,messages.upsert', workflowId: 'support-plan' },
  });
  expect(created.status).toBe(201);
  secret = created.body.secret;
  await pairByQr(world, world.gateway.adminKey, 'me', ME, { workflowId: 'support-plan' });
});
afterAll(async () => {
  await world?.gateway.close();
  await world?.sim.stop();
  await receiver?.stop();
});

const received = (event: string, accept: (r: ReceivedRequest) => boolean = () => true) =>
  eventually(
    async () => receiver.on('/hook').filter((r) => r.json?.event === event && accept(r)),
    (list) => list.length > 0,
    20_000,
    event,
  );

/** Every body the receiver got is signed, and matches the published envelope and payload schemas. */
function expectContract(request: ReceivedRequest) {
  expect(signedWith(request, secret)).toBe(true);
  if (!ajv.validate(EnvelopeV1, request.json)) throw new Error(`envelope: ${ajv.errorsText()}`);
  const schema = PAYLOADS_V1[request.json.event as keyof typeof PAYLOADS_V1];
  if (!ajv.validate(schema, request.json.data)) throw new Error(`${request.json.event}: ${ajv.errorsText()}`);
}

it('delivers the session’s QR and its CONNECTED status as signed events', async () => {
  const [qr] = await received('session.qr');
  expect(qr!.json).toMatchObject({ sessionId: 'me', workflowId: 'support-plan', data: { qr: expect.any(String) } });
  const [connected] = await received('session.status', (r) => r.json.data.status === 'CONNECTED');
  expect(connected!.json.data).toMatchObject({ status: 'CONNECTED', phoneNumber: ME });
  expect(connected!.json.sequence).toBeGreaterThan(qr!.json.sequence);
  for (const request of receiver.on('/hook')) expectContract(request);
});

it('delivers a contact’s message as one signed messages.upsert with phone-number JIDs', async () => {
  const { id } = await world.sim.send(EVA, { to: ME, text: 'Do you deliver on Sundays?' });
  const [delivery] = await received('messages.upsert', (r) => r.json.data.message.messageId === id);
  expectContract(delivery!);
  expect(delivery!.json.data.message).toMatchObject({
    messageId: id,
    chatId: jidOf(EVA),
    from: jidOf(EVA),
    to: jidOf(ME),
    fromMe: false,
    isGroup: false,
    type: 'TEXT',
    text: 'Do you deliver on Sundays?',
    pushName: 'Eva',
    source: 'live',
    media: null,
  });
  expect(delivery!.headers['webhook-id']).toBe(delivery!.json.id);

  // Two messages at once are two events, in sequence.
  const first = await world.sim.send(EVA, { to: ME, text: 'one' });
  const second = await world.sim.send(EVA, { to: ME, text: 'two' });
  const [one] = await received('messages.upsert', (r) => r.json.data.message.messageId === first.id);
  const [two] = await received('messages.upsert', (r) => r.json.data.message.messageId === second.id);
  expect(two!.json.sequence).toBeGreaterThan(one!.json.sequence);
});

describe('webhook URLs that reach private addresses', () => {
  it('are refused at registration with a hint on how to allow them, unless the host is allowed', async () => {
    const gateway = await startGateway('webhooks_ssrf', { WEBHOOK_ALLOWED_HOSTS: 'n8n.internal' });
    try {
      for (const url of [
        `${receiver.url}/x`,
        'http://localhost:5678/webhook',
        'http://[::ffff:127.0.0.1]/x',
        'http://[64:ff9b::a00:1]/x',
        'http://169.254.169.254/latest/meta-data',
        'http://10.1.2.3/x',
      ]) {
        const res = await gateway.api.post('/api/v1/webhooks', { key: gateway.adminKey, body: { url, event: '*' } });
        expect({ url, status: res.status }).toEqual({ url, status: 400 });
        expect(res.body.message).toContain('WEBHOOK_ALLOW_PRIVATE');
      }
      const allowed = await gateway.api.post('/api/v1/webhooks', {
        key: gateway.adminKey,
        body: { url: 'http://n8n.internal:5678/webhook/x', event: '*' },
      });
      expect(allowed.status).toBe(201);
      expect((await gateway.api.get('/api/v1/webhooks', { key: gateway.adminKey })).body.data).toHaveLength(1);

      // A webhook whose URL reaches a private address at delivery time (DNS rebinding, or a row written
      // before the rules changed) is refused when connecting, and the attempt says why.
      await gateway.ctx.db
        .updateTable('Webhook')
        .set({ url: `${receiver.url}/rebound` })
        .where('id', '=', allowed.body.id)
        .execute();
      const test = await gateway.api.post(`/api/v1/webhooks/${allowed.body.id}/test`, { key: gateway.adminKey });
      expect(test.body).toMatchObject({ success: false, statusCode: null, error: expect.stringContaining('WEBHOOK_ALLOW_PRIVATE') });
      expect(receiver.on('/rebound')).toEqual([]);
    } finally {
      await gateway.close();
    }
  });
});
