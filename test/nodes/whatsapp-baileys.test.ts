import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { BaileysApi } from '../../credentials/BaileysApi.credentials';
import { WhatsAppBaileys } from '../../nodes/WhatsAppBaileys/WhatsAppBaileys.node';
import { createEngine, type WorkflowNode } from '../helpers/n8n-engine';
import { phoneJid, startConnectedWorld, type ConnectedWorld } from '../helpers/whatsapp';

jest.setTimeout(120_000);

const ME = '15550801001';
const CARA = '15550801002';
const DAN = '15550801003';
const NOBODY = '15550809999';
const PNG = readFileSync(path.join(__dirname, '../fixtures/tiny.png'));
/** How people type numbers: spaces, dashes, parentheses. */
const typed = (phone: string) => `+${phone.slice(0, 1)} (${phone.slice(1, 4)}) ${phone.slice(4, 7)}-${phone.slice(7)}`;

let world: ConnectedWorld;
let engine: ReturnType<typeof createEngine>;

beforeAll(async () => {
  world = await startConnectedWorld('nodes_action', { me: ME, contacts: { [CARA]: 'Cara', [DAN]: 'Dan' } });
  engine = createEngine({
    nodes: { 'CUSTOM.whatsAppBaileys': new WhatsAppBaileys() },
    credentialTypes: [new BaileysApi()],
    credentials: { baileysApi: { baseUrl: `${world.gateway.api.baseUrl}/`, apiKey: world.key } },
  });
});
afterAll(async () => {
  await world?.close();
});

/** The action node with the session "me" picked from the list, plus `parameters`. */
const whatsApp = (parameters: IDataObject, settings: Partial<WorkflowNode> = {}): WorkflowNode => ({
  name: 'WhatsApp',
  type: 'CUSTOM.whatsAppBaileys',
  parameters: { sessionId: { __rl: true, mode: 'list', value: 'me' }, ...parameters },
  credentials: { baileysApi: { id: '1', name: 'Baileys API' } },
  ...settings,
});

async function runNode(parameters: IDataObject, input?: INodeExecutionData[], settings: Partial<WorkflowNode> = {}) {
  const result = await engine.run([whatsApp(parameters, settings)], {}, input);
  return { ...result, items: result.output('WhatsApp') };
}

describe('credential', () => {
  it('"Test credential" calls GET /api/v1/me with the key as a header and succeeds', async () => {
    const { error, output } = await engine.testCredential('baileysApi');
    expect(error).toBeUndefined();
    expect(output('Test')[0]!.json).toMatchObject({ email: 'admin@test.local' });
  });

  it('fails with a wrong key', async () => {
    const wrong = createEngine({
      nodes: {},
      credentialTypes: [new BaileysApi()],
      credentials: { baileysApi: { baseUrl: world.gateway.api.baseUrl, apiKey: 'bak_wrong' } },
    });
    const { error } = await wrong.testCredential('baileysApi');
    expect(error).toBeDefined();
    expect((error as { httpCode?: string }).httpCode).toBe('401');
  });
});

