import { readFileSync } from 'node:fs';
import path from 'node:path';
import { eventually } from '../helpers/eventually';
import { phoneJid, sessionWhere, startConnectedWorld, type ConnectedWorld } from '../helpers/whatsapp';
import { fakeMedia, startMediaServer, type MediaServer } from './media-server';

jest.setTimeout(120_000);

const ME = '15550602001';
const CARA = '15550602002';
const DAN = '15550602003';
const NOBODY = '15550602999';
const MAX_BYTES = 2048;
const PNG = readFileSync(path.join(__dirname, '../fixtures/tiny.png'));
const STICKER = fakeMedia('webp', 700);

let world: ConnectedWorld;
let media: MediaServer;
/** Messages that exist before the bad requests: one received from Cara, some sent by us. */
const fixtures = { fromCara: '', fromDan: '', ownText: '', ownLocation: '', ownPoll: '', ownSticker: '', revoked: '', reaction: '' };

const api = () => world.gateway.api;
const key = () => world.key;
const messages = '/api/v1/sessions/me/messages';
const send = (body: unknown, headers?: Record<string, string>) => api().post(messages, { key: key(), body, headers });
const messageCount = async () =>
  Number(
    (
      await world.gateway.ctx.db
        .selectFrom('Message')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('sessionId', '=', world.sessionRowId)
        .executeTakeFirstOrThrow()
    ).n,
  );
const storedRow = (messageId: string) =>
  eventually(
    () =>
      world.gateway.ctx.db
        .selectFrom('Message')
        .selectAll()
        .where('sessionId', '=', world.sessionRowId)
        .where('messageId', '=', messageId)
        .executeTakeFirst(),
    (row) => row !== undefined,
    10_000,
    `message ${messageId}`,
  );

async function sentOk(body: Record<string, unknown>): Promise<string> {
  const response = await send(body);
  if (response.status !== 201) throw new Error(`setup send failed: ${JSON.stringify(response.body)}`);
  await world.sim.waitForInbox(CARA, (e) => e.id === response.body.messageId, 10_000);
  return response.body.messageId;
}

/** Expects the status and a message matching `message`, and returns the body. */
async function expectError(call: Promise<{ status: number; body: any }>, status: number, message?: RegExp) {
  const response = await call;
  expect({ status: response.status, body: response.body }).toMatchObject({ status, body: { statusCode: status } });
  if (message) expect(response.body.message).toMatch(message);
  return response.body;
}

beforeAll(async () => {
  world = await startConnectedWorld(
    'messages_errors',
    { me: ME, contacts: { [CARA]: 'Cara', [DAN]: 'Dan' } },
    {
      MEDIA_MAX_BYTES: String(MAX_BYTES),
      MEDIA_FETCH_TIMEOUT_MS: '500',
      MEDIA_URL_ALLOW_PRIVATE: 'true',
    },
  );
  media = await startMediaServer({
    '/big.bin': { body: Buffer.alloc(MAX_BYTES + 1, 1), type: 'image/png' },
    '/big-chunked.bin': { body: Buffer.alloc(MAX_BYTES * 3, 1), type: 'image/png', chunked: true },
    '/ok.png': { body: PNG, type: 'image/png' },
  });
  fixtures.fromCara = (await world.sim.send(CARA, { to: ME, text: 'hi from Cara' })).id;
  fixtures.fromDan = (await world.sim.send(DAN, { to: ME, text: 'hi from Dan' })).id;
  await storedRow(fixtures.fromCara);
  await storedRow(fixtures.fromDan);
  fixtures.ownText = await sentOk({ to: CARA, type: 'text', text: 'an own text' });
  fixtures.ownLocation = await sentOk({ to: CARA, type: 'location', latitude: 1, longitude: 2 });
  fixtures.ownPoll = await sentOk({ to: CARA, type: 'poll', name: 'Q', options: ['a', 'b'] });
  fixtures.ownSticker = await sentOk({ to: CARA, type: 'sticker', base64: STICKER.toString('base64') });
  fixtures.reaction = await sentOk({ to: CARA, type: 'reaction', messageId: fixtures.fromCara, emoji: '👍' });
  fixtures.revoked = await sentOk({ to: CARA, type: 'text', text: 'to be deleted' });
  expect((await api().delete(`${messages}/${fixtures.revoked}`, { key: key() })).status).toBe(200);
});
afterAll(async () => {
  await media?.close();
  await world?.close();
});

