import { proto, type WAMessage } from '@whiskeysockets/baileys';
import { findMessage } from '../../server/src/whatsapp/store/read-queries';
import { countConflicts } from '../../server/src/whatsapp/store/conflict-store';
import { ALICE, BOB, GROUP, eventsOf, openStore, text, waMessage, type StoreFixture } from './fixtures';

const { Status } = proto.WebMessageInfo;
let store: StoreFixture;

beforeAll(async () => {
  store = await openStore('wa_message_identity');
});
afterAll(async () => {
  await store?.close();
});

const stored = (id: string) => findMessage(store.db, store.sessionRowId, id);
const notify = (...messages: WAMessage[]) => ({ 'messages.upsert': { messages, type: 'notify' as const } });

describe('changes name the chat and direction of the message they change', () => {
  it('leaves a message alone when a receipt, status, reaction or deletion names its id in another chat or direction', async () => {
    const received = waMessage({ remoteJid: ALICE, message: text('from Alice') });
    const sent = waMessage({ remoteJid: ALICE, fromMe: true, message: text('to Alice'), status: Status.SERVER_ACK });
    await store.ingest(notify(received, sent));
    const elsewhere = (key: WAMessage['key'], remoteJid: string, fromMe = key.fromMe) => ({ ...key, remoteJid, fromMe });

    const { events } = await store.ingest({
      'messages.update': [
        { key: elsewhere(sent.key, BOB), update: { status: Status.READ } },
        { key: elsewhere(received.key, ALICE, true), update: { starred: true } },
        // The genuine one, in the same batch: proof the batch was applied.
        { key: sent.key, update: { status: Status.DELIVERY_ACK } },
      ],
      'message-receipt.update': [{ key: elsewhere(sent.key, GROUP), receipt: { userJid: BOB, readTimestamp: 1_764_000_500 } }],
      'messages.reaction': [
        {
          key: elsewhere(received.key, BOB),
          reaction: { key: { remoteJid: BOB, fromMe: false, id: 'R1' }, text: '💩', senderTimestampMs: 1_764_000_001_000 },
        },
      ],
      'messages.delete': { keys: [elsewhere(received.key, BOB)] },
    });

    expect(await stored(sent.key.id!)).toMatchObject({ status: 'DELIVERED' });
    expect((await stored(sent.key.id!))!.metadata?.receipts).toBeUndefined();
    const alices = (await stored(received.key.id!))!;
    expect({ reactions: alices.metadata?.reactions, deleted: alices.metadata?.deleted, starred: alices.metadata?.starred }).toEqual({
      reactions: undefined,
      deleted: undefined,
      starred: undefined,
    });
    expect(eventsOf(events, 'messages.delete')).toEqual([]);
    expect(eventsOf(events, 'message.receipt')).toEqual([]);
  });

  it('sets aside the second of two messages with one id in one batch', async () => {
    const fromAlice = waMessage({ remoteJid: ALICE, message: text('first') });
    const fromBob = waMessage({ id: fromAlice.key.id!, remoteJid: BOB, message: text('second') });
    const before = await countConflicts(store.db, store.sessionRowId);
    const { events } = await store.ingest(notify(fromAlice, fromBob));
    expect(await stored(fromAlice.key.id!)).toMatchObject({ chatId: ALICE, content: { conversation: 'first' } });
    expect(await countConflicts(store.db, store.sessionRowId)).toBe(before + 1);
    expect(eventsOf(events, 'messages.upsert').flatMap((event) => event.payload.messages.map((message) => message.chatId))).toEqual([
      ALICE,
    ]);

    await store.ingest(notify(fromBob));
    expect(await countConflicts(store.db, store.sessionRowId)).toBe(before + 1);
  });
});
