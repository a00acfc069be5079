import { proto } from '@whiskeysockets/baileys';
import { InvalidCursorError } from '../../server/src/db/cursor';
import {
  listChatMessages,
  listChats,
  listContacts,
  listGroups,
  searchMessages,
  type Page,
  type PageRequest,
} from '../../server/src/whatsapp/store/read-queries';
import { GROUP, openStore, text, waMessage, type StoreFixture } from './fixtures';

let store: StoreFixture;
const CHATS = Array.from({ length: 7 }, (_, i) => `155503000${i}0@s.whatsapp.net`);
const BASE = 1_764_000_000;

/** Walks every page and returns all items in order. */
async function walk<T>(fetch: (page: PageRequest) => Promise<Page<T>>, limit: number): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 1000; pages++) {
    const page = await fetch({ limit, ...(cursor ? { cursor } : {}) });
    expect(page.data.length).toBeLessThanOrEqual(limit);
    items.push(...page.data);
    if (!page.nextCursor) return items;
    cursor = page.nextCursor;
  }
  throw new Error('pagination did not end');
}

beforeAll(async () => {
  store = await openStore('wa_reads');
  const messages = [];
  for (let i = 0; i < 60; i++) {
    const chat = i < 50 ? GROUP : CHATS[i % CHATS.length]!;
    // Several messages share a second, so the id breaks ties.
    const timestamp = BASE + Math.floor(i / 3);
    const image = i % 4 === 0;
    messages.push(
      waMessage({
        remoteJid: chat,
        fromMe: i % 2 === 0,
        participant: chat === GROUP && i % 2 === 1 ? CHATS[0] : undefined,
        timestamp,
        message: image ? proto.Message.fromObject({ imageMessage: { url: 'https://x', caption: `image ${i}` } }) : text(`text ${i}`),
      }),
    );
  }
  await store.ingest({ 'messages.upsert': { messages, type: 'notify' } });
  await store.ingest({
    'contacts.upsert': CHATS.map((id, i) => ({ id, notify: `Contact ${i}` })),
    'groups.upsert': Array.from({ length: 5 }, (_, i) => ({
      id: `12036300000000020${i}@g.us`,
      subject: `Group ${i}`,
      owner: undefined,
      participants: [],
    })),
  });
  const other = await store.addSession();
  await store.ingest(
    { 'messages.upsert': { messages: [waMessage({ remoteJid: GROUP, timestamp: BASE + 1000 })], type: 'notify' } },
    {},
    other,
  );
});
afterAll(async () => {
  await store?.close();
});

const ordered = (items: { timestamp: Date; id: string }[]) =>
  [...items].sort((a, b) => b.timestamp.getTime() - a.timestamp.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));

it('pages through a chat newest first without duplicates or gaps', async () => {
  const all = await walk((page) => listChatMessages(store.db, store.sessionRowId, GROUP, page), 7);
  expect(all).toHaveLength(50);
  expect(new Set(all.map((m) => m.id)).size).toBe(50);
  expect(all.map((m) => m.id)).toEqual(ordered(all).map((m) => m.id));
  expect(all.every((m) => m.chatId === GROUP && m.timestamp instanceof Date && typeof m.content === 'object')).toBe(true);
  const single = await walk((page) => listChatMessages(store.db, store.sessionRowId, GROUP, page), 1);
  expect(single.map((m) => m.id)).toEqual(all.map((m) => m.id));
});

it('filters by type, direction, chat and time', async () => {
  const images = await walk((page) => searchMessages(store.db, store.sessionRowId, { type: 'IMAGE' }, page), 4);
  expect(images).toHaveLength(15);
  expect(images.every((m) => m.messageType === 'IMAGE')).toBe(true);

  const mineInGroup = await walk((page) => searchMessages(store.db, store.sessionRowId, { chatId: GROUP, fromMe: true }, page), 6);
  expect(mineInGroup).toHaveLength(25);
  expect(mineInGroup.every((m) => m.fromMe && m.chatId === GROUP)).toBe(true);

  const since = new Date((BASE + 15) * 1000);
  const recent = await walk((page) => searchMessages(store.db, store.sessionRowId, { since }, page), 8);
  expect(recent).toHaveLength(15);
  expect(recent.every((m) => m.timestamp >= since)).toBe(true);
  expect(recent.map((m) => m.id)).toEqual(ordered(recent).map((m) => m.id));
});

it('lists chats by latest activity', async () => {
  const chats = await walk((page) => listChats(store.db, store.sessionRowId, page), 2);
  // 7 direct chats and the group with messages, then the 5 group chats without any (named after their subject).
  expect(chats).toHaveLength(13);
  expect(new Set(chats.map((c) => c.jid)).size).toBe(13);
  expect(chats.slice(8).map((c) => c.lastMessage)).toEqual([null, null, null, null, null]);
  const activity = chats.map((c) => c.lastMessage?.timestamp ?? '');
  expect(activity).toEqual([...activity].sort().reverse());
  // Messages 57, 58 and 59 share the latest second.
  expect(
    chats
      .slice(0, 3)
      .map((c) => c.jid)
      .sort(),
  ).toEqual([CHATS[57 % 7], CHATS[58 % 7], CHATS[59 % 7]].sort());
});

it('lists contacts and groups by JID', async () => {
  const contacts = await walk((page) => listContacts(store.db, store.sessionRowId, page), 3);
  expect(contacts.map((c) => c.jid)).toEqual([...CHATS].sort());
  const groups = await walk((page) => listGroups(store.db, store.sessionRowId, page), 2);
  expect(groups.map((g) => g.subject)).toEqual(['Group 0', 'Group 1', 'Group 2', 'Group 3', 'Group 4']);
});

it('rejects a cursor it did not make', async () => {
  await expect(listChats(store.db, store.sessionRowId, { limit: 5, cursor: 'bm9wZQ' })).rejects.toBeInstanceOf(InvalidCursorError);
  await expect(
    searchMessages(store.db, store.sessionRowId, {}, { limit: 5, cursor: Buffer.from('["x","y"]').toString('base64url') }),
  ).rejects.toBeInstanceOf(InvalidCursorError);
});
