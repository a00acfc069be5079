import type { BaileysEventMap, ChatUpdate } from '@whiskeysockets/baileys';
import { eventually } from '../helpers/eventually';
import { phoneJid, startConnectedWorld, storedMessage, type ConnectedWorld } from '../helpers/whatsapp';

jest.setTimeout(120_000);

const ME = '15550904001';
const CARA = '15550904002';
const DAN = '15550904003';
const CARA_JID = phoneJid(CARA);

let world: ConnectedWorld;
/** What the account's own other device (the simulator's hosted one) heard about chats. */
const hosted: { updates: ChatUpdate[]; deleted: string[] } = { updates: [], deleted: [] };

const api = () => world.gateway.api;
const chatPath = (jid: string, action = '') => `/api/v1/sessions/me/chats/${encodeURIComponent(jid)}${action ? `/${action}` : ''}`;
const post = (action: string, body?: unknown, jid = CARA_JID, key = world.key) => api().post(chatPath(jid, action), { key, body });

const chatRow = (jid = CARA_JID) =>
  world.gateway.ctx.db.selectFrom('Chat').selectAll().where('sessionId', '=', world.sessionRowId).where('jid', '=', jid).executeTakeFirst();
const json = (value: unknown) => (typeof value === 'string' ? JSON.parse(value) : value) as Record<string, any>;

/** Waits until the hosted device reported an update of Cara's chat that `accept`s. */
const hostedSaw = (accept: (update: ChatUpdate) => boolean, label: string): Promise<ChatUpdate> =>
  eventually(
    () => hosted.updates.find((u) => u.id === CARA_JID && accept(u)),
    (u) => u !== undefined,
    10_000,
    `hosted device: ${label}`,
  ).then((u) => u!);

beforeAll(async () => {
  world = await startConnectedWorld('chats_modify', { me: ME, contacts: { [CARA]: 'Cara', [DAN]: 'Dan' } });
  const device = world.sim.hostedSocket(ME)!;
  device.ev.on('chats.update', (updates: BaileysEventMap['chats.update']) => hosted.updates.push(...updates));
  device.ev.on('chats.delete', (jids: BaileysEventMap['chats.delete']) => hosted.deleted.push(...jids));
  await world.sim.send(CARA, { to: ME, text: 'Hi, it is Cara' });
  const { id } = await world.sim.send(CARA, { to: ME, text: 'Are you there?' });
  await storedMessage(world.gateway, world.sessionRowId, id);
});
afterAll(async () => {
  await world?.close();
});

describe('chat settings follow the account on all its devices', () => {
  it('archives and unarchives', async () => {
    hosted.updates.length = 0;
    const archived = await post('archive');
    expect({ status: archived.status, body: archived.body }).toMatchObject({ status: 200, body: { jid: CARA_JID, isArchived: true } });
    expect((await chatRow())!.isArchived).toBeTruthy();
    await hostedSaw((u) => u.archived === true, 'archived');

    const back = await post('unarchive', {});
    expect(back.status).toBe(200);
    expect(back.body.isArchived).toBe(false);
    expect((await chatRow())!.isArchived).toBeFalsy();
    await hostedSaw((u) => u.archived === false, 'unarchived');
  });

  it('pins and unpins; the pin time is the one the other device got', async () => {
    hosted.updates.length = 0;
    const pinned = await post('pin');
    expect(pinned.status).toBe(200);
    expect(pinned.body).toMatchObject({ isPinned: true, metadata: { pinnedAt: expect.any(String) } });
    expect(Math.abs(Date.parse(pinned.body.metadata.pinnedAt) - Date.now())).toBeLessThan(60_000);
    const seen = await hostedSaw((u) => typeof u.pinned === 'number', 'pinned');
    expect(seen.pinned).toBe(Date.parse(pinned.body.metadata.pinnedAt));

    const unpinned = await post('unpin');
    expect(unpinned.status).toBe(200);
    expect(unpinned.body.isPinned).toBe(false);
    expect(unpinned.body.metadata.pinnedAt).toBeUndefined();
    expect(json((await chatRow())!.metadata).pinnedAt).toBeUndefined();
    await hostedSaw((u) => u.pinned === null, 'unpinned');
  });

  it('mutes for a duration, until unmuted, and unmutes', async () => {
    hosted.updates.length = 0;
    const before = Date.now();
    const muted = await post('mute', { duration: 8 * 3600 });
    expect(muted.status).toBe(200);
    expect(muted.body.isMuted).toBe(true);
    const until = Date.parse(muted.body.metadata.mutedUntil);
    expect(until).toBeGreaterThanOrEqual(before + 8 * 3600_000);
    expect(until).toBeLessThan(Date.now() + 8 * 3600_000 + 1000);
    expect((await hostedSaw((u) => typeof u.muteEndTime === 'number' && u.muteEndTime > 0, 'muted for 8 h')).muteEndTime).toBe(until);

    for (const body of [undefined, {}, { duration: null }]) {
      hosted.updates.length = 0;
      const forever = await post('mute', body);
      expect({ status: forever.status, isMuted: forever.body.isMuted, until: forever.body.metadata.mutedUntil }).toEqual({
        status: 200,
        isMuted: true,
        until: 'forever',
      });
      await hostedSaw((u) => u.muteEndTime === -1, 'muted forever');
    }

    hosted.updates.length = 0;
    const unmuted = await post('unmute');
    expect(unmuted.status).toBe(200);
    expect(unmuted.body.isMuted).toBe(false);
    expect(unmuted.body.metadata.mutedUntil).toBeUndefined();
    expect((await chatRow())!.isMuted).toBeFalsy();
    await hostedSaw((u) => u.muteEndTime === null, 'unmuted');
  });

  it('takes the chat as a phone number too', async () => {
    const archived = await post('archive', undefined, `+${CARA.slice(0, 1)} ${CARA.slice(1)}`);
    expect({ status: archived.status, jid: archived.body.jid, isArchived: archived.body.isArchived }).toEqual({
      status: 200,
      jid: CARA_JID,
      isArchived: true,
    });
    expect((await post('unarchive', undefined, CARA)).body.isArchived).toBe(false);
  });

  it('tries once more when WhatsApp reports a conflict (another device changed the same settings meanwhile)', async () => {
    const before = world.sim.appStateVersions(ME).regular_low;
    world.sim.conflictAppStateUploads(ME, 1);
    const archived = await post('archive');
    expect({ status: archived.status, isArchived: archived.body.isArchived }).toEqual({ status: 200, isArchived: true });
    expect(world.sim.appStateVersions(ME).regular_low).toBe(before + 1);
    expect((await post('unarchive')).body.isArchived).toBe(false);
  });

  it('lists the changed chat like any other', async () => {
    await post('pin');
    const list = await api().get('/api/v1/sessions/me/chats', { key: world.key });
    expect(list.body.data.find((chat: { jid: string }) => chat.jid === CARA_JID)).toMatchObject({
      isPinned: true,
      isArchived: false,
      isMuted: false,
    });
  });
});

