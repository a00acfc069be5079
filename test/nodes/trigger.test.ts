import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createEngine, type WorkflowNode } from '../helpers/n8n-engine';
import { HookContext, WebhookContext } from 'n8n-core';
import { Logger } from '@n8n/backend-common';
import { Container } from '@n8n/di';
import {
  type IDataObject,
  type INodeExecutionData,
  type INodeParameters,
  type IWebhookData,
  type IWebhookResponseData,
  type Workflow,
} from 'n8n-workflow';
import { BaileysApi } from '../../credentials/BaileysApi.credentials';
import { WhatsAppBaileysTrigger } from '../../nodes/WhatsAppBaileysTrigger/WhatsAppBaileysTrigger.node';
import { sign } from '../../nodes/WhatsAppBaileysTrigger/signature';
import { eventually } from '../helpers/eventually';
import { phoneJid, startConnectedWorld, type ConnectedWorld } from '../helpers/whatsapp';

jest.setTimeout(120_000);

const ME = '15550909001';
const ALICE = '15550909002';
const PNG = readFileSync(path.join(__dirname, '../fixtures/tiny.png'));
const TYPE = 'CUSTOM.whatsAppBaileysTrigger';

const trigger = new WhatsAppBaileysTrigger();
const lifecycle = trigger.webhookMethods.default;

/** One POST the receiver got and what the node's webhook() made of it. */
interface Delivery {
  headers: http.IncomingHttpHeaders;
  rawBody: Buffer;
  body: IDataObject;
  status: number;
  answer: unknown;
  result: IWebhookResponseData | undefined;
  error?: Error;
}

let world: ConnectedWorld;
let receiver: http.Server;
let receiverUrl: string;
const deliveries: Delivery[] = [];
let route: (webhookPath: string) => ActiveTrigger | undefined = () => undefined;

/**
 * Plays n8n's part: an HTTP server at the webhook base URLs that hands each POST to the trigger's
 * webhook() in a real n8n-core WebhookContext (express-like request with rawBody, response with
 * status/json/send), and answers as n8n does (200 "Workflow was started" or "Webhook call
 * received" unless the node answered itself).
 */
async function startReceiver() {
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void (async () => {
        const rawBody = Buffer.concat(chunks);
        const delivery: Delivery = { headers: req.headers, rawBody, body: {}, status: 0, answer: undefined, result: undefined };
        try {
          delivery.body = JSON.parse(rawBody.toString('utf8'));
        } catch {
          delivery.body = {};
        }
        const target = route(req.url ?? '');
        if (!target) {
          res.writeHead(404).end();
          return;
        }
        let answered = false;
        const response = {
          statusCode: 200,
          get headersSent() {
            return answered;
          },
          status(code: number) {
            this.statusCode = code;
            return this;
          },
          json(body: unknown) {
            return this.send(body);
          },
          send(body: unknown) {
            answered = true;
            delivery.status = this.statusCode;
            delivery.answer = body;
            res.writeHead(this.statusCode, { 'content-type': 'application/json' }).end(JSON.stringify(body));
            return this;
          },
        };
        const request = { method: req.method, url: req.url, headers: req.headers, rawBody, body: delivery.body, params: {}, query: {} };
        try {
          delivery.result = await target.webhook(request, response);
          if (!answered) {
            response.send({ message: delivery.result.workflowData ? 'Workflow was started' : 'Webhook call received' });
          }
        } catch (error) {
          delivery.error = error as Error;
          if (!answered) response.status(500).send({ message: (error as Error).message });
        }
        deliveries.push(delivery);
      })();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
}

interface ActiveTrigger {
  workflow: Workflow;
  node: WorkflowNode;
  /** The node's static data (its registrations). */
  staticData: () => IDataObject;
  /** n8n's activation: checkExists, then create when it says false. Returns whether create ran. */
  activate(isTest?: boolean): Promise<boolean>;
  deactivate(isTest?: boolean): Promise<boolean>;
  checkExists(isTest?: boolean): Promise<boolean>;
  url(isTest?: boolean): string;
  webhook(request: object, response: object): Promise<IWebhookResponseData>;
}

