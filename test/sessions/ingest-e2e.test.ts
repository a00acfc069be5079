import { readFileSync } from 'node:fs';
import path from 'node:path';
import { eventually } from '../helpers/eventually';
import { pairByQr, startWhatsAppWorld, storedMessage, type WhatsAppWorld } from '../helpers/whatsapp';

jest.setTimeout(90_000);

const ME = '15550003001';
const CARA = '15550003002';
const DAN = '15550003003';
const jidOf = (phone: string) => `${phone}@s.whatsapp.net`;
const PNG = readFileSync(path.join(__dirname, '../fixtures/tiny.png'));

let world: WhatsAppWorld;
let key: string;
let sessionRowId: string;

const messageRow = (messageId: string) => storedMessage(world.gateway, sessionRowId, messageId);

beforeAll(async () => {
  world = await startWhatsAppWorld('ingest_e2e');
  key = world.gateway.adminKey;
  await world.sim.createAccount(ME, 'Me');
  await world.sim.createAccount(CARA, 'Cara');
  await world.sim.createAccount(DAN, 'Dan');
  await pairByQr(world, key, 'me', ME);
  sessionRowId = (await world.gateway.ctx.db.selectFrom('Session').select('id').where('sessionId', '=', 'me').executeTakeFirstOrThrow()).id;
});
afterAll(async () => {
  await world?.gateway.close();
  await world?.sim.stop();
});

it('stores a contact’s text with phone-number JIDs, its chat and the contact', async () => {
  const { id } = await world.sim.send(CARA, { to: ME, text: 'hello from Cara 👋' });
  const row = await messageRow(id);
  expect(row).toMatchObject({
    messageType: 'TEXT',
    fromMe: false,
    chatId: jidOf(CARA),
    fromJid: jidOf(CARA),
    toJid: jidOf(ME),
    status: 'DELIVERED',
  });
  expect(JSON.stringify(row!.content)).toContain('hello from Cara 👋');

  const chat = await eventually(
    () => world.gateway.api.get('/api/v1/sessions/me/chats', { key }),
    (res) => res.body.data.some((c: { jid: string; unreadCount: number }) => c.jid === jidOf(CARA) && c.unreadCount >= 1),
  );
  expect(chat.body.data.find((c: { jid: string }) => c.jid === jidOf(CARA))).toMatchObject({
    isGroup: false,
    lastMessage: expect.objectContaining({ id }),
  });

  const contacts = await eventually(
    () => world.gateway.api.get('/api/v1/sessions/me/contacts', { key }),
    (res) => res.body.data.some((c: { jid: string }) => c.jid === jidOf(CARA)),
  );
  expect(contacts.body.data.find((c: { jid: string }) => c.jid === jidOf(CARA)).pushName).toBe('Cara');

  const listed = await world.gateway.api.get(`/api/v1/sessions/me/chats/${CARA}/messages`, { key });
  expect(listed.body.data.map((m: { messageId: string }) => m.messageId)).toContain(id);
});

it('stores an image with its media keys, as IMAGE', async () => {
  const { id } = await world.sim.send(CARA, { to: ME, image: PNG.toString('base64'), mimetype: 'image/png', caption: 'a tiny picture' });
  const row = await messageRow(id);
  expect(row!.messageType).toBe('IMAGE');
  const image = (row!.content as { imageMessage: Record<string, unknown> }).imageMessage;
  expect(image).toMatchObject({ caption: 'a tiny picture', mimetype: 'image/png' });
  expect(typeof image.mediaKey).toBe('string');
  expect(typeof image.directPath).toBe('string');
});

it('stores a group, and a member’s message in it with the sender’s phone number', async () => {
  const group = await world.sim.createGroup(CARA, 'Weekend plans', [ME, DAN]);
  const stored = await eventually(
    () => world.gateway.api.get('/api/v1/sessions/me/groups', { key }),
    (res) => res.body.data.some((g: { jid: string }) => g.jid === group.id),
  );
  const row = stored.body.data.find((g: { jid: string }) => g.jid === group.id);
  expect(row.subject).toBe('Weekend plans');
  expect(row.participants.map((p: { phoneJid?: string; jid: string }) => p.phoneJid ?? p.jid).sort()).toEqual(
    [jidOf(CARA), jidOf(DAN), jidOf(ME)].sort(),
  );

  const { id } = await world.sim.send(DAN, { to: group.id, text: 'I bring the snacks' });
  const message = await messageRow(id);
  expect(message).toMatchObject({ chatId: group.id, fromJid: jidOf(DAN), fromMe: false, messageType: 'TEXT' });
  const chats = await world.gateway.api.get('/api/v1/sessions/me/chats', { key });
  expect(chats.body.data.find((c: { jid: string }) => c.jid === group.id)).toMatchObject({ isGroup: true });
});

it('moves a sent message through SENT, DELIVERED and READ from receipts', async () => {
  const sent = await world.gateway.ctx.manager.whenConnected(sessionRowId, (socket) =>
    socket.sendMessage(jidOf(CARA), { text: 'did you get this?' }),
  );
  const id = sent!.key.id!;
  await world.sim.waitForInbox(CARA, (entry) => entry.id === id);
  await eventually(
    () => messageRow(id),
    (row) => row!.status === 'DELIVERED' || row!.status === 'READ',
  );
  await world.sim.read(CARA, jidOf(ME), [id]);
  const read = await eventually(
    () => messageRow(id),
    (row) => row!.status === 'READ',
  );
  expect(read).toMatchObject({ fromMe: true, chatId: jidOf(CARA), toJid: jidOf(CARA) });
});

it('lands a 20k-message history sync completely, with progress in the session', async () => {
  const before = await world.gateway.ctx.db
    .selectFrom('Message')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('sessionId', '=', sessionRowId)
    .executeTakeFirstOrThrow();
  const result = await world.sim.history(ME, { chats: 20, messagesPerChat: 1000 });
  expect(result.messages).toBe(20_000);
  const count = await eventually(
    async () =>
      Number(
        (
          await world.gateway.ctx.db
            .selectFrom('Message')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('sessionId', '=', sessionRowId)
            .executeTakeFirstOrThrow()
        ).n,
      ),
    (n) => n >= Number(before.n) + 20_000,
    60_000,
    'history messages',
  );
  expect(count).toBe(Number(before.n) + 20_000);
  const session = await eventually(
    async () => (await world.gateway.api.get('/api/v1/sessions/me', { key })).body,
    (s) => s.metadata.historySync?.messages >= 20_000,
  );
  expect(session.metadata.historySync).toMatchObject({ messages: 20_000 });
});
