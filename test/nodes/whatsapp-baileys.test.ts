import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { BaileysApi } from '../../credentials/BaileysApi.credentials';
import { WhatsAppBaileys } from '../../nodes/WhatsAppBaileys/WhatsAppBaileys.node';
import { eventually } from '../helpers/eventually';
import { createEngine, type WorkflowNode } from '../helpers/n8n-engine';
import { phoneJid, sessionWhere, startConnectedWorld, storedMessage, type ConnectedWorld } from '../helpers/whatsapp';
import { fakeMedia, startMediaServer, type MediaServer } from '../messages/media-server';

jest.setTimeout(120_000);

const ME = '15550801001';
const CARA = '15550801002';
const DAN = '15550801003';
const NOBODY = '15550809999';
const PNG = readFileSync(path.join(__dirname, '../fixtures/tiny.png'));
const PDF = fakeMedia('pdf', 2500);
const VOICE = fakeMedia('ogg', 1500);
/** How people type numbers: spaces, dashes, parentheses. */
const typed = (phone: string) => `+${phone.slice(0, 1)} (${phone.slice(1, 4)}) ${phone.slice(4, 7)}-${phone.slice(7)}`;

let world: ConnectedWorld;
let engine: ReturnType<typeof createEngine>;
let media: MediaServer;