describe('message', () => {
  it('sends a text per input item to numbers as people type them; each output is paired with its item', async () => {
    const { error, items } = await runNode(
      { resource: 'message', operation: 'sendText', to: '={{ $json.to }}', text: '={{ $json.text }}' },
      [{ json: { to: typed(CARA), text: 'Hello Cara from n8n' } }, { json: { to: `00${DAN}`, text: 'Hello Dan from n8n' } }],
    );
    expect(error).toBeUndefined();
    expect(items).toHaveLength(2);
    expect(items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
    const [toCara, toDan] = items.map((item) => item.json.messageId as string);
    expect(await world.sim.waitForInbox(CARA, (e) => e.id === toCara, 10_000)).toMatchObject({
      type: 'text',
      text: 'Hello Cara from n8n',
      from: phoneJid(ME),
    });
    expect(await world.sim.waitForInbox(DAN, (e) => e.id === toDan, 10_000)).toMatchObject({ text: 'Hello Dan from n8n' });
  });

  it('sends an image from a binary property; downloading its media gives the same bytes back as binary', async () => {
    const input: INodeExecutionData[] = [
      { json: {}, binary: { photo: { data: PNG.toString('base64'), mimeType: 'image/png', fileName: 'tiny.png' } } },
    ];
    const sent = await runNode(
      {
        resource: 'message',
        operation: 'sendImage',
        to: CARA,
        mediaSource: 'binary',
        binaryPropertyName: 'photo',
        caption: 'a tiny picture',
      },
      input,
    );
    expect(sent.error).toBeUndefined();
    const messageId = sent.items[0]!.json.messageId as string;
    const entry = await world.sim.waitForInbox(CARA, (e) => e.id === messageId, 10_000);
    expect(entry).toMatchObject({ type: 'image', caption: 'a tiny picture', mimetype: 'image/png' });
    expect((await world.sim.inboxMedia(CARA, messageId)).bytes.equals(PNG)).toBe(true);

    const downloaded = await runNode({ resource: 'message', operation: 'downloadMedia', messageId, binaryPropertyName: 'file' });
    expect(downloaded.error).toBeUndefined();
    const item = downloaded.items[0]!;
    expect(item.json).toMatchObject({ messageId, mimeType: 'image/png', fileSize: PNG.length });
    expect(item.binary!.file!.mimeType).toBe('image/png');
    expect(Buffer.from(item.binary!.file!.data, 'base64').equals(PNG)).toBe(true);
    expect(item.pairedItem).toEqual({ item: 0 });
  });

  it('a gateway failure is a NodeApiError with the gateway message and status', async () => {
    const { error, items } = await runNode({ resource: 'message', operation: 'sendText', to: `+${NOBODY}`, text: 'anyone?' });
    expect(items).toEqual([]);
    expect(error).toBeDefined();
    expect(error!.name).toBe('NodeApiError');
    expect(error!.message).toBe(`+${NOBODY} is not on WhatsApp; check the number (international format, country code first)`);
    expect((error as { httpCode?: string }).httpCode).toBe('422');
  });

  it('with "continue on fail" a failure becomes an error item and the other items still run', async () => {
    const { error, items } = await runNode(
      { resource: 'message', operation: 'sendText', to: '={{ $json.to }}', text: 'are you there?' },
      [{ json: { to: NOBODY } }, { json: { to: CARA } }],
      { onError: 'continueRegularOutput' },
    );
    expect(error).toBeUndefined();
    expect(items).toHaveLength(2);
    expect(items[0]).toMatchObject({
      json: { error: `+${NOBODY} is not on WhatsApp; check the number (international format, country code first)`, statusCode: 422 },
      pairedItem: { item: 0 },
    });
    expect(items[1]).toMatchObject({ json: { status: expect.any(String) }, pairedItem: { item: 1 } });
    expect(items[1]!.json.messageId).toEqual(expect.any(String));
  });
});

describe('group', () => {
  it('creates a group with the given subject and participants', async () => {
    const { error, items } = await runNode({
      resource: 'group',
      operation: 'create',
      subject: 'n8n planning',
      participants: `${typed(CARA)}, ${DAN}`,
    });
    expect(error).toBeUndefined();
    const group = items[0]!.json as { jid: string; subject: string; participants: { jid: string }[] };
    expect(group.jid).toMatch(/@g\.us$/);
    expect(group.subject).toBe('n8n planning');
    expect(group.participants.map((p) => p.jid)).toEqual(expect.arrayContaining([phoneJid(CARA), phoneJid(DAN)]));

    const live = await runNode({ resource: 'group', operation: 'get', groupJid: { __rl: true, mode: 'id', value: group.jid } });
    expect(live.items[0]!.json).toMatchObject({ jid: group.jid, subject: 'n8n planning' });

    const context = engine.loadOptionsContext(whatsApp({ resource: 'group', operation: 'get' }));
    const found = await new WhatsAppBaileys().methods.listSearch.searchGroups.call(context, 'planning');
    expect(found.results).toContainEqual({ name: `n8n planning (${group.jid})`, value: group.jid });
  });
});

describe('contact', () => {
  it('checks which numbers are on WhatsApp: one item per number', async () => {
    const { error, items } = await runNode({ resource: 'contact', operation: 'check', numbers: `${typed(CARA)}\n+${NOBODY}` });
    expect(error).toBeUndefined();
    expect(items.map((item) => item.json)).toEqual([
      expect.objectContaining({ phoneNumber: CARA, exists: true, jid: phoneJid(CARA) }),
      expect.objectContaining({ phoneNumber: NOBODY, exists: false, jid: null }),
    ]);
    expect(items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 0 }]);
  });
});

describe('session', () => {
  it('lists sessions in the session picker, searchable by id', async () => {
    const context = engine.loadOptionsContext(whatsApp({ resource: 'message', operation: 'sendText' }));
    const listSearch = new WhatsAppBaileys().methods.listSearch;
    const all = await listSearch.searchSessions.call(context);
    expect(all.results).toEqual([{ name: `Me (me) · CONNECTED · +${ME}`, value: 'me' }]);
    expect((await listSearch.searchSessions.call(context, `+${ME.slice(0, 6)}`)).results).toHaveLength(1);
    expect((await listSearch.searchSessions.call(context, 'ME')).results).toHaveLength(1);
    expect((await listSearch.searchSessions.call(context, 'nothing-like-it')).results).toEqual([]);
  });

  it('gets the status of the session', async () => {
    const { error, items } = await runNode({ resource: 'session', operation: 'getStatus' });
    expect(error).toBeUndefined();
    expect(items[0]!.json).toMatchObject({ sessionId: 'me', status: 'CONNECTED' });
  });
});
