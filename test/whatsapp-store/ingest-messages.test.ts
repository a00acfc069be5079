import { proto, type WAMessage } from '@whiskeysockets/baileys';
import { EarlyOperations } from '../../server/src/whatsapp/early-operations';
import { findChat, findContact, findMessage, searchMessages } from '../../server/src/whatsapp/store/read-queries';
import {
  ALICE,
  ALICE_LID,
  BOB,
  BOB_LID,
  GROUP,
  ME_PN,
  eventsOf,
  messageId,
  openStore,
  text,
  waMessage,
  type StoreFixture,
} from './fixtures';

const { Status } = proto.WebMessageInfo;
let store: StoreFixture;

beforeAll(async () => {
  store = await openStore('wa_messages');
});
afterAll(async () => {
  await store?.close();
});

const stored = (id: string) => findMessage(store.db, store.sessionRowId, id);
const notify = (...messages: WAMessage[]) => ({ 'messages.upsert': { messages, type: 'notify' as const } });
const statusUpdate = (id: string, status: number, remoteJid = ALICE) => ({ key: { id, remoteJid, fromMe: true }, update: { status } });

describe('messages.upsert', () => {
  it('stores a received message once and reports it with its chat', async () => {
    const message = waMessage({ remoteJid: ALICE, message: text('hello there'), pushName: 'Alice' });
    const { events } = await store.ingest(notify(message));
    const row = await stored(message.key.id!);
    expect(row).toMatchObject({
      chatId: ALICE,
      fromMe: false,
      fromJid: ALICE,
      toJid: ME_PN,
      messageType: 'TEXT',
      status: 'DELIVERED',
      content: { conversation: 'hello there' },
    });
    expect(row!.timestamp.getTime()).toBe(1_764_000_000_000);

    const [upsert] = eventsOf(events, 'messages.upsert');
    expect(upsert!.payload.source).toBe('live');
    expect(upsert!.payload.messages).toEqual([
      expect.objectContaining({ id: row!.id, messageId: message.key.id, timestamp: row!.timestamp.toISOString() }),
    ]);
    expect(eventsOf(events, 'chats.upsert')[0]!.payload.chats[0]).toMatchObject({
      jid: ALICE,
      unreadCount: 1,
      lastMessage: { id: message.key.id, text: 'hello there' },
    });
    expect(JSON.parse(JSON.stringify(events))).toEqual(events);

    const again = await store.ingest(notify(message));
    expect(eventsOf(again.events, 'messages.upsert')).toEqual([]);
    expect((await findChat(store.db, store.sessionRowId, ALICE))!.unreadCount).toBe(1);
  });

  it('stores LID-addressed messages under the phone number from the envelope and keeps the LID', async () => {
    const message = waMessage({ remoteJid: GROUP, participant: BOB_LID, participantAlt: BOB });
    await store.ingest(notify(message));
    const row = await stored(message.key.id!);
    expect(row).toMatchObject({ chatId: GROUP, fromJid: BOB, metadata: expect.objectContaining({ senderLid: BOB_LID }) });
    const direct = waMessage({ remoteJid: ALICE_LID, remoteJidAlt: ALICE });
    await store.ingest(notify(direct));
    expect(await stored(direct.key.id!)).toMatchObject({
      chatId: ALICE,
      fromJid: ALICE,
      metadata: expect.objectContaining({ chatLid: ALICE_LID }),
    });
  });

  it('moves rows stored under a LID to the phone number once the mapping arrives', async () => {
    const lid = '900000000077@lid';
    const pn = '15550000077@s.whatsapp.net';
    const message = waMessage({ remoteJid: lid });
    await store.ingest({ ...notify(message), 'contacts.upsert': [{ id: lid, notify: 'Zed' }] });
    expect(await stored(message.key.id!)).toMatchObject({ chatId: lid, fromJid: lid });
    expect(await findChat(store.db, store.sessionRowId, lid)).toBeDefined();

    await store.ingest({ 'lid-mapping.update': { lid, pn } });
    expect(await stored(message.key.id!)).toMatchObject({
      chatId: pn,
      fromJid: pn,
      toJid: ME_PN,
      metadata: expect.objectContaining({ chatLid: lid }),
    });
    expect(await findChat(store.db, store.sessionRowId, lid)).toBeUndefined();
    expect(await findChat(store.db, store.sessionRowId, pn)).toMatchObject({ unreadCount: 1, metadata: { lid } });
    expect(await findContact(store.db, store.sessionRowId, pn)).toMatchObject({ pushName: 'Zed' });

    await store.ingest({ 'messages.upsert': { messages: [message], type: 'append' } });
    expect((await stored(message.key.id!))!.chatId).toBe(pn);
  });

  it('leaves a LID chat alone when its phone number already has a chat', async () => {
    const lid = '900000000078@lid';
    const pn = '15550000078@s.whatsapp.net';
    await store.ingest(notify(waMessage({ remoteJid: lid }), waMessage({ remoteJid: pn })));
    await store.ingest({ 'lid-mapping.update': { lid, pn } });
    expect(await findChat(store.db, store.sessionRowId, lid)).toBeDefined();
    expect(await findChat(store.db, store.sessionRowId, pn)).toBeDefined();
    expect(await searchMessages(store.db, store.sessionRowId, { chatId: pn }, { limit: 5 })).toMatchObject({
      data: [expect.anything(), expect.anything()],
    });
  });
});

