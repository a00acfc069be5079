import { randomBytes } from 'node:crypto';
import { eventually } from '../helpers/eventually';
import { phoneJid, startConnectedWorld, type ConnectedWorld } from '../helpers/whatsapp';
import { json, messageHelpers } from './message-world';

jest.setTimeout(120_000);

const ME = '15550610001';
const ALICE = '15550610002';
const BOB = '15550610003';

let world: ConnectedWorld;
const { api, row, rowWhere, received, sent, inbox } = messageHelpers(() => world);

beforeAll(async () => {
  world = await startConnectedWorld('message_identity', { me: ME, contacts: { [ALICE]: 'Alice', [BOB]: 'Bob' } });
});
afterAll(async () => {
  await world?.close();
});

const textOf = (content: unknown) => {
  const parsed = json(content);
  return parsed.conversation ?? parsed.extendedTextMessage?.text;
};
const freshId = () => `3EB0${randomBytes(8).toString('hex').toUpperCase()}`;

/** The session's conflict count, once it reaches `count`: proof the gateway has handled what was sent so far. */
const conflictsReach = (count: number) =>
  eventually(
    async () => (await api().get('/api/v1/sessions/me', { key: world.key })).body.conflictingMessages,
    (value) => value === count,
    10_000,
    `${count} conflicting messages`,
  );
let conflicts = 0;

const conflictRows = (messageId: string) =>
  world.gateway.ctx.db
    .selectFrom('MessageConflict')
    .selectAll()
    .where('sessionId', '=', world.sessionRowId)
    .where('messageId', '=', messageId)
    .execute();

describe('a message id another chat already holds', () => {
  it('keeps the stored message, sets the newcomer aside and counts it', async () => {
    const id = freshId();
    await received(ALICE, { to: ME, text: 'from Alice', messageId: id });
    await world.sim.send(BOB, { to: ME, text: 'from Bob, same id', messageId: id });
    await conflictsReach(++conflicts);

    const stored = (await row(id))!;
    expect({ chatId: stored.chatId, fromJid: stored.fromJid, text: textOf(stored.content) }).toEqual({
      chatId: phoneJid(ALICE),
      fromJid: phoneJid(ALICE),
      text: 'from Alice',
    });
    const [aside, ...more] = await conflictRows(id);
    expect(more).toEqual([]);
    expect({ kind: aside!.kind, chatId: aside!.chatId, fromMe: aside!.fromMe, text: textOf(aside!.content) }).toEqual({
      kind: 'MESSAGE',
      chatId: phoneJid(BOB),
      fromMe: false,
      text: 'from Bob, same id',
    });
  });
});

describe('edits and revokes in a group', () => {
  let group: string;

  beforeAll(async () => {
    group = (await world.sim.createGroup(ALICE, 'Hardening', [ME, BOB])).id;
    await eventually(
      () => world.gateway.ctx.db.selectFrom('Group').select('participants').where('jid', '=', group).executeTakeFirst(),
      (stored) => (json(stored?.participants ?? null) as unknown as unknown[] | null)?.length === 3,
      10_000,
      'the group stored with its participants',
    );
  });

  it('ignores and counts an edit of Alice\u2019s message by Bob; Alice\u2019s own edit applies', async () => {
    const id = await received(ALICE, { to: group, text: 'meet at 8' });
    await world.sim.waitForInbox(BOB, (entry) => entry.id === id, 10_000);
    await world.sim.send(BOB, { to: group, edit: { id, text: 'meeting cancelled' } });
    await conflictsReach(++conflicts);
    expect(textOf((await row(id))!.content)).toBe('meet at 8');
    expect((await conflictRows(id)).map(({ kind, fromJid, chatId }) => ({ kind, fromJid, chatId }))).toEqual([
      { kind: 'EDIT', fromJid: phoneJid(BOB), chatId: group },
    ]);

    await world.sim.send(ALICE, { to: group, edit: { id, text: 'meet at 9' } });
    await rowWhere(id, (stored) => textOf(stored.content) === 'meet at 9', 'edited by its author');
  });

  it('ignores and counts a revoke by a member who neither wrote the message nor is an admin; an admin\u2019s revoke applies', async () => {
    const alices = await received(ALICE, { to: group, text: 'keep this' });
    const bobs = await received(BOB, { to: group, text: 'off topic' });
    await world.sim.waitForInbox(BOB, (entry) => entry.id === alices, 10_000);
    await world.sim.waitForInbox(ALICE, (entry) => entry.id === bobs, 10_000);

    await world.sim.send(BOB, { to: group, delete: alices });
    await conflictsReach(++conflicts);
    expect(json((await row(alices))!.metadata).revoked).toBeUndefined();

    await world.sim.send(ALICE, { to: group, delete: bobs });
    const revoked = await rowWhere(bobs, (stored) => json(stored.metadata).revoked === true, 'revoked by the group admin');
    expect(json(revoked.metadata).revokedBy).toBe(phoneJid(ALICE));
  });

  it('lets an admin revoke this session\u2019s message, and no other member', async () => {
    const mine = await sent({ to: group, type: 'text', text: 'my announcement' });
    await world.sim.waitForInbox(BOB, (entry) => entry.id === mine, 10_000);
    await world.sim.waitForInbox(ALICE, (entry) => entry.id === mine, 10_000);

    await world.sim.send(BOB, { to: group, delete: mine });
    await conflictsReach(++conflicts);
    expect(json((await row(mine))!.metadata).revoked).toBeUndefined();

    await world.sim.send(ALICE, { to: group, delete: mine });
    const revoked = await rowWhere(mine, (stored) => json(stored.metadata).revoked === true, 'revoked by the group admin');
    expect({ fromMe: revoked.fromMe, revokedBy: json(revoked.metadata).revokedBy }).toEqual({ fromMe: true, revokedBy: phoneJid(ALICE) });
  });
});

describe('retry receipts', () => {
  it('send a stored message again only to the chat it was sent in', async () => {
    const gatewayDevice = world.sim.account(ME).devices.find((device) => !device.hosted)!.jid;
    const forAlice = await sent({ to: ALICE, type: 'text', text: 'for Alice only' });
    const forBob = await sent({ to: BOB, type: 'text', text: 'for Bob' });
    await inbox(ALICE, (entry) => entry.id === forAlice);
    await inbox(BOB, (entry) => entry.id === forBob);
    const relayed: { id: string; to: string }[] = [];
    const listener = ({ id, to }: { id: string; to: string }) => relayed.push({ id, to });
    world.sim.serverEvents.on('message-relayed', listener);
    try {
      await world.sim.retryReceipt(BOB, gatewayDevice, forAlice);
      // Baileys answers retry receipts one after the other: once Bob's own message went again, the first was handled.
      await world.sim.retryReceipt(BOB, gatewayDevice, forBob);
      await eventually(
        () => relayed,
        (list) => list.some(({ id }) => id === forBob),
        10_000,
        "Bob's message sent again",
      );
      expect(relayed.filter(({ id }) => id === forAlice)).toEqual([]);
    } finally {
      world.sim.serverEvents.off('message-relayed', listener);
    }
  });
});
