import { proto, type BaileysEventMap, type Chat, type WAMessage } from '@whiskeysockets/baileys';
import { ingestPrepared, mergeHistoryBatches, prepareEvents } from '../../server/src/whatsapp/ingest';
import { findChat, findContact, searchMessages } from '../../server/src/whatsapp/store/read-queries';
import { ALICE, ALICE_LID, eventsOf, openStore, text, waMessage, type StoreFixture } from './fixtures';

type HistorySet = BaileysEventMap['messaging-history.set'];

let store: StoreFixture;
const NOW = new Date('2026-11-25T12:00:00Z');
const DAY = 86_400;
const nowSeconds = NOW.getTime() / 1000;

beforeAll(async () => {
  store = await openStore('wa_history');
});
afterAll(async () => {
  await store?.close();
});

const historySet = (parts: Partial<HistorySet>): { 'messaging-history.set': HistorySet } => ({
  'messaging-history.set': {
    chats: [],
    contacts: [],
    messages: [],
    isLatest: true,
    syncType: proto.HistorySync.HistorySyncType.INITIAL_BOOTSTRAP,
    ...parts,
  },
});

const countIn = async (chatId: string) =>
  (
    await store.db
      .selectFrom('Message')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('sessionId', '=', store.sessionRowId)
      .where('chatId', '=', chatId)
      .executeTakeFirstOrThrow()
  ).n;

it('drops messages older than maxAgeDays and keeps at most maxMessagesPerChat newest per chat, across chunks', async () => {
  const chat = '15550000301@s.whatsapp.net';
  const ages = [1, 2, 3, 4, 5, 6, 40, 50];
  const messages = ages.map((days) =>
    waMessage({ remoteJid: chat, timestamp: nowSeconds - days * DAY, message: text(`${days} days ago`) }),
  );
  const cutoff = { historyCutoff: { maxAgeDays: 30, maxMessagesPerChat: 4 }, now: NOW };

  const { events } = await store.ingest(historySet({ messages: messages.slice(0, 3).concat(messages.slice(6)) }), cutoff);
  expect(await countIn(chat)).toBe(3);
  const upserts = eventsOf(events, 'messages.upsert');
  expect(upserts.map((event) => event.payload.source)).toEqual(['history']);

  await store.ingest(historySet({ messages: messages.slice(3, 6), syncType: proto.HistorySync.HistorySyncType.RECENT }), cutoff);
  const stored = (await searchMessages(store.db, store.sessionRowId, { chatId: chat }, { limit: 10 })).data;
  expect(stored.map((m) => m.content)).toEqual(['1', '2', '3', '4'].map((d) => ({ conversation: `${d} days ago` })));
  expect(stored.every((m) => m.metadata?.source === 'history')).toBe(true);
  expect((await findChat(store.db, store.sessionRowId, chat))!.unreadCount).toBe(0);
});

it('learns LID mappings first and stores chats, contacts and messages under phone numbers', async () => {
  const chat: Chat = { id: ALICE_LID, name: 'Alice', unreadCount: 2, conversationTimestamp: nowSeconds - 60, archived: false };
  const message = waMessage({ remoteJid: ALICE_LID, timestamp: nowSeconds - 60, message: text('from history') });
  (chat as Chat & { messages: { message: WAMessage }[] }).messages = [{ message }];
  await store.ingest(
    historySet({
      chats: [chat],
      contacts: [{ id: ALICE_LID, name: 'Alice A.' }],
      messages: [message],
      lidPnMappings: [{ lid: ALICE_LID, pn: ALICE }],
    }),
    { now: NOW },
  );
  expect(await findChat(store.db, store.sessionRowId, ALICE)).toMatchObject({
    name: 'Alice',
    unreadCount: 2,
    lastMessage: { id: message.key.id, text: 'from history' },
    metadata: { lid: ALICE_LID },
  });
  expect(await findContact(store.db, store.sessionRowId, ALICE)).toMatchObject({ name: 'Alice A.', metadata: { lid: ALICE_LID } });
  const [stored] = (await searchMessages(store.db, store.sessionRowId, { chatId: ALICE }, { limit: 5 })).data;
  expect(stored).toMatchObject({ messageId: message.key.id, fromJid: ALICE, metadata: { chatLid: ALICE_LID, source: 'history' } });
});

