import type { BaileysEventMap } from '@whiskeysockets/baileys';
import { proto } from '@whiskeysockets/baileys';
import type { TestClient } from './client';
import { useSimulator } from './fixtures';

const ALICE = '15550007001';
const BOB = '15550007002';

type HistorySet = BaileysEventMap['messaging-history.set'];

/** generated history sets (Baileys' event buffer may merge the contacts-only PUSH_NAME chunk into them) */
const historySets = (client: TestClient) =>
  client.events
    .filter(
      (e) => e.name === 'messaging-history.set' && (e.data as HistorySet).syncType !== proto.HistorySync.HistorySyncType.INITIAL_BOOTSTRAP,
    )
    .map((e) => e.data as HistorySet)
    .filter((set) => set.messages.length > 0);

const countMessages = (client: TestClient) => historySets(client).reduce((n, set) => n + set.messages.length, 0);

describe('history sync', () => {
  const env = useSimulator();
  let alice: TestClient;

  beforeAll(async () => {
    await Promise.all([env.sim.createAccount(ALICE, 'Alice'), env.sim.createAccount(BOB, 'Bob')]);
    alice = await env.link(ALICE);
  });

  test('a newly linked device gets the initial bootstrap with LID mappings of known contacts', async () => {
    await alice.waitFor('messaging-history.set', (s) => s.syncType === proto.HistorySync.HistorySyncType.INITIAL_BOOTSTRAP);
    const mapping = await alice.auth.state.keys.get('lid-mapping', [BOB]);
    expect(`${mapping[BOB]}@lid`).toBe(env.sim.account(BOB).lid);
    expect(alice.auth.state.creds.accountSyncCounter).toBe(1);
    expect(alice.auth.state.creds.myAppStateKeyId).toBeTruthy();
  });

  test('a generated history arrives in chunks with chats, contacts and messages', async () => {
    const result = env.sim.history(ALICE, { chats: 12, messagesPerChat: 25, chunkSize: 100 });
    expect(result).toMatchObject({ chunks: 3, chats: 12, messages: 300, devices: [alice.me!.id] });
    await alice.waitForCondition(() => countMessages(alice) === 300, 10_000, '300 history messages');
    const sets = historySets(alice);
    expect(sets.map((s) => s.chunkOrder)).toEqual([0, 1, 2]);
    expect(sets.at(-1)!.progress).toBe(100);
    const chats = new Set(sets.flatMap((s) => s.chats.map((c) => c.id)));
    expect(chats.size).toBe(12);
    const messages = sets.flatMap((s) => s.messages);
    // most recent chat first, newest message first
    expect(messages[0]!.message?.conversation).toBe('History message 25 of chat 12');
    expect(messages.at(-1)!.message?.conversation).toBe('History message 1 of chat 1');
    expect(Number(messages[0]!.messageTimestamp)).toBeGreaterThan(Number(messages[1]!.messageTimestamp));
    expect(Number(messages[0]!.messageTimestamp)).toBeGreaterThan(Date.now() / 1000 - 120);
    expect(messages.some((m) => m.key.fromMe)).toBe(true);
    const contacts = alice.events
      .filter((e) => e.name === 'messaging-history.set')
      .flatMap((e) => (e.data as HistorySet).contacts)
      .filter((c) => (c.name ?? c.notify)?.startsWith('History Contact'));
    expect(new Set(contacts.map((c) => c.id)).size).toBe(12);
  });

  test('history for an offline device is queued and delivered on its next login', async () => {
    alice.end();
    const before = countMessages(alice);
    env.sim.history(ALICE, { chats: 2, messagesPerChat: 5 });
    alice.reconnect();
    await alice.waitForCondition(() => countMessages(alice) === before + 10, 5000, 'queued history');
  });

  test('a 100k-message history is ingested by a plain client in reasonable time', async () => {
    const start = Date.now();
    const before = countMessages(alice);
    const result = env.sim.history(ALICE, { chats: 100, messagesPerChat: 1000 });
    expect(result.chunks).toBe(20);
    await alice.waitForCondition(() => countMessages(alice) === before + 100_000, 60_000, '100k history messages');
    expect(Date.now() - start).toBeLessThan(30_000);
  }, 70_000);
});