beforeAll(async () => {
  world = await startConnectedWorld(
    'nodes_action',
    { me: ME, contacts: { [CARA]: 'Cara', [DAN]: 'Dan' } },
    { MEDIA_URL_ALLOW_PRIVATE: 'true' },
  );
  media = await startMediaServer({ '/files/report.pdf': { body: PDF, type: 'application/pdf' } });
  engine = createEngine({
    nodes: { 'CUSTOM.whatsAppBaileys': new WhatsAppBaileys() },
    credentialTypes: [new BaileysApi()],
    credentials: { baileysApi: { baseUrl: `${world.gateway.api.baseUrl}/`, apiKey: world.key } },
  });
});
afterAll(async () => {
  await media?.close();
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

    const [text] = await ok('message', 'sendText', { to: CARA, text: 'no media here' });
    const failed = await runNode({
      resource: 'message',
      operation: 'downloadMedia',
      messageId: text!.messageId,
      binaryPropertyName: 'file',
    });
    expect(failed.error).toMatchObject({ name: 'NodeApiError', httpCode: '422', message: expect.stringMatching(/media/i) });
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

/** Runs one operation and expects it to succeed; answers its output items' JSON. */
async function ok(resource: string, operation: string, parameters: IDataObject = {}, input?: INodeExecutionData[]) {
  const { error, items } = await runNode({ resource, operation, ...parameters }, input);
  if (error) throw new Error(`${resource}.${operation}: ${error.message} (${(error as { description?: string }).description ?? ''})`);
  for (const item of items) expect(item.pairedItem).toEqual({ item: 0 });
  return items.map((item) => item.json);
}

describe('every operation reaches its route', () => {
  it('message: location, contact, poll, reaction, edit, forward, read, presence, delete, document from a URL, voice note', async () => {
    const [location] = await ok('message', 'sendLocation', {
      to: CARA,
      latitude: 52.520008,
      longitude: 13.404954,
      options: { name: 'Alex' },
    });
    expect(await world.sim.waitForInbox(CARA, (e) => e.id === location!.messageId, 10_000)).toMatchObject({ type: 'location' });

    const [card] = await ok('message', 'sendContact', { to: CARA, contacts: { contact: [{ name: 'Dan', phone: typed(DAN) }] } });
    expect(await world.sim.waitForInbox(CARA, (e) => e.id === card!.messageId, 10_000)).toMatchObject({ type: 'contact' });

    const [poll] = await ok('message', 'sendPoll', {
      to: CARA,
      pollName: 'Lunch?',
      pollOptions: 'Pizza, Sushi\nSalad',
      selectableCount: 1,
    });
    const pollEntry = await world.sim.waitForInbox(CARA, (e) => e.id === poll!.messageId, 10_000);
    expect(JSON.stringify(pollEntry.poll)).toContain('Sushi');

    const [text] = await ok('message', 'sendText', { to: CARA, text: 'typo hree', options: { idempotencyKey: 'tour-1' } });
    const [again] = await ok('message', 'sendText', { to: CARA, text: 'typo hree', options: { idempotencyKey: 'tour-1' } });
    expect(again!.messageId).toBe(text!.messageId);
    await world.sim.waitForInbox(CARA, (e) => e.id === text!.messageId, 10_000);
    await ok('message', 'sendReaction', { to: CARA, messageId: text!.messageId, emoji: '👍' });
    await ok('message', 'edit', { messageId: text!.messageId, text: 'typo here' });
    expect(await world.sim.waitForInbox(CARA, (e) => e.id === text!.messageId && e.editedText === 'typo here', 10_000)).toBeDefined();
    const [forwarded] = await ok('message', 'forward', { messageId: text!.messageId, to: DAN });
    expect(forwarded!.messageId).toEqual(expect.any(String));

    const { id: incoming } = await world.sim.send(CARA, { to: ME, text: 'read me' });
    await storedMessage(world.gateway, world.sessionRowId, incoming);
    expect(await ok('message', 'markRead', { chatId: typed(CARA), messageIds: incoming })).toEqual([
      { chatId: phoneJid(CARA), messageIds: [incoming] },
    ]);

    expect(await ok('message', 'sendPresence', { state: 'composing', to: CARA })).toEqual([{ state: 'composing', to: phoneJid(CARA) }]);
    await ok('message', 'sendPresence', { state: 'available' });
    await ok('message', 'delete', { messageId: forwarded!.messageId });

    const [doc] = await ok('message', 'sendDocument', {
      to: CARA,
      mediaSource: 'url',
      mediaUrl: media.url('/files/report.pdf'),
      fileName: 'report.pdf',
      caption: 'the report',
    });
    expect(await world.sim.waitForInbox(CARA, (e) => e.id === doc!.messageId, 10_000)).toMatchObject({
      type: 'document',
      fileName: 'report.pdf',
      mimetype: 'application/pdf',
    });
    const [voice] = await ok('message', 'sendAudio', { to: CARA, mediaSource: 'binary', binaryPropertyName: 'data', ptt: true }, [
      { json: {}, binary: { data: { data: VOICE.toString('base64'), mimeType: 'audio/ogg', fileName: 'hi.ogg' } } },
    ]);
    expect(await world.sim.waitForInbox(CARA, (e) => e.id === voice!.messageId, 10_000)).toMatchObject({ type: 'audio' });
  });

  it('group: rename, describe, settings, participants, invite codes, list, leave', async () => {
    const [group] = await ok('group', 'create', { subject: 'Tour', participants: CARA });
    const groupJid = { __rl: true, mode: 'id', value: group!.jid };
    expect(await ok('group', 'updateSubject', { groupJid, subject: 'Tour 2' })).toEqual([expect.objectContaining({ subject: 'Tour 2' })]);
    expect(await ok('group', 'updateDescription', { groupJid, description: 'What we do' })).toEqual([
      expect.objectContaining({ description: 'What we do' }),
    ]);
    const [locked] = await ok('group', 'updateSettings', { groupJid, settings: { announcement: true, locked: true } });
    expect(locked!.settings).toMatchObject({ announce: true, restrict: true });
    const [added] = await ok('group', 'addParticipants', { groupJid, participants: typed(DAN) });
    expect(added!.results).toEqual([expect.objectContaining({ jid: phoneJid(DAN), status: 200 })]);
    await ok('group', 'promoteParticipants', { groupJid, participants: DAN });
    await ok('group', 'demoteParticipants', { groupJid, participants: DAN });
    await ok('group', 'removeParticipants', { groupJid, participants: DAN });
    const [invite] = await ok('group', 'getInviteCode', { groupJid });
    expect(invite!.url).toMatch(/^https:\/\/chat\.whatsapp\.com\//);
    const [revoked] = await ok('group', 'revokeInviteCode', { groupJid });
    expect(revoked!.code).not.toBe(invite!.code);
    const listed = await ok('group', 'getAll', { returnAll: true, refresh: true });
    expect(listed.map((g) => g.jid)).toContain(group!.jid);
    expect(await ok('group', 'getAll', { returnAll: false, limit: 1 })).toHaveLength(1);
    expect(await ok('group', 'leave', { groupJid })).toEqual([expect.objectContaining({ groupJid: group!.jid })]);
  });

  it('contact: get, block, unblock, list; a missing profile picture is a gateway error', async () => {
    expect(await ok('contact', 'get', { contactId: typed(CARA) })).toEqual([expect.objectContaining({ jid: phoneJid(CARA) })]);
    expect(await ok('contact', 'block', { contactId: DAN })).toEqual([expect.objectContaining({ isBlocked: true })]);
    expect(await ok('contact', 'unblock', { contactId: DAN })).toEqual([expect.objectContaining({ isBlocked: false })]);
    expect((await ok('contact', 'getAll', { returnAll: true })).length).toBeGreaterThan(0);
    const picture = await runNode({ resource: 'contact', operation: 'getProfilePicture', contactId: CARA, size: 'preview' });
    expect(picture.error ? Number((picture.error as { httpCode?: string }).httpCode) : 200).toBeLessThan(500);
  });

  it('chat: list, messages, archive, pin, mute and back', async () => {
    const chats = await ok('chat', 'getAll', { returnAll: true });
    expect(chats.map((c) => c.jid)).toContain(phoneJid(CARA));
    expect((await ok('chat', 'getMessages', { chatId: CARA, returnAll: false, limit: 3 })).length).toBe(3);
    expect(await ok('chat', 'archive', { chatId: CARA })).toEqual([expect.objectContaining({ isArchived: true })]);
    expect(await ok('chat', 'unarchive', { chatId: CARA })).toEqual([expect.objectContaining({ isArchived: false })]);
    expect(await ok('chat', 'pin', { chatId: CARA })).toEqual([expect.objectContaining({ isPinned: true })]);
    expect(await ok('chat', 'unpin', { chatId: CARA })).toEqual([expect.objectContaining({ isPinned: false })]);
    expect(await ok('chat', 'mute', { chatId: CARA, duration: 28800 })).toEqual([expect.objectContaining({ isMuted: true })]);
    expect(await ok('chat', 'unmute', { chatId: CARA })).toEqual([expect.objectContaining({ isMuted: false })]);
  });

  it('bulk and pacing: pace the session, send one text to many with placeholders, follow the job, cancel one', async () => {
    expect(await ok('session', 'updatePacing', { pacing: { messagesPerMinute: 600, jitterMs: 0, typingMs: 0 } })).toEqual([
      expect.objectContaining({ messagesPerMinute: 600, jitterMs: 0, typingMs: 0, paceSingleSends: false }),
    ]);
    const recipients = [
      { to: typed(CARA), variables: { name: 'Cara' } },
      { to: DAN, variables: { name: 'Dan' } },
    ];
    const [job] = await ok('message', 'sendBulk', { recipients: '={{ $json.recipients }}', text: 'Hi {{name}}, bulk from n8n' }, [
      { json: { recipients } },
    ]);
    expect(job).toMatchObject({ status: 'RUNNING', total: 2 });
    expect(await world.sim.waitForInbox(CARA, (e) => e.text === 'Hi Cara, bulk from n8n', 20_000)).toBeDefined();
    expect(await world.sim.waitForInbox(DAN, (e) => e.text === 'Hi Dan, bulk from n8n', 20_000)).toBeDefined();
    const done = await eventually(
      async () => (await ok('message', 'getBulk', { bulkJobId: job!.id }))[0]!,
      (progress) => progress.status === 'COMPLETED',
    );
    expect(done).toMatchObject({ progress: { sent: 2, failed: 0 }, recipients: [{ to: phoneJid(CARA) }, { to: phoneJid(DAN) }] });

    await ok('session', 'updatePacing', { pacing: { messagesPerMinute: 1 } });
    const [slow] = await ok('message', 'sendBulk', { recipients: `${CARA}\n${DAN}`, text: 'Maybe later' });
    const [cancelled] = await ok('message', 'cancelBulk', { bulkJobId: slow!.id });
    expect(cancelled).toMatchObject({ status: 'CANCELLED' });
    expect((cancelled!.progress as IDataObject).cancelled).toBeGreaterThanOrEqual(1);
    expect(await ok('session', 'getPacing')).toEqual([expect.objectContaining({ messagesPerMinute: 1, sentToday: expect.any(Number) })]);
    await ok('session', 'updatePacing', { pacing: { messagesPerMinute: 20, jitterMs: 3000, typingMs: 1500 } });
  });

  it('session: create, QR code as JSON and PNG, pairing code, list, log out', async () => {
    const [created] = await ok('session', 'create', { newSessionId: 'second', options: { name: 'Second', linkWorkflow: true } });
    expect(created).toMatchObject({ sessionId: 'second', name: 'Second', workflowId: 'engine-test' });
    await sessionWhere(world.gateway, world.key, 'second', (s) => s.status === 'QR_REQUIRED');
    const second = { __rl: true, mode: 'id', value: 'second' };
    const qr = await runNode({ resource: 'session', operation: 'getQr', sessionId: second, image: true, binaryPropertyName: 'qr' });
    expect(qr.error).toBeUndefined();
    expect(qr.items[0]!.json).toMatchObject({ qr: expect.any(String), expiresAt: expect.any(String) });
    expect(qr.items[0]!.binary!.qr!.mimeType).toBe('image/png');
    expect(Buffer.from(qr.items[0]!.binary!.qr!.data, 'base64').subarray(1, 4).toString()).toBe('PNG');

    await world.sim.createAccount('15550801004', 'Eve');
    const [pairing] = await ok('session', 'requestPairingCode', { sessionId: second, phoneNumber: '+1 555 080 1004' });
    expect(pairing!.pairingCode).toMatch(/^[A-Z0-9]{8}$/);

    expect((await ok('session', 'getAll', { returnAll: true })).map((s) => s.sessionId).sort()).toEqual(['me', 'second']);
    expect(await ok('session', 'logout', { sessionId: second })).toEqual([expect.objectContaining({ sessionId: 'second' })]);
  });
});
