import { sql } from 'kysely';
import { eventually } from '../helpers/eventually';
import { pairByQr, startWhatsAppWorld, type WhatsAppWorld } from '../helpers/whatsapp';

jest.setTimeout(90_000);

const ME = '15550004001';
const DAY_MS = 86_400_000;
let world: WhatsAppWorld;

beforeAll(async () => {
  world = await startWhatsAppWorld('history_cutoff', { HISTORY_SYNC_MAX_DAYS: '7', HISTORY_SYNC_MAX_MESSAGES_PER_CHAT: '300' });
  await world.sim.createAccount(ME, 'Me');
  await pairByQr(world, world.gateway.adminKey, 'me', ME);
});
afterAll(async () => {
  await world?.gateway.close();
  await world?.sim.stop();
});

it('keeps only the newest history within the configured days and per-chat cap', async () => {
  const chunksSoFar = async () =>
    ((await world.gateway.api.get('/api/v1/sessions/me', { key: world.gateway.adminKey })).body.metadata.historySync?.chunks ??
      0) as number;
  const before = await chunksSoFar();
  // 20 chats × 1000 messages one minute apart: about 14 days, the older chats entirely before the cut-off.
  const synced = await world.sim.history(ME, { chats: 20, messagesPerChat: 1000, chunkSize: 4000 });
  expect(synced.chunks).toBe(5);
  const { db } = world.gateway.ctx;
  await eventually(chunksSoFar, (chunks) => chunks >= before + 5, 60_000, 'all history chunks');
  const perChat = await db
    .selectFrom('Message')
    .select(['chatId', sql<number>`COUNT(*)`.as('n'), sql<Date>`MIN(timestamp)`.as('oldest')])
    .where('messageId', 'like', 'HS%')
    .groupBy('chatId')
    .execute();
  const cutoff = Date.now() - 7 * DAY_MS;
  expect(perChat.length).toBe(11); // chats 9-19 reach into the last 7 days
  for (const chat of perChat) {
    expect(Number(chat.n)).toBeLessThanOrEqual(300);
    expect(new Date(chat.oldest).getTime()).toBeGreaterThanOrEqual(cutoff - 60_000);
  }
  expect(perChat.filter((chat) => Number(chat.n) === 300).length).toBe(10); // chats 10-19 have 300 messages within them
});