it('lands a 20,000-message history chunk with a bounded number of statements', async () => {
  const chats = Array.from({ length: 200 }, (_, i) => `1555200${String(i).padStart(4, '0')}@s.whatsapp.net`);
  const image = {
    url: 'https://mmg.whatsapp.net/v/t62/x',
    directPath: '/v/t62/x',
    mediaKey: new Uint8Array(32).fill(7),
    fileLength: 123_456,
    mimetype: 'image/jpeg',
    caption: 'photo',
  };
  const messages = Array.from({ length: 20_000 }, (_, i) =>
    waMessage({
      remoteJid: chats[i % chats.length]!,
      fromMe: i % 3 === 0,
      timestamp: nowSeconds - i * 10,
      status: proto.WebMessageInfo.Status.READ,
      message: i % 10 === 0 ? proto.Message.fromObject({ imageMessage: image }) : text(`message number ${i} in a long history`),
    }),
  );
  const started = performance.now();
  const { statements, events } = await store.ingest(
    historySet({
      chats: chats.map((id) => ({ id, unreadCount: 0, conversationTimestamp: nowSeconds })),
      contacts: chats.map((id) => ({ id, notify: `n${id}` })),
      messages,
    }),
    { now: NOW },
  );
  const elapsed = performance.now() - started;
  // 20 chunks × (existence check + insert), one count, and a handful for chats and contacts.
  expect(statements).toBeLessThanOrEqual(2 * 20 + 12);
  expect(elapsed).toBeLessThan(30_000);
  expect(
    await store.db
      .selectFrom('Message')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('sessionId', '=', store.sessionRowId)
      .where('chatId', 'in', chats)
      .executeTakeFirstOrThrow(),
  ).toEqual({ n: 20_000 });
  const upserts = eventsOf(events, 'messages.upsert');
  expect(upserts.reduce((sum, event) => sum + event.payload.messages.length, 0)).toBe(20_000);
  expect(Math.max(...upserts.map((event) => event.payload.messages.length))).toBeLessThanOrEqual(500);
  expect((await findChat(store.db, store.sessionRowId, chats[0]!))!.lastMessage).toMatchObject({ type: 'IMAGE', text: 'photo' });
  console.info(`20,000 history messages: ${statements} statements, ${Math.round(elapsed)} ms`);
});

it('writes a backlog of history chunks as one batch with the same result as one by one, and leaves other batches alone', async () => {
  const chats = ['15550000401@s.whatsapp.net', '15550000402@s.whatsapp.net'];
  const chunkOf = (chat: string, from: number) =>
    historySet({
      messages: Array.from({ length: 3 }, (_, i) =>
        waMessage({ remoteJid: chat, timestamp: nowSeconds - (from + i) * 60, message: text(`m${from + i}`) }),
      ),
      syncType: proto.HistorySync.HistorySyncType.RECENT,
    });
  const ctx = store.ctx({ historyCutoff: { maxAgeDays: 30, maxMessagesPerChat: 4 }, now: NOW });
  const first = prepareEvents(chunkOf(chats[0]!, 0), ctx);
  const second = prepareEvents(chunkOf(chats[0]!, 3), ctx);
  const third = prepareEvents(chunkOf(chats[1]!, 0), ctx);
  const live = prepareEvents(
    { 'messages.upsert': { messages: [waMessage({ remoteJid: chats[1]!, message: text('live') })], type: 'notify' } },
    ctx,
  );

  const merged = mergeHistoryBatches([first, second, live, third]);
  expect(merged.map((batch) => batch.history.length + batch.live.length)).toEqual([6, 1, 3]);
  await store.db.transaction().execute(async (trx) => {
    for (const batch of merged) await ingestPrepared(trx, store.sessionRowId, batch, ctx);
  });
  // The per-chat cap holds across the merged chunks: the 4 newest of chat 0's 6 history messages.
  expect(Number(await countIn(chats[0]!))).toBe(4);
  expect(Number(await countIn(chats[1]!))).toBe(4);
});