describe('refused requests change nothing', () => {
  let other: { key: string };

  /** The Chat rows and the account's app state on WhatsApp's side. */
  const snapshot = async () => ({
    chats: await world.gateway.ctx.db.selectFrom('Chat').selectAll().where('sessionId', '=', world.sessionRowId).orderBy('jid').execute(),
    appState: world.sim.appStateVersions(ME),
  });

  beforeAll(async () => {
    other = await world.gateway.createUser('other@chats.test');
    await world.gateway.ctx.manager.drained();
    expect((await api().post('/api/v1/sessions', { key: world.key, body: { sessionId: 'idle' } })).status).toBe(201);
    expect((await api().patch('/api/v1/sessions/idle', { key: world.key, body: { isActive: false } })).body.status).toBe('DISCONNECTED');
  });

  const ACTIONS = ['archive', 'unarchive', 'pin', 'unpin', 'mute', 'unmute'];
  const routes: [string, string][] = [...ACTIONS.map((action): [string, string] => ['POST', `/${action}`]), ['DELETE', '']];
  const routePath = (session: string, action: string) => `/api/v1/sessions/${session}/chats/${encodeURIComponent(CARA_JID)}${action}`;

  const cases: [string, string, string, unknown, number, string?][] = [
    ['a word as the chat', 'POST', chatPath('cara', 'archive'), undefined, 400, 'not a WhatsApp JID or phone number'],
    ['a too short number', 'POST', chatPath('12', 'pin'), undefined, 400],
    ['a broadcast list', 'DELETE', chatPath('status@broadcast'), undefined, 400],
    ['a negative duration', 'POST', chatPath(CARA_JID, 'mute'), { duration: -60 }, 400],
    ['a zero duration', 'POST', chatPath(CARA_JID, 'mute'), { duration: 0 }, 400],
    ['a fractional duration', 'POST', chatPath(CARA_JID, 'mute'), { duration: 1.5 }, 400],
    ['a duration over a year', 'POST', chatPath(CARA_JID, 'mute'), { duration: 366 * 24 * 3600 }, 400],
    ['a duration as text', 'POST', chatPath(CARA_JID, 'mute'), { duration: '3600' }, 400],
    ['an unknown mute option', 'POST', chatPath(CARA_JID, 'mute'), { duration: 60, until: 'tomorrow' }, 400],
    ['a body that is not an object', 'POST', chatPath(CARA_JID, 'mute'), [3600], 400],
    ['options for archive', 'POST', chatPath(CARA_JID, 'archive'), { archived: false }, 400],
    ['options for pin', 'POST', chatPath(CARA_JID, 'pin'), { duration: 60 }, 400],
    ['an unknown chat', 'POST', chatPath(phoneJid(DAN), 'archive'), undefined, 404, 'not found'],
    ['deleting an unknown chat', 'DELETE', chatPath(DAN), undefined, 404, 'not found'],
    ['an unknown LID chat', 'POST', chatPath('123456789012345@lid', 'mute'), {}, 404],
    ['an unknown session', 'POST', '/api/v1/sessions/nope/chats/' + CARA_JID + '/pin', undefined, 404, 'Session "nope" not found'],
    ['a bad session id', 'POST', '/api/v1/sessions/n%20o/chats/' + CARA_JID + '/pin', undefined, 400],
  ];

  // Rows without a message are shorter: spread them, or Jest takes the missing argument for a done callback.
  it.each(cases)('%s → %s', async (...[, method, path, body, status, message]) => {
    const before = await snapshot();
    const res = await api().call(method, path, { key: world.key, body });
    expect({ status: res.status, body: res.body }).toMatchObject({ status, body: { statusCode: status, message: expect.any(String) } });
    if (message) expect(res.body.message).toContain(message);
    expect(await snapshot()).toEqual(before);
  });

  it('a conflict that persists is a 422 with WhatsApp’s reason', async () => {
    const before = await snapshot();
    world.sim.conflictAppStateUploads(ME, 2);
    const res = await post('archive');
    expect({ status: res.status, message: res.body.message }).toEqual({
      status: 422,
      message: 'WhatsApp refused the request: conflict (409)',
    });
    expect(await snapshot()).toEqual(before);
  });

  it.each(routes)('%s …/chats/:jid%s: another user’s session is a 404, a disconnected one a 409, no key a 401', async (method, action) => {
    const before = await snapshot();
    const body = method === 'POST' ? {} : undefined;
    const foreign = await api().call(method, routePath('me', action), { key: other.key, body });
    expect({ status: foreign.status, message: foreign.body.message }).toEqual({ status: 404, message: 'Session "me" not found' });
    const idle = await api().call(method, routePath('idle', action), { key: world.key, body });
    expect({ status: idle.status, message: idle.body.message }).toEqual({ status: 409, message: expect.stringContaining('not connected') });
    expect((await api().call(method, routePath('me', action), { body })).status).toBe(401);
    expect(await snapshot()).toEqual(before);
  });
});

