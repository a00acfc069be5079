import { createHash, randomBytes } from 'node:crypto';
import { aesEncryptGCM, hmacSign, proto } from '@whiskeysockets/baileys';
import type { TestClient } from './client';
import { useSimulator } from './fixtures';

const ALICE = '15550005001';
const BOB = '15550005002';
const pn = (phone: string) => `${phone}@s.whatsapp.net`;
const VCARD = 'BEGIN:VCARD\nVERSION:3.0\nFN:Jane Doe\nTEL;type=CELL;waid=15551234567:+1 555 123 4567\nEND:VCARD';

describe('message content in both directions', () => {
  const env = useSimulator();
  let alice: TestClient;

  beforeAll(async () => {
    await Promise.all([env.sim.createAccount(ALICE, 'Alice'), env.sim.createAccount(BOB, 'Bob')]);
    alice = await env.link(ALICE);
  });

  test('quotes, edits, revokes and reactions from a client show up in the peer inbox', async () => {
    const { id: bobsId } = await env.sim.send(BOB, { to: ALICE, text: 'original from bob' });
    const bobsMessage = await alice.waitForMessage((m) => m.key.id === bobsId);
    const reply = (await alice.sock.sendMessage(pn(BOB), { text: 'a reply' }, { quoted: bobsMessage }))!;
    expect((await env.sim.waitForInbox(BOB, (e) => e.id === reply.key.id)).quotedId).toBe(bobsId);

    const toEdit = (await alice.sock.sendMessage(pn(BOB), { text: 'typo' }))!;
    await env.sim.waitForInbox(BOB, (e) => e.id === toEdit.key.id);
    await alice.sock.sendMessage(pn(BOB), { text: 'fixed', edit: toEdit.key });
    const edit = await env.sim.waitForInbox(BOB, (e) => e.type === 'edit' && e.targetId === toEdit.key.id);
    expect(edit.text).toBe('fixed');
    expect(env.sim.inbox(BOB).find((e) => e.id === toEdit.key.id)?.editedText).toBe('fixed');

    await alice.sock.sendMessage(pn(BOB), { delete: toEdit.key });
    await env.sim.waitForInbox(BOB, (e) => e.type === 'revoke' && e.targetId === toEdit.key.id);
    expect(env.sim.inbox(BOB).find((e) => e.id === toEdit.key.id)?.revoked).toBe(true);

    await alice.sock.sendMessage(pn(BOB), { react: { text: '👍', key: bobsMessage.key } });
    const reaction = await env.sim.waitForInbox(BOB, (e) => e.type === 'reaction');
    expect(reaction.reaction).toEqual({ targetId: bobsId, emoji: '👍' });
    expect(env.sim.inbox(BOB).find((e) => e.id === bobsId)).toBeUndefined();
  });

  test('locations, contacts and polls from a client are decoded in the peer inbox', async () => {
    const location = (await alice.sock.sendMessage(pn(BOB), {
      location: { degreesLatitude: 52.52, degreesLongitude: 13.405, name: 'Berlin' },
    }))!;
    expect((await env.sim.waitForInbox(BOB, (e) => e.id === location.key.id)).location).toMatchObject({
      latitude: 52.52,
      longitude: 13.405,
      name: 'Berlin',
    });

    const contact = (await alice.sock.sendMessage(pn(BOB), { contacts: { displayName: 'Jane Doe', contacts: [{ vcard: VCARD }] } }))!;
    const contactEntry = await env.sim.waitForInbox(BOB, (e) => e.id === contact.key.id);
    expect(contactEntry.type).toBe('contact');
    expect(contactEntry.contacts?.[0]?.vcard).toBe(VCARD);

    const poll = (await alice.sock.sendMessage(pn(BOB), { poll: { name: 'Lunch?', values: ['pizza', 'salad'], selectableCount: 1 } }))!;
    expect((await env.sim.waitForInbox(BOB, (e) => e.id === poll.key.id)).poll).toEqual({
      name: 'Lunch?',
      options: ['pizza', 'salad'],
      selectableCount: 1,
    });
  });

  test('the control API sends locations, contacts, polls, reactions, quotes, edits and deletes', async () => {
    const { id: textId } = await env.sim.send(BOB, { to: ALICE, text: 'base' });
    await alice.waitForMessage((m) => m.key.id === textId);
    const { id: quoteId } = await env.sim.send(BOB, { to: ALICE, text: 'quoting', quotedId: textId });
    const quoting = await alice.waitForMessage((m) => m.key.id === quoteId);
    expect(quoting.message?.extendedTextMessage?.contextInfo?.stanzaId).toBe(textId);

    const { id: locId } = await env.sim.send(BOB, { to: ALICE, location: { latitude: 1.5, longitude: 2.5, name: 'Here' } });
    expect((await alice.waitForMessage((m) => m.key.id === locId)).message?.locationMessage).toMatchObject({
      degreesLatitude: 1.5,
      degreesLongitude: 2.5,
      name: 'Here',
    });

    const { id: vcardId } = await env.sim.send(BOB, { to: ALICE, contact: { displayName: 'Jane Doe', vcard: VCARD } });
    const vcard = await alice.waitForMessage((m) => m.key.id === vcardId);
    expect(vcard.message?.contactMessage?.vcard ?? vcard.message?.contactsArrayMessage?.contacts?.[0]?.vcard).toBe(VCARD);

    const { id: pollId } = await env.sim.send(BOB, { to: ALICE, poll: { name: 'Vote', options: ['a', 'b', 'c'], selectableCount: 2 } });
    const poll = await alice.waitForMessage((m) => m.key.id === pollId);
    const creation = poll.message?.pollCreationMessage ?? poll.message?.pollCreationMessageV2 ?? poll.message?.pollCreationMessageV3;
    expect(creation?.options?.map((o) => o.optionName)).toEqual(['a', 'b', 'c']);

    const { id: reactId } = await env.sim.send(BOB, { to: ALICE, react: { id: textId, emoji: '❤️' } });
    const reaction = await alice.waitFor('messages.reaction', (rs) => rs.some((r) => r.key.id === textId && r.reaction.text === '❤️'));
    expect(reaction.length).toBeGreaterThan(0);
    expect(reactId).toBeTruthy();

    await env.sim.send(BOB, { to: ALICE, edit: { id: textId, text: 'base, edited' } });
    await alice.waitFor('messages.update', (us) =>
      us.some((u) => {
        const edited = u.update.message?.editedMessage?.message;
        return u.key.id === textId && (edited?.conversation ?? edited?.extendedTextMessage?.text) === 'base, edited';
      }),
    );
    await env.sim.send(BOB, { to: ALICE, delete: textId });
    await alice.waitFor('messages.update', (us) => us.some((u) => u.key.id === textId && u.update.message === null));
  });

  test('a poll vote from a client is decrypted in the poll creator’s inbox', async () => {
    const { id: pollId } = await env.sim.send(BOB, {
      to: ALICE,
      poll: { name: 'Pick', options: ['red', 'green', 'blue'], selectableCount: 1 },
    });
    const poll = await alice.waitForMessage((m) => m.key.id === pollId);
    const secret = poll.message!.messageContextInfo!.messageSecret!;
    const voterJid = pn(ALICE);
    const sign = Buffer.concat([
      Buffer.from(pollId),
      Buffer.from(pn(BOB)),
      Buffer.from(voterJid),
      Buffer.from('Poll Vote'),
      Buffer.from([1]),
    ]);
    const key = hmacSign(sign, hmacSign(secret, new Uint8Array(32)));
    const iv = randomBytes(12);
    const vote = proto.Message.PollVoteMessage.encode({ selectedOptions: [createHash('sha256').update('green').digest()] }).finish();
    const encPayload = aesEncryptGCM(vote, key, iv, Buffer.from(`${pollId}\u0000${voterJid}`));
    const voteId = await alice.sock.relayMessage(
      pn(BOB),
      {
        pollUpdateMessage: {
          pollCreationMessageKey: { remoteJid: pn(BOB), fromMe: false, id: pollId },
          vote: { encPayload, encIv: iv },
          senderTimestampMs: Date.now(),
        },
      },
      {},
    );
    const entry = await env.sim.waitForInbox(BOB, (e) => e.id === voteId);
    expect(entry).toMatchObject({ type: 'pollVote', pollVote: { targetId: pollId, selectedOptions: ['green'] } });
  });

  test('bad send requests are 400/404 errors, not crashes', async () => {
    await expect(env.sim.send(BOB, { to: ALICE })).rejects.toMatchObject({ status: 400 });
    await expect(env.sim.send(BOB, { to: ALICE, image: 42 } as never)).rejects.toMatchObject({ status: 400 });
    await expect(env.sim.send(BOB, { to: ALICE, location: { latitude: 'north' } } as never)).rejects.toMatchObject({ status: 400 });
    await expect(env.sim.send(BOB, { to: ALICE, poll: { name: 'x', options: 'a,b' } } as never)).rejects.toMatchObject({ status: 400 });
    await expect(env.sim.send(BOB, { to: '19990000000', text: 'x' })).rejects.toMatchObject({ status: 404 });
    await expect(env.sim.send(BOB, { to: ALICE, react: { id: 'nope', emoji: 'x' } })).rejects.toMatchObject({ status: 404 });
    await expect(env.sim.send('10000000000', { to: ALICE, text: 'x' })).rejects.toMatchObject({ status: 404 });
  });
});