describe('bad input is a clear 4xx and leaves nothing behind', () => {
  let rowsBefore: number;
  let inboxBefore: number;
  beforeEach(async () => {
    rowsBefore = await messageCount();
    inboxBefore = world.sim.inbox(CARA).length;
  });
  // Fails the test that left something behind. A good message sent after the bad requests travels
  // the same socket, relay and storage queue; once Cara has it and its row is stored, anything the
  // bad requests had sent or stored would be there too.
  afterEach(async () => {
    const sentinel = await sentOk({ to: CARA, type: 'text', text: `sentinel ${expect.getState().currentTestName}` });
    await storedRow(sentinel);
    expect(await messageCount()).toBe(rowsBefore + 1);
    expect(
      world.sim
        .inbox(CARA)
        .slice(inboxBefore)
        .map((e) => e.id),
    ).toEqual([sentinel]);
  });

  it('rejects bodies that do not fit the message type', async () => {
    await expectError(send({}), 400);
    await expectError(send({ to: CARA }), 400);
    const unknownType = await expectError(send({ to: CARA, type: 'fax', text: 'x' }), 400);
    expect(JSON.stringify(unknownType.details)).toMatch(/type/);
    const missing = await expectError(send({ to: CARA, type: 'text' }), 400);
    expect(missing.details).toEqual([expect.objectContaining({ message: expect.stringMatching(/text/) })]);
    await expectError(send({ to: CARA, type: 'text', text: '' }), 400);
    await expectError(send({ to: CARA, type: 'text', text: 5 }), 400);
    const extra = await expectError(send({ to: CARA, type: 'text', text: 'x', caption: 'not for texts' }), 400);
    expect(extra.details).toEqual([expect.objectContaining({ property: 'caption' })]);
    await expectError(send({ to: CARA, type: 'location', latitude: 100, longitude: 0 }), 400);
    await expectError(send({ to: CARA, type: 'location', latitude: '52', longitude: 13 }), 400);
    await expectError(send({ to: CARA, type: 'contact', contacts: [] }), 400);
    await expectError(send({ to: CARA, type: 'contact', contacts: [{ name: 'X', phone: 'call me' }] }), 400);
    await expectError(send({ to: CARA, type: 'contact', contacts: [{ name: 'X', phone: '+0 123 4567' }] }), 400, /international format/);
    await expectError(send({ to: CARA, type: 'reaction', messageId: fixtures.fromCara }), 400);
    await expectError(send({ to: CARA, type: 'text', text: 'x', mentions: ['not a jid'] }), 400, /not a WhatsApp JID/);
    await expectError(send({ to: CARA, type: 'text', text: 'x' }, { 'idempotency-key': 'k'.repeat(300) }), 400);
    await expectError(send('not json at all', { 'content-type': 'application/json' }), 400);
  });

  it('rejects polls without two to twelve different options', async () => {
    await expectError(send({ to: CARA, type: 'poll', name: 'Empty', options: [] }), 400);
    await expectError(send({ to: CARA, type: 'poll', name: 'One', options: ['only'] }), 400);
    await expectError(send({ to: CARA, type: 'poll', name: 'Same', options: ['a', 'a'] }), 400);
    await expectError(send({ to: CARA, type: 'poll', name: 'Blank-same', options: ['a', ' a'] }), 400, /different/);
    await expectError(send({ to: CARA, type: 'poll', name: 'Many', options: Array.from({ length: 13 }, (_, i) => `o${i}`) }), 400);
    await expectError(send({ to: CARA, type: 'poll', name: 'Greedy', options: ['a', 'b'], selectableCount: 3 }), 400, /selectableCount/);
    await expectError(send({ to: CARA, type: 'poll', options: ['a', 'b'] }), 400);
  });

  it('rejects bad recipients: 400 for what is no address, 422 for numbers without WhatsApp', async () => {
    await expectError(send({ to: 'not-a-jid', type: 'text', text: 'x' }), 400, /not a WhatsApp JID or phone number/);
    await expectError(send({ to: 'abc@g.us', type: 'text', text: 'x' }), 400);
    await expectError(send({ to: '0049 151', type: 'text', text: 'x' }), 400);
    await expectError(send({ to: `+${NOBODY}`, type: 'text', text: 'x' }), 422, new RegExp(`\\+${NOBODY} is not on WhatsApp`));
    await expectError(send({ to: phoneJid(NOBODY), type: 'text', text: 'x' }), 422, /not on WhatsApp/);
  });

  it('rejects media that is missing, not base64, too large or not fetchable', async () => {
    await expectError(send({ to: CARA, type: 'image' }), 400, /either url or base64/);
    await expectError(send({ to: CARA, type: 'image', base64: PNG.toString('base64'), url: media.url('/ok.png') }), 400, /exactly one/);
    await expectError(send({ to: CARA, type: 'image', base64: '@@@@ not base64 %%%' }), 400, /not valid base64/);
    await expectError(send({ to: CARA, type: 'audio', base64: 'A' }), 400, /not valid base64/);
    await expectError(send({ to: CARA, type: 'image', base64: Buffer.alloc(MAX_BYTES + 1).toString('base64') }), 413, /MEDIA_MAX_BYTES/);
    await expectError(send({ to: CARA, type: 'image', url: 'ftp://example.com/a.png' }), 400);
    await expectError(send({ to: CARA, type: 'image', url: 'http://127.0.0.1:1/a.png' }), 422, /could not be fetched \(ECONNREFUSED\)/);
    await expectError(send({ to: CARA, type: 'image', url: media.url('/missing.png') }), 422, /HTTP 404/);
    await expectError(send({ to: CARA, type: 'image', url: media.url('/big.bin') }), 413, /larger than the limit of 2048 bytes/);
    await expectError(send({ to: CARA, type: 'document', url: media.url('/big-chunked.bin') }), 413, /larger than the limit/);
    const started = Date.now();
    await expectError(send({ to: CARA, type: 'video', url: media.url('/slow') }), 422, /within 500 ms/);
    expect(Date.now() - started).toBeLessThan(5000);
    const hugeBody = JSON.stringify({ to: CARA, type: 'image', base64: 'A'.repeat(200_000) });
    const limit = Math.ceil(MAX_BYTES / 3) * 4 + 64 * 1024;
    await expectError(
      send(hugeBody),
      413,
      new RegExp(
        `^The request body is larger than this route's limit of ${limit} bytes: base64 media up to 2048 bytes \\(MEDIA_MAX_BYTES\\)$`,
      ),
    );
  });

  it('rejects references to messages that do not exist or do not fit', async () => {
    await expectError(send({ to: CARA, type: 'text', text: 'x', quotedMessageId: 'NOPE' }), 404, /Message "NOPE" not found/);
    await expectError(send({ to: CARA, type: 'reaction', messageId: 'NOPE', emoji: '👍' }), 404);
    await expectError(send({ to: DAN, type: 'reaction', messageId: fixtures.fromCara, emoji: '👍' }), 422, /is in chat/);
  });

  it('answers buttons and lists with 422: WhatsApp no longer delivers them', async () => {
    await expectError(send({ to: CARA, type: 'buttons', text: 'Pick', buttons: [{ id: 'a', text: 'A' }] }), 422, /no longer delivers/);
    await expectError(
      send({ to: CARA, type: 'list', text: 'Menu', buttonText: 'Open', sections: [{ title: 'S', rows: [{ id: '1', title: 'One' }] }] }),
      422,
      /no longer delivers/,
    );
    await expectError(send({ to: CARA, type: 'buttons', text: 'Pick', buttons: [] }), 400);
  });

  it('checks edits, deletes and forwards', async () => {
    const edit = (id: string, body: unknown) => api().post(`${messages}/${id}/edit`, { key: key(), body });
    await expectError(edit('NOPE', { text: 'x' }), 404);
    await expectError(edit(fixtures.ownText, {}), 400);
    await expectError(edit(fixtures.ownText, { text: '' }), 400);
    await expectError(edit(fixtures.fromCara, { text: 'x' }), 422, /Only messages sent from this session/);
    await expectError(edit(fixtures.ownLocation, { text: 'x' }), 422, /Only text messages/);
    await expectError(edit(fixtures.revoked, { text: 'x' }), 409, /deleted for everyone/);
    await world.gateway.ctx.db
      .updateTable('Message')
      .set({ timestamp: new Date(Date.now() - 20 * 60_000) })
      .where('sessionId', '=', world.sessionRowId)
      .where('messageId', '=', fixtures.ownText)
      .execute();
    await expectError(edit(fixtures.ownText, { text: 'too late' }), 422, /within 15 minutes/);

    const remove = (id: string) => api().delete(`${messages}/${id}`, { key: key() });
    await expectError(remove('NOPE'), 404);
    await expectError(remove(fixtures.fromCara), 422, /Only your own messages/);
    await expectError(remove(fixtures.revoked), 409, /already deleted/);

    const forward = (id: string, body: unknown) => api().post(`${messages}/${id}/forward`, { key: key(), body });
    await expectError(forward('NOPE', { to: DAN }), 404);
    await expectError(forward(fixtures.fromCara, {}), 400);
    await expectError(forward(fixtures.fromCara, { to: 'nobody' }), 400);
    await expectError(forward(fixtures.fromCara, { to: NOBODY }), 422, /not on WhatsApp/);
    await expectError(forward(fixtures.ownPoll, { to: DAN }), 422, /cannot be forwarded/);
    await expectError(forward(fixtures.reaction, { to: DAN }), 422, /cannot be forwarded/);
    await expectError(forward(fixtures.revoked, { to: DAN }), 422, /deleted for everyone/);
  });

  it('checks mark-read, presence and media download', async () => {
    const read = (jid: string, body?: unknown) =>
      api().post(`/api/v1/sessions/me/chats/${encodeURIComponent(jid)}/read`, { key: key(), body });
    await expectError(read('15550602777', {}), 404, /Chat .* not found/);
    await expectError(read('nobody', {}), 400);
    await expectError(read(CARA, { messageIds: [] }), 400);
    await expectError(read(CARA, { messageIds: ['NOPE'] }), 404);
    await expectError(read(CARA, { messageIds: [fixtures.ownText] }), 422, /only received messages/);
    await expectError(read(CARA, { messageIds: [fixtures.fromDan] }), 422, /is in chat/);
    await expectError(read(CARA, { unknown: true }), 400);

    const presence = (body: unknown) => api().post('/api/v1/sessions/me/presence', { key: key(), body });
    await expectError(presence({ state: 'typing', to: CARA }), 400);
    await expectError(presence({ state: 'composing' }), 400, /"to" \(the chat\) is required/);
    await expectError(presence({ state: 'paused', to: 'nobody' }), 400);
    await expectError(presence({}), 400);

    await expectError(api().get(`${messages}/NOPE/media`, { key: key() }), 404);
    await expectError(api().get(`${messages}/${fixtures.ownText}/media`, { key: key() }), 422, /has no media/);
  });

  it('hides other users\u2019 sessions and unknown sessions (404)', async () => {
    const other = await world.gateway.createUser('other-messages@test.local');
    await expectError(api().post(messages, { key: other.key, body: { to: CARA, type: 'text', text: 'x' } }), 404, /Session "me" not found/);
    await expectError(api().get(`${messages}/${fixtures.ownSticker}/media`, { key: other.key }), 404);
    await expectError(api().post(`${messages}/${fixtures.ownText}/edit`, { key: other.key, body: { text: 'x' } }), 404);
    await expectError(api().post('/api/v1/sessions/ghost/messages', { key: key(), body: { to: CARA, type: 'text', text: 'x' } }), 404);
    await expectError(api().post('/api/v1/sessions/me/presence', { key: other.key, body: { state: 'available' } }), 404);
  });
});