describe('status', () => {
  it('only moves forward, whatever order the updates come in', async () => {
    const sent = waMessage({ remoteJid: ALICE, fromMe: true, status: Status.PENDING, message: text('ours') });
    const id = sent.key.id!;
    await store.ingest({ 'messages.upsert': { messages: [sent], type: 'append' } });
    expect((await stored(id))!.status).toBe('PENDING');

    const read = await store.ingest({ 'messages.update': [statusUpdate(id, Status.READ)] });
    expect(eventsOf(read.events, 'messages.update')[0]!.payload.updates).toEqual([
      expect.objectContaining({ changes: ['status'], message: expect.objectContaining({ status: 'READ' }) }),
    ]);
    const late = await store.ingest({ 'messages.update': [statusUpdate(id, Status.DELIVERY_ACK), statusUpdate(id, Status.SERVER_ACK)] });
    expect(eventsOf(late.events, 'messages.update')).toEqual([]);
    await store.ingest({ 'messages.upsert': { messages: [{ ...sent, status: Status.SERVER_ACK }], type: 'append' } });
    expect((await stored(id))!.status).toBe('READ');
  });

  it('applies an ack and receipts that overtook the message once the message is stored', async () => {
    const early = new EarlyOperations();
    const sent = waMessage({ remoteJid: ALICE, fromMe: true, status: Status.PENDING, message: text('raced') });
    const id = sent.key.id!;
    await store.ingest({ 'messages.update': [statusUpdate(id, Status.SERVER_ACK), statusUpdate(id, Status.DELIVERY_ACK)] }, { early });
    expect(await stored(id)).toBeUndefined();
    const { events } = await store.ingest({ 'messages.upsert': { messages: [sent], type: 'append' } }, { early });
    expect((await stored(id))!.status).toBe('DELIVERED');
    expect(eventsOf(events, 'messages.upsert')[0]!.payload.messages[0]).toMatchObject({ messageId: id });
    // Without the early store the changes are lost, which is what the store is for.
    const other = waMessage({ remoteJid: ALICE, fromMe: true, status: Status.PENDING, message: text('lost') });
    await store.ingest({ 'messages.update': [statusUpdate(other.key.id!, Status.DELIVERY_ACK)] });
    await store.ingest({ 'messages.upsert': { messages: [other], type: 'append' } });
    expect((await stored(other.key.id!))!.status).toBe('PENDING');
  });

  it('an error ack that overtook the message makes it FAILED with the reason when it is stored', async () => {
    const early = new EarlyOperations();
    const sent = waMessage({ remoteJid: ALICE, fromMe: true, status: Status.PENDING, message: text('refused early') });
    await store.ingest(
      { 'messages.update': [{ key: sent.key, update: { status: Status.ERROR, messageStubParameters: ['463'] } }] },
      { early },
    );
    await store.ingest({ 'messages.upsert': { messages: [sent], type: 'append' } }, { early });
    const row = (await stored(sent.key.id!))!;
    expect(row.status).toBe('FAILED');
    expect(row.metadata).toMatchObject({ errorCode: '463', error: expect.stringContaining('restricted') });
  });

  it("an error ack arriving after the row makes it FAILED with WhatsApp's reason", async () => {
    const sent = waMessage({ remoteJid: ALICE, fromMe: true, status: Status.SERVER_ACK, message: text('refused later') });
    await store.ingest({ 'messages.upsert': { messages: [sent], type: 'append' } });
    await store.ingest({ 'messages.update': [{ key: sent.key, update: { status: Status.ERROR, messageStubParameters: ['403'] } }] });
    const row = (await stored(sent.key.id!))!;
    expect(row.status).toBe('FAILED');
    expect(row.metadata).toMatchObject({ errorCode: '403', error: expect.stringContaining('not allowed to send') });
  });

  it('a duplicate upsert with a later status raises it and reports the stored row', async () => {
    const sent = waMessage({ remoteJid: ALICE, fromMe: true, status: Status.SERVER_ACK });
    await store.ingest({ 'messages.upsert': { messages: [sent], type: 'append' } });
    const { events } = await store.ingest({ 'messages.upsert': { messages: [{ ...sent, status: Status.DELIVERY_ACK }], type: 'append' } });
    expect((await stored(sent.key.id!))!.status).toBe('DELIVERED');
    expect(eventsOf(events, 'messages.update')[0]!.payload.updates[0]).toMatchObject({
      changes: ['status'],
      message: { messageId: sent.key.id, status: 'DELIVERED' },
    });
  });

  it('group receipts move the status to the most advanced and are kept per recipient', async () => {
    const sent = waMessage({ remoteJid: GROUP, fromMe: true, status: Status.SERVER_ACK });
    const id = sent.key.id!;
    await store.ingest({ 'messages.upsert': { messages: [sent], type: 'append' } });
    const key = { id, remoteJid: GROUP, fromMe: true };
    const { events } = await store.ingest({
      'message-receipt.update': [
        { key, receipt: { userJid: ALICE, receiptTimestamp: 1_764_000_010 } },
        { key, receipt: { userJid: BOB_LID, readTimestamp: 1_764_000_020 } },
      ],
    });
    const row = await stored(id);
    expect(row!.status).toBe('READ');
    expect(row!.metadata!.receipts).toEqual({
      [ALICE]: { deliveredAt: new Date(1_764_000_010_000).toISOString() },
      [BOB]: { readAt: new Date(1_764_000_020_000).toISOString() },
    });
    expect(eventsOf(events, 'message.receipt')[0]!.payload.receipts).toEqual([
      expect.objectContaining({ messageId: id, chatId: GROUP, recipient: ALICE, status: 'DELIVERED' }),
      expect.objectContaining({ messageId: id, chatId: GROUP, recipient: BOB, status: 'READ' }),
    ]);
  });
});