function engineFor(world: ConnectedWorld) {
  return createEngine({
    nodes: { [TYPE]: trigger },
    credentialTypes: [new BaileysApi()],
    credentials: { baileysApi: { baseUrl: world.gateway.api.baseUrl, apiKey: world.key } },
  });
}

/** A workflow holding one trigger node, driven through n8n-core's hook and webhook contexts. */
function activeTrigger(parameters: INodeParameters, webhookId = 'b0c1d2e3-0000-4000-8000-000000000001'): ActiveTrigger {
  const engine = engineFor(world);
  const node: WorkflowNode = {
    name: 'WhatsApp Trigger',
    type: TYPE,
    webhookId,
    parameters,
    credentials: { baileysApi: { id: '1', name: 'Gateway' } },
  };
  const workflow = engine.workflowOf([node]);
  const additionalData = {
    ...engine.additionalData(),
    webhookBaseUrl: `${receiverUrl}/webhook`,
    webhookTestBaseUrl: `${receiverUrl}/webhook-test`,
  } as any;
  const webhookData = (isTest: boolean): IWebhookData => ({
    httpMethod: 'POST',
    node: node.name,
    path: `${webhookId}/webhook`,
    webhookDescription: trigger.description.webhooks![0]!,
    workflowId: workflow.id,
    workflowExecuteAdditionalData: additionalData,
    isTest,
  });
  // n8n's modes: production activation runs as 'trigger'/'activate'; the editor's test listener as 'manual'/'manual'.
  const hook = (isTest: boolean) =>
    new HookContext(
      workflow,
      workflow.getNode(node.name)!,
      additionalData,
      isTest ? 'manual' : 'trigger',
      isTest ? 'manual' : 'activate',
      webhookData(isTest),
    );
  const url = (isTest = false) => `${receiverUrl}/${isTest ? 'webhook-test' : 'webhook'}/${webhookId}/webhook`;
  return {
    workflow,
    node,
    staticData: () => workflow.getStaticData('node', workflow.getNode(node.name)!),
    url,
    checkExists: (isTest = false) => lifecycle.checkExists.call(hook(isTest)),
    async activate(isTest = false) {
      if (await lifecycle.checkExists.call(hook(isTest))) return false;
      await lifecycle.create.call(hook(isTest));
      return true;
    },
    deactivate: (isTest = false) => lifecycle.delete.call(hook(isTest)),
    webhook(request, response) {
      const isTest = (request as { url: string }).url.startsWith('/webhook-test/');
      const data = { ...additionalData, httpRequest: request, httpResponse: response };
      const context = new WebhookContext(
        workflow,
        workflow.getNode(node.name)!,
        data,
        isTest ? 'manual' : 'webhook',
        webhookData(isTest),
        [],
        null,
      );
      return trigger.webhook.call(context);
    },
  };
}

const registrationsOf = (active: ActiveTrigger) =>
  (active.staticData().registrations ?? {}) as Record<string, { webhookId: string; secret: string }>;
const getWebhook = (id: string) => world.gateway.api.get(`/api/v1/webhooks/${id}`, { key: world.key });

/** The next delivery (after `since`) the receiver handled that matches. */
function deliveryWhere(accept: (delivery: Delivery) => boolean, since = 0, label = 'delivery'): Promise<Delivery> {
  return eventually(
    async () => deliveries.slice(since).find(accept),
    (found) => found !== undefined,
    20_000,
    label,
  ).then((found) => found!);
}

const aboutMessage = (messageId: string) => (delivery: Delivery) =>
  (delivery.body.data as IDataObject | undefined)?.message !== undefined &&
  ((delivery.body.data as { message: IDataObject }).message.messageId as string) === messageId;

/** POSTs to the receiver as the gateway would, but with whatever headers and body the test wants. */
async function post(url: string, headers: Record<string, string>, body: Buffer) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return { status: response.status, body: (await response.json().catch(() => undefined)) as any };
}

/** What the node logged at warn level or above (a failed delete says why here). */
const warnings: string[] = [];