it('documents the message routes in OpenAPI, with one schema per message type and examples', async () => {
  const doc = (await api().get('/docs/json')).body;
  const send = doc.paths['/api/v1/sessions/{sessionId}/messages'].post;
  expect(send.tags).toEqual(['messages']);
  expect(send.description).toMatch(/buttons.*422.*no longer delivers/s);
  const body = send.requestBody.content['application/json'].schema;
  expect(body.discriminator).toEqual({ propertyName: 'type' });
  expect(
    body.oneOf.map(
      (variant: { properties: { type: { const?: string; enum?: string[] } } }) =>
        variant.properties.type.const ?? variant.properties.type.enum?.[0],
    ),
  ).toEqual(['text', 'image', 'video', 'audio', 'document', 'sticker', 'location', 'contact', 'poll', 'reaction', 'buttons', 'list']);
  expect(JSON.stringify(body)).toContain('Hello from the API');
  expect(send.parameters.some((p: { in: string; name: string }) => p.in === 'header' && p.name === 'idempotency-key')).toBe(true);
  for (const [route, method] of [
    ['/api/v1/sessions/{sessionId}/messages/{messageId}/edit', 'post'],
    ['/api/v1/sessions/{sessionId}/messages/{messageId}/forward', 'post'],
    ['/api/v1/sessions/{sessionId}/chats/{jid}/read', 'post'],
    ['/api/v1/sessions/{sessionId}/presence', 'post'],
  ] as const) {
    expect({
      route,
      tags: doc.paths[route][method].tags,
      example: JSON.stringify(doc.paths[route][method].requestBody).includes('example'),
    }).toEqual({ route, tags: ['messages'], example: true });
  }
  expect(doc.paths['/api/v1/sessions/{sessionId}/messages/{messageId}'].delete.summary).toMatch(/Delete a message for everyone/);
  expect(Object.keys(doc.paths['/api/v1/sessions/{sessionId}/messages/{messageId}/media'].get.responses['200'].content)).toEqual([
    'application/octet-stream',
  ]);
});

