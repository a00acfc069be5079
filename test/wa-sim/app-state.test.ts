import { proto } from '@whiskeysockets/baileys';
import type { ChatUpdate, MinimalMessage } from '@whiskeysockets/baileys';
import { connectProvisioned, type TestClient } from './client';
import { quietLibsignal, useSimulator } from './fixtures';
import { startSimulator, trustSimulator } from './index';

const ALICE = '15550010001';
const BOB = '15550010002';
const CAROL = '15550010003';
const pn = (phone: string) => `${phone}@s.whatsapp.net`;

/** What archive, markRead and delete need: the chat's last message (any key will do for the server). */
const lastMessages = (chat: string): MinimalMessage[] => [
  { key: { remoteJid: chat, id: `LAST${Date.now()}`, fromMe: false }, messageTimestamp: Math.floor(Date.now() / 1000) },
];

/** Waits for a chats.update of `chat` (recorded from `since` on) that `accept`s it. */
const chatUpdate = (client: TestClient, chat: string, accept: (update: ChatUpdate) => boolean, since: number) =>
  client.waitFor('chats.update', (updates) => updates.some((u) => u.id === chat && accept(u)), 5000, since);

describe('app state', () => {
  const env = useSimulator();
  let first: TestClient;
  let second: TestClient;

  beforeAll(async () => {
    await Promise.all([env.sim.createAccount(ALICE, 'Alice'), env.sim.createAccount(BOB, 'Bob')]);
    first = env.track(await connectProvisioned(env.sim, ALICE));
    second = env.track(await connectProvisioned(env.sim, ALICE));
  });

  test('a patch from one device is stored and synced to the account’s other devices', async () => {
    await first.sock.updateProfileName('Alice Renamed');
    await second.waitForCondition(() => second.me?.name === 'Alice Renamed', 5000, 'name synced');
    expect(env.sim.appStateVersions(ALICE)).toMatchObject({ critical_block: 1 });
    // a device that links later gets the patch in its first full sync
    const third = await env.link(ALICE);
    await third.waitForCondition(() => third.me?.name === 'Alice Renamed', 5000, 'name in initial sync');
  });

  test('chat modifications on one device reach the other as chat events, and revert', async () => {
    const chat = pn(BOB);
    const step = async (mod: Parameters<TestClient['sock']['chatModify']>[0], accept: (u: ChatUpdate) => boolean) => {
      const since = second.events.length;
      await first.sock.chatModify(mod, chat);
      await chatUpdate(second, chat, accept, since);
    };
    const muteUntil = Date.now() + 8 * 3600_000;

    await step({ archive: true, lastMessages: lastMessages(chat) }, (u) => u.archived === true);
    await step({ pin: true }, (u) => typeof u.pinned === 'number' && u.pinned > 0);
    await step({ mute: muteUntil }, (u) => u.muteEndTime === muteUntil);
    await step({ mute: -1 }, (u) => u.muteEndTime === -1);
    await step({ markRead: false, lastMessages: lastMessages(chat) }, (u) => u.unreadCount === -1);
    await step({ markRead: true, lastMessages: lastMessages(chat) }, (u) => u.unreadCount === 0);
    await step({ archive: false, lastMessages: lastMessages(chat) }, (u) => u.archived === false);
    await step({ pin: false }, (u) => u.pinned === null);
    await step({ mute: null }, (u) => u.muteEndTime === null);

    const since = second.events.length;
    await first.sock.chatModify({ delete: true, lastMessages: lastMessages(chat) }, chat);
    await second.waitFor('chats.delete', (jids) => jids.includes(chat), 5000, since);
    // archive, pin and markRead live in regular_low, mute and delete in regular_high
    expect(env.sim.appStateVersions(ALICE)).toMatchObject({ regular_low: 6, regular_high: 4 });
    // the account's hosted device was nudged too and is at the same versions
    const hosted = env.sim.hostedSocket(ALICE)!;
    const hostedVersions = async () => {
      const versions = await hosted.authState.keys.get('app-state-sync-version', ['regular_low', 'regular_high']);
      return { low: versions.regular_low?.version, high: versions.regular_high?.version };
    };
    for (const deadline = Date.now() + 5000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 20))) {
      if ((await hostedVersions()).high === 4) break;
    }
    expect(await hostedVersions()).toEqual({ low: 6, high: 4 });
    const overHttp = await fetch(`${env.sim.httpUrl}/control/accounts/${ALICE}/app-state`);
    expect(await overHttp.json()).toEqual(env.sim.appStateVersions(ALICE));
  });

  test('a device that was offline gets the nudge when it is back and catches up', async () => {
    const chat = pn(BOB);
    second.end();
    await first.sock.chatModify({ archive: true, lastMessages: lastMessages(chat) }, chat);
    await first.sock.chatModify({ mute: -1 }, chat);
    const since = second.events.length;
    second.reconnect();
    await second.waitForOpen();
    await chatUpdate(second, chat, (u) => u.archived === true, since);
    await chatUpdate(second, chat, (u) => u.muteEndTime === -1, since);
  });

  test('an upload against a stale version is refused with 409 and stores nothing; the next change resyncs first', async () => {
    const chat = pn(BOB);
    const stale = env.sim.appStateVersions(ALICE).regular_low;
    let since = first.events.length;
    await second.sock.chatModify({ pin: true }, chat);
    await chatUpdate(first, chat, (u) => typeof u.pinned === 'number', since);

    const upload = first.sock.query({
      tag: 'iq',
      attrs: { to: '@s.whatsapp.net', type: 'set', xmlns: 'w:sync:app:state' },
      content: [
        {
          tag: 'sync',
          attrs: {},
          content: [
            {
              tag: 'collection',
              attrs: { name: 'regular_low', version: String(stale), return_snapshot: 'false' },
              content: [{ tag: 'patch', attrs: {}, content: proto.SyncdPatch.encode({ mutations: [] }).finish() }],
            },
          ],
        },
      ],
    });
    await expect(upload).rejects.toMatchObject({ message: 'conflict', data: 409 });
    expect(env.sim.appStateVersions(ALICE).regular_low).toBe(stale + 1);

    since = second.events.length;
    await first.sock.chatModify({ pin: false }, chat);
    await chatUpdate(second, chat, (u) => u.pinned === null, since);
    expect(env.sim.appStateVersions(ALICE).regular_low).toBe(stale + 2);
  });

  test('injected conflicts (control API) refuse uploads until they are used up', async () => {
    const chat = pn(BOB);
    const inject = await fetch(`${env.sim.httpUrl}/control/faults/app-state-conflicts`, {
      method: 'POST',
      body: JSON.stringify({ phone: ALICE, count: 1 }),
    });
    expect(inject.status).toBe(200);
    const before = env.sim.appStateVersions(ALICE).regular_high;
    await expect(first.sock.chatModify({ mute: null }, chat)).rejects.toMatchObject({ message: 'conflict', data: 409 });
    expect(env.sim.appStateVersions(ALICE).regular_high).toBe(before);
    await first.sock.chatModify({ mute: null }, chat);
    expect(env.sim.appStateVersions(ALICE).regular_high).toBe(before + 1);
  });

  test('a sync of an unknown collection is a bad request', async () => {
    const sync = first.sock.query({
      tag: 'iq',
      attrs: { to: '@s.whatsapp.net', type: 'set', xmlns: 'w:sync:app:state' },
      content: [{ tag: 'sync', attrs: {}, content: [{ tag: 'collection', attrs: { name: 'made_up', version: '0' } }] }],
    });
    await expect(sync).rejects.toMatchObject({ data: 400 });
  });
});