describe('edits, revokes, deletes and reactions', () => {
  it('applies an edit from the protocol message and from messages.update once, keeping the original', async () => {
    const original = waMessage({
      remoteJid: ALICE,
      message: { extendedTextMessage: { text: 'teh typo', contextInfo: { stanzaId: 'Q0' } } },
    });
    const id = original.key.id!;
    await store.ingest(notify(original));
    const editTime = 1_764_000_100;
    const protocol = waMessage({
      remoteJid: ALICE,
      message: {
        editedMessage: {
          message: {
            protocolMessage: {
              type: proto.Message.ProtocolMessage.Type.MESSAGE_EDIT,
              key: { id, remoteJid: ALICE },
              editedMessage: { extendedTextMessage: { text: 'the typo' } },
              timestampMs: editTime * 1000 + 300,
            },
          },
        },
      },
    });
    const { events } = await store.ingest({
      ...notify(protocol),
      'messages.update': [
        {
          key: { id, remoteJid: ALICE, fromMe: false },
          update: { message: { editedMessage: { message: { extendedTextMessage: { text: 'the typo' } } } }, messageTimestamp: editTime },
        },
      ],
    });
    expect(await stored(protocol.key.id!)).toBeUndefined();
    const row = await stored(id);
    expect(row!.content).toEqual({ extendedTextMessage: { text: 'the typo', contextInfo: { stanzaId: 'Q0' } } });
    expect(row!.metadata).toMatchObject({
      originalContent: { extendedTextMessage: { text: 'teh typo' } },
      editedAt: new Date(editTime * 1000 + 300).toISOString(),
    });
    expect(eventsOf(events, 'messages.update')[0]!.payload.updates).toEqual([expect.objectContaining({ changes: ['edited'] })]);
    expect(eventsOf(events, 'messages.upsert')).toEqual([]);

    await store.ingest(notify(original));
    expect((await stored(id))!.content).toEqual(row!.content);
  });

  it('applies an edit that messages.update carries as a protocol message, on a media caption', async () => {
    const photo = waMessage({
      remoteJid: ALICE,
      fromMe: true,
      message: { imageMessage: { url: 'https://mmg.whatsapp.net/x', mediaKey: new Uint8Array([1, 2, 3]), caption: 'befor' } },
    });
    const id = photo.key.id!;
    await store.ingest({ 'messages.upsert': { messages: [photo], type: 'append' } });
    await store.ingest({
      'messages.update': [
        {
          key: photo.key,
          update: {
            message: {
              protocolMessage: {
                type: proto.Message.ProtocolMessage.Type.MESSAGE_EDIT,
                key: photo.key,
                editedMessage: { imageMessage: { caption: 'before' } },
                timestampMs: 1_764_000_200_000,
              },
            },
          },
        },
      ],
    });
    expect((await stored(id))!.content).toEqual({
      imageMessage: { url: 'https://mmg.whatsapp.net/x', mediaKey: 'AQID', caption: 'before' },
    });
    expect((await stored(id))!.messageType).toBe('IMAGE');
  });

  it('a revoke keeps the row, flagged, and is reported as a delete for everyone', async () => {
    const message = waMessage({ remoteJid: GROUP, participant: BOB, message: text('oops') });
    const id = message.key.id!;
    await store.ingest(notify(message));
    const revoke = waMessage({
      remoteJid: GROUP,
      participant: BOB,
      message: { protocolMessage: { type: proto.Message.ProtocolMessage.Type.REVOKE, key: { id, remoteJid: GROUP, participant: BOB } } },
    });
    const { events } = await store.ingest({
      ...notify(revoke),
      'messages.update': [
        {
          key: { id, remoteJid: GROUP, participant: BOB },
          update: { message: null, messageStubType: proto.WebMessageInfo.StubType.REVOKE, key: revoke.key },
        },
      ],
    });
    expect(await stored(revoke.key.id!)).toBeUndefined();
    const row = await stored(id);
    expect(row!.content).toEqual({ conversation: 'oops' });
    expect(row!.metadata).toMatchObject({ revoked: true, revokedBy: BOB });
    expect(eventsOf(events, 'messages.delete').map((event) => event.payload)).toEqual([
      { scope: 'everyone', messages: [{ id: row!.id, messageId: id, chatId: GROUP, fromMe: false, revokedBy: BOB }] },
    ]);
  });

  it('delete for me and clearing a chat flag the rows', async () => {
    const chat = '15550000055@s.whatsapp.net';
    const [a, b] = [waMessage({ remoteJid: chat }), waMessage({ remoteJid: chat })];
    await store.ingest(notify(a!, b!));
    const forMe = await store.ingest({ 'messages.delete': { keys: [a!.key] } });
    expect((await stored(a!.key.id!))!.metadata).toMatchObject({ deleted: true });
    expect((await stored(b!.key.id!))!.metadata?.deleted).toBeUndefined();
    expect(eventsOf(forMe.events, 'messages.delete')[0]!.payload).toMatchObject({ scope: 'me', messages: [{ messageId: a!.key.id }] });
    const cleared = await store.ingest({ 'messages.delete': { jid: chat, all: true } });
    expect((await stored(b!.key.id!))!.metadata).toMatchObject({ deleted: true });
    expect(eventsOf(cleared.events, 'messages.delete')[0]!.payload).toEqual({ scope: 'chat', chatId: chat });
  });

  it('stores a reaction as a REACTION row and sums reactions up on the target', async () => {
    const target = waMessage({ remoteJid: ALICE, fromMe: true, message: text('lunch?') });
    await store.ingest({ 'messages.upsert': { messages: [target], type: 'append' } });
    const reaction = waMessage({
      remoteJid: ALICE,
      message: { reactionMessage: { key: { ...target.key }, text: '👍', senderTimestampMs: 1_764_000_001_000 } },
    });
    const { events } = await store.ingest({
      ...notify(reaction),
      'messages.reaction': [{ key: target.key, reaction: { key: reaction.key, text: '👍', senderTimestampMs: 1_764_000_001_000 } }],
    });
    expect(await stored(reaction.key.id!)).toMatchObject({ messageType: 'REACTION', quotedMessage: target.key.id });
    expect((await stored(target.key.id!))!.metadata!.reactions).toEqual({
      [ALICE]: { text: '👍', at: new Date(1_764_000_001_000).toISOString() },
    });
    expect(eventsOf(events, 'messages.update')[0]!.payload.updates[0]!.changes).toEqual(['reactions']);
    await store.ingest({ 'messages.reaction': [{ key: target.key, reaction: { key: reaction.key, text: '' } }] });
    expect((await stored(target.key.id!))!.metadata!.reactions).toBeUndefined();
  });
});