describe('while the session is not connected', () => {
  it('answers 409 at once for everything that needs WhatsApp, and still serves stored media and idempotent replays', async () => {
    const replayable = await send({ to: CARA, type: 'text', text: 'once only' }, { 'idempotency-key': 'offline-replay' });
    expect(replayable.status).toBe(201);
    expect((await api().post('/api/v1/sessions/me/disconnect', { key: key() })).status).toBe(200);
    await sessionWhere(world.gateway, key(), 'me', (s) => s.status === 'DISCONNECTED');
    const rowsBefore = await messageCount();

    const started = Date.now();
    await expectError(send({ to: CARA, type: 'text', text: 'anyone?' }), 409, /not connected/);
    await expectError(send({ to: CARA, type: 'image', base64: PNG.toString('base64') }), 409);
    await expectError(api().post(`${messages}/${fixtures.fromCara}/forward`, { key: key(), body: { to: DAN } }), 409);
    await expectError(api().delete(`${messages}/${fixtures.ownLocation}`, { key: key() }), 409);
    await expectError(api().post(`/api/v1/sessions/me/chats/${CARA}/read`, { key: key(), body: {} }), 409);
    await expectError(api().post('/api/v1/sessions/me/presence', { key: key(), body: { state: 'available' } }), 409);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(await messageCount()).toBe(rowsBefore);

    const replay = await send({ to: CARA, type: 'text', text: 'once only' }, { 'idempotency-key': 'offline-replay' });
    expect(replay.status).toBe(201);
    expect(replay.body.messageId).toBe(replayable.body.messageId);

    const { request } = await import('undici');
    const download = await request(`${api().baseUrl}${messages}/${fixtures.ownSticker}/media`, {
      headers: { authorization: `Bearer ${key()}` },
    });
    expect(download.statusCode).toBe(200);
    expect(download.headers['content-type']).toBe('image/webp');
    expect(Buffer.from(await download.body.arrayBuffer()).equals(STICKER)).toBe(true);
  });
});