describe('app state across a restart', () => {
  test('stored patches are in the exported state; a device syncing afterwards gets them', async () => {
    const restoreConsole = quietLibsignal();
    let sim = await startSimulator();
    trustSimulator(sim);
    const clients: TestClient[] = [];
    try {
      await sim.createAccount(CAROL, 'Carol');
      const chat = pn(ALICE);
      const before = await connectProvisioned(sim, CAROL);
      clients.push(before);
      await before.sock.chatModify({ archive: true, lastMessages: lastMessages(chat) }, chat);
      await before.sock.chatModify({ mute: -1 }, chat);
      before.end();
      const versions = sim.appStateVersions(CAROL);

      await sim.stop();
      sim = await startSimulator({ state: JSON.parse(JSON.stringify(sim.exportState())) });
      expect(sim.appStateVersions(CAROL)).toEqual(versions);

      const after = await connectProvisioned(sim, CAROL);
      clients.push(after);
      await after.sock.resyncAppState(['regular_low', 'regular_high'], false);
      await chatUpdate(after, chat, (u) => u.archived === true, 0);
      await chatUpdate(after, chat, (u) => u.muteEndTime === -1, 0);
    } finally {
      clients.forEach((c) => c.end());
      await sim.stop();
      restoreConsole();
    }
  });
});