describe('unread count', () => {
  const chat = '15550000066@s.whatsapp.net';
  const unread = async () => (await findChat(store.db, store.sessionRowId, chat))!.unreadCount;

  it('counts new incoming messages, not ours, reactions, read ones or repeats', async () => {
    const incoming = [waMessage({ remoteJid: chat }), waMessage({ remoteJid: chat })];
    await store.ingest(notify(...incoming));
    expect(await unread()).toBe(2);
    await store.ingest({
      'messages.upsert': {
        type: 'append',
        messages: [
          waMessage({ remoteJid: chat }),
          incoming[0]!,
          waMessage({ remoteJid: chat, fromMe: true }),
          waMessage({ remoteJid: chat, status: Status.READ }),
          waMessage({ remoteJid: chat, message: { reactionMessage: { key: incoming[1]!.key, text: '😀' } } }),
        ],
      },
      // Baileys' own per-message increment: already counted from the messages.
      'chats.update': [{ id: chat, unreadCount: 1, conversationTimestamp: 1_764_000_000 }],
    });
    expect(await unread()).toBe(3);
  });

  it('read sets 0, marked unread sets at least 1, null leaves it', async () => {
    await store.ingest({ 'chats.update': [{ id: chat, unreadCount: 0 }] });
    expect(await unread()).toBe(0);
    await store.ingest({ 'chats.update': [{ id: chat, unreadCount: -1 }] });
    expect(await unread()).toBe(1);
    await store.ingest(notify(waMessage({ remoteJid: chat }), waMessage({ remoteJid: chat })));
    await store.ingest({ 'chats.update': [{ id: chat, unreadCount: -1 }] });
    expect(await unread()).toBe(3);
    await store.ingest({ 'chats.update': [{ id: chat, unreadCount: null }] });
    expect(await unread()).toBe(3);
  });

  it('keeps the newest message as the preview, whatever order they arrive in', async () => {
    const newer = waMessage({ remoteJid: BOB, timestamp: 1_764_100_000, message: text('newer') });
    const older = waMessage({ remoteJid: BOB, timestamp: 1_764_000_000, message: text('older') });
    await store.ingest(notify(newer));
    await store.ingest(notify(older));
    expect((await findChat(store.db, store.sessionRowId, BOB))!.lastMessage).toMatchObject({
      id: newer.key.id,
      text: 'newer',
      fromMe: false,
      type: 'TEXT',
    });
  });
});

