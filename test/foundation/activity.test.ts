import { newId } from '../../server/src/db/ids';
import { upsertMessages } from '../../server/src/whatsapp/store/message-store';
import { insertSession } from '../../server/src/whatsapp/store/session-repository';
import { startGateway, type TestGateway } from '../helpers/gateway';

let gw: TestGateway;
const HOUR_MS = 3_600_000;

interface Bucket {
  start: string;
  requests: number;
  messagesIn: number;
  messagesOut: number;
}

beforeAll(async () => {
  gw = await startGateway('activity', { USAGE_FLUSH_INTERVAL_MS: '600000' });
});
afterAll(() => gw?.close());

/** A moment in the hour `hoursAgo` hours before the current one (at its start plus a second). */
const inHour = (hoursAgo: number) => new Date(Math.floor(Date.now() / HOUR_MS) * HOUR_MS - hoursAgo * HOUR_MS + 1000);

async function seedMessages(userId: string, sessionId: string, at: { hoursAgo: number; fromMe: boolean; count: number }[]) {
  const session = await insertSession(gw.ctx.db, { sessionId, userId });
  const messages = at.flatMap(({ hoursAgo, fromMe, count }) =>
    Array.from({ length: count }, () => ({
      id: newId(),
      messageId: newId(),
      chatId: '15550001111@s.whatsapp.net',
      fromMe,
      fromJid: fromMe ? null : '15550001111@s.whatsapp.net',
      toJid: '15550001111@s.whatsapp.net',
      messageType: 'TEXT' as const,
      content: { text: 'hi' },
      status: 'DELIVERED' as const,
      timestamp: inHour(hoursAgo),
      quotedMessage: null,
      metadata: {},
    })),
  );
  await upsertMessages(gw.ctx.db, session.id, messages);
}

async function seedRequests(userId: string, hoursAgo: number, count: number) {
  await gw.ctx.db
    .insertInto('ApiUsage')
    .values(
      Array.from({ length: count }, () => ({
        id: newId(),
        endpoint: '/api/v1/sessions',
        method: 'GET',
        status: 200,
        duration: 3,
        userId,
        timestamp: inHour(hoursAgo),
      })),
    )
    .execute();
}

/** The bucket holding `inHour(hoursAgo)`, found by its start so an hour turning mid-test moves nothing. */
const bucketAt = (buckets: Bucket[], hoursAgo: number) => {
  const at = inHour(hoursAgo).getTime();
  return buckets.find((b) => new Date(b.start).getTime() <= at && at < new Date(b.start).getTime() + HOUR_MS);
};