describe('delete', () => {
  it('deletes the chat for me on all my devices: the row goes, the messages stay', async () => {
    const messagesBefore = await world.gateway.ctx.db
      .selectFrom('Message')
      .select('messageId')
      .where('sessionId', '=', world.sessionRowId)
      .where('chatId', '=', CARA_JID)
      .execute();
    expect(messagesBefore.length).toBeGreaterThanOrEqual(2);

    const deleted = await api().delete(chatPath(CARA), { key: world.key });
    expect(deleted.status).toBe(204);
    expect(deleted.body).toBe('');
    expect(await chatRow()).toBeUndefined();
    await eventually(() => hosted.deleted.includes(CARA_JID), Boolean, 10_000, 'hosted device: chat deleted');
    const messagesAfter = await world.gateway.ctx.db
      .selectFrom('Message')
      .select('messageId')
      .where('sessionId', '=', world.sessionRowId)
      .where('chatId', '=', CARA_JID)
      .execute();
    expect(messagesAfter).toHaveLength(messagesBefore.length);
    const list = await api().get('/api/v1/sessions/me/chats', { key: world.key });
    expect(list.body.data.map((chat: { jid: string }) => chat.jid)).not.toContain(CARA_JID);
  });

  it('a deleted chat whose messages are still stored can be changed again (its row comes back)', async () => {
    const archived = await post('archive');
    expect({ status: archived.status, jid: archived.body.jid, isArchived: archived.body.isArchived }).toEqual({
      status: 200,
      jid: CARA_JID,
      isArchived: true,
    });
  });
});

it('documents the chat routes in OpenAPI with their errors and examples', async () => {
  const doc = (await api().get('/docs/json')).body;
  const base = '/api/v1/sessions/{sessionId}/chats/{jid}';
  for (const action of ['archive', 'unarchive', 'pin', 'unpin', 'mute', 'unmute']) {
    const route = doc.paths[`${base}/${action}`].post;
    expect(route.tags).toEqual(['chats']);
    expect(Object.keys(route.responses).sort()).toEqual(['200', '400', '401', '404', '409', '422', '429', '502', '504']);
  }
  const mute = doc.paths[`${base}/mute`].post;
  expect(JSON.stringify(mute.requestBody)).toContain('28800');
  expect(Object.keys(doc.paths[base].delete.responses)).toContain('204');
});