it('is scoped by session', async () => {
  const other = await store.addSession();
  const shared = messageId('SHARED');
  await store.ingest(notify(waMessage({ id: shared, remoteJid: ALICE, message: text('one') })));
  await store.ingest(notify(waMessage({ id: shared, remoteJid: ALICE, message: text('two') })), {}, other);
  expect((await findMessage(store.db, store.sessionRowId, shared))!.content).toEqual({ conversation: 'one' });
  expect((await findMessage(store.db, other, shared))!.content).toEqual({ conversation: 'two' });
});

it('a batch of mixed events takes a bounded number of statements', async () => {
  const chats = Array.from({ length: 40 }, (_, i) => `1555100${String(i).padStart(4, '0')}@s.whatsapp.net`);
  const messages = Array.from({ length: 1500 }, (_, i) => waMessage({ remoteJid: chats[i % chats.length]!, timestamp: 1_764_000_000 + i }));
  const sent = Array.from({ length: 300 }, () => waMessage({ remoteJid: GROUP, fromMe: true, status: Status.SERVER_ACK }));
  await store.ingest({ 'messages.upsert': { messages: sent, type: 'append' } });
  const { statements } = await store.ingest({
    ...notify(...messages),
    'messages.update': sent.map((message) => statusUpdate(message.key.id!, Status.DELIVERY_ACK, GROUP)),
    'message-receipt.update': sent.map((message) => ({ key: message.key, receipt: { userJid: ALICE, readTimestamp: 1_764_000_500 } })),
    'chats.update': chats.map((id) => ({ id, archived: true })),
    'contacts.update': chats.map((id) => ({ id, notify: `name of ${id}` })),
  });
  // messages: existence check 2 + insert 2; operations: load 1 + write 1; chats: read 1 + 2 shapes + read 1; contacts: read + write + read.
  expect(statements).toBeLessThanOrEqual(16);
  expect(await findChat(store.db, store.sessionRowId, chats[0]!)).toMatchObject({ isArchived: true, unreadCount: 38 });
});