beforeAll(async () => {
  const quiet = () => {};
  const keep = (message: string, meta?: object) => warnings.push(`${message} ${JSON.stringify(meta ?? {})}`);
  // Node contexts log through n8n's DI logger.
  Container.set(Logger, { error: keep, warn: keep, info: quiet, debug: quiet, verbose: quiet, scoped: () => ({}) } as never);
  await startReceiver();
  world = await startConnectedWorld(
    'nodes_trigger',
    { me: ME, contacts: { [ALICE]: 'Alice' } },
    {
      WEBHOOK_ALLOW_PRIVATE: 'true',
      WEBHOOK_POLL_INTERVAL_MS: '50',
      WEBHOOK_RETRY_BASE_DELAY_MS: '200',
      WEBHOOK_RETRY_MAX_DELAY_MS: '1000',
    },
  );
});
afterAll(async () => {
  await world?.close();
  await new Promise((resolve) => receiver?.close(resolve));
});

describe('WhatsApp (Baileys) Trigger on a real gateway', () => {
  let active: ActiveTrigger;
  let webhookId: string;
  let secret: string;

  it("activation registers the node's URL for the workflow's sessions, with the workflow id", async () => {
    // The session is on the workflow's plan: the gateway routes its events to webhooks of that workflow.
    const patched = await world.gateway.api.patch('/api/v1/sessions/me', { key: world.key, body: { workflowId: 'engine-test' } });
    expect(patched.status).toBe(200);
    active = activeTrigger({ sessionScope: 'workflow', events: ['messages.upsert'], options: { ignoreFromMe: true } });
    route = (webhookPath) => (webhookPath.endsWith(`/${active.node.webhookId}/webhook`) ? active : undefined);

    expect(await active.activate()).toBe(true);
    const registration = registrationsOf(active)[active.url()]!;
    expect(registration.secret).toMatch(/^whsec_/);
    ({ webhookId, secret } = registration);

    const remote = await getWebhook(webhookId);
    expect(remote.status).toBe(200);
    expect(remote.body).toMatchObject({
      url: active.url(),
      event: 'messages.upsert',
      isActive: true,
      workflowId: 'engine-test',
      sessionIds: null,
      metadata: { source: 'n8n', n8nWorkflowId: 'engine-test', node: 'WhatsApp Trigger' },
    });
    expect(remote.body.secret).toBeUndefined();

    // A second activation (n8n restarts, or the workflow is saved again) keeps the registration.
    expect(await active.activate()).toBe(false);
    expect(registrationsOf(active)[active.url()]!.webhookId).toBe(webhookId);
  });

  it('a message from a contact reaches webhook() signed, and becomes the documented item', async () => {
    const since = deliveries.length;
    const { id } = await world.sim.send(ALICE, { to: ME, text: 'hello trigger' });
    const delivery = await deliveryWhere(aboutMessage(id), since, `delivery of ${id}`);

    expect(delivery.error).toBeUndefined();
    expect(delivery.status).toBe(200);
    expect(delivery.headers['webhook-signature']).toMatch(/^v1,/);
    const items = delivery.result!.workflowData![0]!;
    expect(items).toHaveLength(1);
    expect(items[0]!.json).toEqual({
      sessionId: 'me',
      event: 'messages.upsert',
      messageId: id,
      chatId: phoneJid(ALICE),
      from: phoneJid(ALICE),
      fromMe: false,
      isGroup: false,
      type: 'TEXT',
      text: 'hello trigger',
      timestamp: expect.anything(),
      data: delivery.body.data,
    });
    expect(delivery.body).toMatchObject({ event: 'messages.upsert', sessionId: 'me', workflowId: 'engine-test' });
  });

  it('answers 401 to a tampered body, an old timestamp and a foreign secret; a genuine one passes', async () => {
    const genuine = deliveries.find((delivery) => delivery.result?.workflowData)!;
    const headers = {
      'webhook-id': String(genuine.headers['webhook-id']),
      'webhook-timestamp': String(genuine.headers['webhook-timestamp']),
      'webhook-signature': String(genuine.headers['webhook-signature']),
    };
    const tampered = Buffer.from(genuine.rawBody.toString('utf8').replace('hello trigger', 'hello trigger!'), 'utf8');
    const rejected = await post(active.url(), headers, tampered);
    expect(rejected.status).toBe(401);
    expect(rejected.body.message).toMatch(/Signature check failed/);

    // Correctly signed with the node's own secret, but six minutes old.
    const old = String(Math.floor(Date.now() / 1000) - 360);
    const oldHeaders = {
      ...headers,
      'webhook-timestamp': old,
      'webhook-signature': sign(secret, headers['webhook-id'], old, genuine.rawBody),
    };
    expect((await post(active.url(), oldHeaders, genuine.rawBody)).status).toBe(401);

    const foreign = 'whsec_' + Buffer.alloc(32, 7).toString('base64');
    const now = String(Math.floor(Date.now() / 1000));
    const foreignHeaders = {
      ...headers,
      'webhook-timestamp': now,
      'webhook-signature': sign(foreign, headers['webhook-id'], now, genuine.rawBody),
    };
    expect((await post(active.url(), foreignHeaders, genuine.rawBody)).status).toBe(401);
    expect((await post(active.url(), {}, genuine.rawBody)).status).toBe(401);

    const fresh = { ...headers, 'webhook-timestamp': now, 'webhook-signature': sign(secret, headers['webhook-id'], now, genuine.rawBody) };
    const accepted = await post(active.url(), fresh, genuine.rawBody);
    expect(accepted).toEqual({ status: 200, body: { message: 'Workflow was started' } });
  });

  it("drops the session's own messages without starting the workflow (ignore messages sent by me)", async () => {
    const since = deliveries.length;
    const sent = await world.gateway.api.post('/api/v1/sessions/me/messages', {
      key: world.key,
      body: { to: ALICE, type: 'text', text: 'my own' },
    });
    expect(sent.status).toBe(201);
    const delivery = await deliveryWhere(aboutMessage(sent.body.messageId), since, 'delivery of our own message');
    expect(delivery.status).toBe(200);
    expect(delivery.result).toEqual({});
    expect(delivery.answer).toEqual({ message: 'Webhook call received' });
  });

  it('downloads media into the chosen binary property when asked', async () => {
    const node = active.workflow.getNode(active.node.name)!;
    node.parameters.options = { ignoreFromMe: true, downloadMedia: true, binaryPropertyName: 'picture' };
    const since = deliveries.length;
    const { id } = await world.sim.send(ALICE, { to: ME, image: PNG.toString('base64'), mimetype: 'image/png', caption: 'a picture' });
    const delivery = await deliveryWhere(aboutMessage(id), since, `delivery of image ${id}`);
    const item = delivery.result!.workflowData![0]![0]! as INodeExecutionData;
    expect(item.json).toMatchObject({ type: 'IMAGE', text: 'a picture', messageId: id });
    expect(item.json.mediaError).toBeUndefined();
    expect(item.binary?.picture).toMatchObject({ mimeType: 'image/png' });
    expect(Buffer.from(item.binary!.picture!.data, 'base64').equals(PNG)).toBe(true);
    node.parameters.options = { ignoreFromMe: true };
  });

  it('re-registers when the gateway lost the webhook, and when no secret is stored', async () => {
    expect((await world.gateway.api.delete(`/api/v1/webhooks/${webhookId}`, { key: world.key })).status).toBe(204);
    expect(await active.checkExists()).toBe(false);
    expect(await active.activate()).toBe(true);
    const renewed = registrationsOf(active)[active.url()]!;
    expect(renewed.webhookId).not.toBe(webhookId);
    expect((await getWebhook(renewed.webhookId)).status).toBe(200);

    delete (registrationsOf(active)[active.url()] as { secret?: string }).secret;
    expect(await active.activate()).toBe(true);
    // The registration it could not trust any more is gone from the gateway too.
    expect((await getWebhook(renewed.webhookId)).status).toBe(404);
    ({ webhookId, secret } = registrationsOf(active)[active.url()]!);
  });

  it("keeps the editor's test registration apart from the production one", async () => {
    expect(await active.activate(true)).toBe(true);
    const registrations = registrationsOf(active);
    expect(Object.keys(registrations).sort()).toEqual([active.url(), active.url(true)].sort());
    const test = registrations[active.url(true)]!;
    expect(test.webhookId).not.toBe(webhookId);
    expect((await getWebhook(test.webhookId)).body.url).toBe(active.url(true));

    // A delivery to the test URL is checked with the test registration's secret.
    const since = deliveries.length;
    const { id } = await world.sim.send(ALICE, { to: ME, text: 'to both' });
    const both = await eventually(
      async () => deliveries.slice(since).filter(aboutMessage(id)),
      (found) => found.length === 2,
      20_000,
      'deliveries to the test and production URLs',
    );
    expect(both.map((delivery) => delivery.status)).toEqual([200, 200]);
    expect(both.every((delivery) => delivery.result?.workflowData?.[0]?.[0]?.json.text === 'to both')).toBe(true);

    expect({ deleted: await active.deactivate(true), warnings }).toEqual({ deleted: true, warnings: [] });
    expect((await getWebhook(test.webhookId)).status).toBe(404);
    expect(Object.keys(registrationsOf(active))).toEqual([active.url()]);
    expect(await active.checkExists()).toBe(true);
  });

  it('deactivation deletes the webhook; one already gone is fine', async () => {
    expect({ deleted: await active.deactivate(), warnings }).toEqual({ deleted: true, warnings: [] });
    expect((await getWebhook(webhookId)).status).toBe(404);
    expect(registrationsOf(active)).toEqual({});
    expect(await active.deactivate()).toBe(true);

    const again = activeTrigger({ sessionScope: 'workflow', events: ['messages.upsert'] });
    expect(await again.activate()).toBe(true);
    const { webhookId: id } = registrationsOf(again)[again.url()]!;
    expect((await world.gateway.api.delete(`/api/v1/webhooks/${id}`, { key: world.key })).status).toBe(204);
    expect(await again.deactivate()).toBe(true);
    expect(registrationsOf(again)).toEqual({});
  });

  it('a single-session trigger registers sessionIds (no workflow routing) and changed settings re-register', async () => {
    const one = activeTrigger(
      { sessionScope: 'one', sessionId: { __rl: true, mode: 'list', value: 'me' }, events: ['messages.upsert', 'message.receipt'] },
      'b0c1d2e3-0000-4000-8000-000000000002',
    );
    expect(await one.activate()).toBe(true);
    const { webhookId: id } = registrationsOf(one)[one.url()]!;
    expect((await getWebhook(id)).body).toMatchObject({ event: 'messages.upsert,message.receipt', sessionIds: ['me'], workflowId: null });

    one.workflow.getNode('WhatsApp Trigger')!.parameters.events = ['messages.upsert'];
    expect(await one.activate()).toBe(true);
    expect((await getWebhook(id)).status).toBe(404);
    const { webhookId: changed } = registrationsOf(one)[one.url()]!;
    expect((await getWebhook(changed)).body).toMatchObject({ event: 'messages.upsert', sessionIds: ['me'] });
    expect(await one.deactivate()).toBe(true);
  });

  it('registers every event of the catalogue at once', async () => {
    const all = activeTrigger({ sessionScope: 'workflow', events: [] }, 'b0c1d2e3-0000-4000-8000-000000000003');
    const events = (await world.gateway.api.get('/api/v1/webhooks/events', { key: world.key })).body.events.map(
      (e: { name: string }) => e.name,
    );
    all.workflow.getNode('WhatsApp Trigger')!.parameters.events = events.filter((name: string) => name !== 'webhook.test');
    expect(await all.activate()).toBe(true);
    const { webhookId: id } = registrationsOf(all)[all.url()]!;
    expect((await getWebhook(id)).body.event.split(',').sort()).toEqual(events.filter((name: string) => name !== 'webhook.test').sort());
    expect(await all.activate()).toBe(false);
    expect(await all.deactivate()).toBe(true);
  });

  it('offers the gateway catalogue (without webhook.test) and the sessions in the editor', async () => {
    const engine = engineFor(world);
    const context = engine.loadOptionsContext({
      name: 'T',
      type: TYPE,
      parameters: {},
      credentials: { baileysApi: { id: '1', name: 'Gateway' } },
    });
    const events = await trigger.methods.loadOptions.getEvents.call(context);
    const names = events.map((event) => event.value);
    expect(names).toEqual(expect.arrayContaining(['messages.upsert', 'session.status', 'messages.history', 'webhook.disabled']));
    expect(names).not.toContain('webhook.test');
    expect(events.find((event) => event.value === 'messages.history')!.description).toMatch(/only sent when chosen by name/);
    const sessions = await trigger.methods.listSearch.searchSessions.call(context);
    expect(sessions.results.map((result) => result.value)).toEqual(['me']);
  });
});