it('counts your requests and the messages of your sessions per hour, zero-filled, and never anyone else’s', async () => {
  const alice = await gw.createUser('alice-activity@test.local');
  const bob = await gw.createUser('bob-activity@test.local');
  await seedMessages(alice.id, 'alice-phone', [
    { hoursAgo: 0, fromMe: false, count: 3 },
    { hoursAgo: 0, fromMe: true, count: 2 },
    { hoursAgo: 5, fromMe: false, count: 4 },
    { hoursAgo: 30, fromMe: true, count: 7 }, // outside the default 24 hours
  ]);
  await seedMessages(bob.id, 'bob-phone', [{ hoursAgo: 0, fromMe: false, count: 11 }]);
  await seedRequests(alice.id, 3, 6);
  await seedRequests(bob.id, 3, 9);

  const res = await gw.api.get('/api/v1/me/activity', { key: alice.key });
  expect(res.status).toBe(200);
  const buckets: Bucket[] = res.body.buckets;
  expect(buckets).toHaveLength(24);
  expect(res.body.from).toBe(buckets[0].start);
  expect(new Date(res.body.to).getTime() - new Date(res.body.from).getTime()).toBe(24 * HOUR_MS);
  buckets.forEach((b, i) => expect(new Date(b.start).getTime()).toBe(new Date(res.body.from).getTime() + i * HOUR_MS));
  expect(new Date(res.body.to).getTime()).toBeGreaterThan(Date.now());

  expect(bucketAt(buckets, 0)).toMatchObject({ messagesIn: 3, messagesOut: 2 });
  expect(bucketAt(buckets, 3)).toMatchObject({ requests: 6, messagesIn: 0, messagesOut: 0 });
  expect(bucketAt(buckets, 5)).toMatchObject({ requests: 0, messagesIn: 4, messagesOut: 0 });
  const busy = [0, 3, 5].map((hoursAgo) => bucketAt(buckets, hoursAgo));
  const quiet = buckets.filter((b) => !busy.includes(b));
  expect(quiet).toHaveLength(21);
  expect(quiet.every((b) => b.requests === 0 && b.messagesIn === 0 && b.messagesOut === 0)).toBe(true);
  expect(buckets.reduce((sum, b) => sum + b.messagesIn + b.messagesOut, 0)).toBe(9);

  const week = await gw.api.get('/api/v1/me/activity?hours=48', { key: alice.key });
  expect(week.body.buckets).toHaveLength(48);
  expect(bucketAt(week.body.buckets, 30)).toMatchObject({ messagesIn: 0, messagesOut: 7 });

  const bobs = await gw.api.get('/api/v1/me/activity', { key: bob.key });
  expect(bucketAt(bobs.body.buckets, 0)).toMatchObject({ messagesIn: 11, messagesOut: 0 });
  expect(bucketAt(bobs.body.buckets, 3)).toMatchObject({ requests: 9 });
});

it('counts the requests made just before asking (the usage buffer is flushed first)', async () => {
  const user = await gw.createUser('busy-activity@test.local');
  for (let i = 0; i < 4; i++) await gw.api.get('/api/v1/me', { key: user.key });
  const res = await gw.api.get('/api/v1/me/activity?hours=2', { key: user.key });
  expect(res.body.buckets).toHaveLength(2);
  // The asking request is recorded only once answered; the user's creation was the admin's request.
  expect(res.body.buckets.reduce((sum: number, b: Bucket) => sum + b.requests, 0)).toBe(4);
});

it('lets an admin see everyone, or one user, and refuses non-admins', async () => {
  const carol = await gw.createUser('carol-activity@test.local');
  const dave = await gw.createUser('dave-activity@test.local');
  await seedMessages(carol.id, 'carol-phone', [{ hoursAgo: 2, fromMe: true, count: 5 }]);
  await seedMessages(dave.id, 'dave-phone', [{ hoursAgo: 2, fromMe: true, count: 8 }]);

  const one = await gw.api.get(`/api/v1/activity?userId=${carol.id}&hours=3`, { key: gw.adminKey });
  expect(one.status).toBe(200);
  expect(one.body.buckets).toHaveLength(3);
  expect(bucketAt(one.body.buckets, 2)).toMatchObject({ messagesOut: 5 });
  expect(one.body.buckets.reduce((sum: number, b: Bucket) => sum + b.messagesOut, 0)).toBe(5);

  const all = await gw.api.get('/api/v1/activity?hours=3', { key: gw.adminKey });
  expect(bucketAt(all.body.buckets, 2)).toMatchObject({ messagesOut: 13 });

  const refused = await gw.api.get('/api/v1/activity', { key: carol.key });
  expect(refused.status).toBe(403);
});

it.each(['0', '169', '1.5', 'many'])('refuses hours=%s with a 400', async (hours) => {
  const res = await gw.api.get(`/api/v1/me/activity?hours=${hours}`, { key: gw.adminKey });
  expect(res.status).toBe(400);
  expect(res.body.message).toMatch(/hours/);
});

it('refuses unknown query parameters with a 400', async () => {
  const res = await gw.api.get('/api/v1/me/activity?userId=someone', { key: gw.adminKey });
  expect(res.status).toBe(400);
});
