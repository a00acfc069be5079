import { proto } from '@whiskeysockets/baileys';
import type { BaileysEventMap, GroupMetadata, WAMessage } from '@whiskeysockets/baileys';
import type { TestClient } from './client';
import { useSimulator, waitUntil } from './fixtures';

const ADMIN = '15550003001';
const BEA = '15550003002';
const CY = '15550003003';
const DAN = '15550003004';
const pn = (phone: string) => `${phone}@s.whatsapp.net`;
const textOf = (m: WAMessage) => m.message?.conversation ?? m.message?.extendedTextMessage?.text;

type ParticipantsUpdate = BaileysEventMap['group-participants.update'];

describe('groups', () => {
  const env = useSimulator();
  let admin: TestClient;
  let bea: TestClient;
  let group: GroupMetadata;

  const participantUpdate = (client: TestClient, action: string, phone: string) =>
    client.waitFor(
      'group-participants.update',
      (u: ParticipantsUpdate) =>
        u.id === group.id &&
        u.action === action &&
        u.participants.some((p) => p.phoneNumber === pn(phone) || p.id === env.sim.account(phone).lid),
    );

  beforeAll(async () => {
    await Promise.all([ADMIN, BEA, CY, DAN].map((phone, i) => env.sim.createAccount(phone, ['Ada', 'Bea', 'Cy', 'Dan'][i])));
    [admin, bea] = await Promise.all([env.link(ADMIN), env.link(BEA)]);
  });

  test('create: metadata comes back LID-addressed and members get a w:gp2 create notification', async () => {
    group = await admin.sock.groupCreate('Sim group', [pn(BEA), pn(CY)]);
    expect(group).toMatchObject({ subject: 'Sim group', addressingMode: 'lid', owner: env.sim.account(ADMIN).lid, size: 3 });
    expect(group.id).toMatch(/^120363\d{12}@g\.us$/);
    const roles = Object.fromEntries(group.participants.map((p) => [p.phoneNumber, p.admin]));
    expect(roles).toEqual({ [pn(ADMIN)]: 'superadmin', [pn(BEA)]: null, [pn(CY)]: null });
    const upsert = await bea.waitFor('groups.upsert', (groups) => groups.some((g) => g.id === group.id));
    expect(upsert.find((g) => g.id === group.id)?.subject).toBe('Sim group');
  });

  test('metadata and participating list', async () => {
    const meta = await bea.sock.groupMetadata(group.id);
    expect(meta.participants.map((p) => p.phoneNumber).sort()).toEqual([pn(ADMIN), pn(BEA), pn(CY)].sort());
    const all = await bea.sock.groupFetchAllParticipating();
    expect(Object.keys(all)).toContain(group.id);
    await expect(env.sim.hostedSocket(DAN)!.groupMetadata(group.id)).rejects.toThrow();
  });

  test('group messages use sender keys and reach every member device, including the sender’s other device', async () => {
    const relayed = new Map<string, string[]>();
    env.sim.serverEvents.on('message-relayed', (m: { id: string; encTypes: string[] }) => relayed.set(m.id, m.encTypes));
    const first = (await admin.sock.sendMessage(group.id, { text: 'hello group' }))!;
    const [atBea, atCy, ownCopy] = await Promise.all([
      bea.waitForMessage((m) => m.key.id === first.key.id),
      env.sim.waitForInbox(CY, (e) => e.id === first.key.id),
      env.sim.waitForInbox(ADMIN, (e) => e.id === first.key.id),
    ]);
    expect(textOf(atBea)).toBe('hello group');
    expect(atBea.key).toMatchObject({ remoteJid: group.id, participant: env.sim.account(ADMIN).lid, participantAlt: pn(ADMIN) });
    expect(atCy).toMatchObject({ chat: group.id, from: pn(ADMIN), text: 'hello group' });
    expect(ownCopy.fromMe).toBe(true);
    const second = (await admin.sock.sendMessage(group.id, { text: 'second one' }))!;
    expect(textOf(await bea.waitForMessage((m) => m.key.id === second.key.id))).toBe('second one');
    // the first message distributes the sender key (pkmsg per device), later ones are one skmsg
    expect(relayed.get(first.key.id!)).toEqual(expect.arrayContaining(['skmsg', 'pkmsg']));
    expect(relayed.get(second.key.id!)).toEqual(['skmsg']);
    const fromCy = await env.sim.send(CY, { to: group.id, text: 'hi from cy' });
    const [a, b] = await Promise.all([
      admin.waitForMessage((m) => m.key.id === fromCy.id),
      bea.waitForMessage((m) => m.key.id === fromCy.id),
    ]);
    expect([textOf(a), textOf(b)]).toEqual(['hi from cy', 'hi from cy']);
  });

  test('group read receipts reach the sender with the reader as participant', async () => {
    const sent = (await admin.sock.sendMessage(group.id, { text: 'read me' }))!;
    const received = await bea.waitForMessage((m) => m.key.id === sent.key.id);
    await bea.sock.readMessages([received.key]);
    const beaLid = env.sim.account(BEA).lid;
    await admin.waitForCondition(() => admin.receiptsOf(sent.key.id!).some((r) => r.userJid === beaLid && r.read), 5000, 'read receipt');
    expect(admin.receiptsOf(sent.key.id!).map((r) => r.userJid)).toContain(env.sim.account(CY).lid);
  });

  test('add, promote, demote and remove notify members', async () => {
    const added = participantUpdate(bea, 'add', DAN);
    const [result] = await admin.sock.groupParticipantsUpdate(group.id, [pn(DAN)], 'add');
    expect(result!.status).toBe('200');
    await added;
    const again = await admin.sock.groupParticipantsUpdate(group.id, [pn(DAN)], 'add');
    expect(again[0]!.status).toBe('409');
    const promoted = participantUpdate(bea, 'promote', BEA);
    await admin.sock.groupParticipantsUpdate(group.id, [pn(BEA)], 'promote');
    await promoted;
    expect((await bea.sock.groupMetadata(group.id)).participants.find((p) => p.phoneNumber === pn(BEA))?.admin).toBe('admin');
    const demoted = participantUpdate(bea, 'demote', BEA);
    await admin.sock.groupParticipantsUpdate(group.id, [pn(BEA)], 'demote');
    await demoted;
    const removed = participantUpdate(bea, 'remove', CY);
    await admin.sock.groupParticipantsUpdate(group.id, [pn(CY)], 'remove');
    await removed;
    expect(env.sim.group(group.id).participants.map((p) => p.phone)).not.toContain(CY);
    await expect(bea.sock.groupParticipantsUpdate(group.id, [pn(ADMIN)], 'remove')).rejects.toThrow();
  });

  test('a removed member no longer gets group messages', async () => {
    const sent = (await admin.sock.sendMessage(group.id, { text: 'not for cy' }))!;
    await bea.waitForMessage((m) => m.key.id === sent.key.id);
    await env.sim.waitForInbox(DAN, (e) => e.id === sent.key.id);
    expect(env.sim.inbox(CY).some((e) => e.id === sent.key.id)).toBe(false);
  });

  test('subject, description, announcement and locked settings', async () => {
    const subject = bea.waitFor('groups.update', (updates) => updates.some((u) => u.id === group.id && u.subject === 'Renamed'));
    await admin.sock.groupUpdateSubject(group.id, 'Renamed');
    await subject;
    const description = bea.waitFor('groups.update', (updates) => updates.some((u) => u.id === group.id && u.desc === 'About us'));
    await admin.sock.groupUpdateDescription(group.id, 'About us');
    await description;
    expect((await bea.sock.groupMetadata(group.id)).desc).toBe('About us');

    const announce = bea.waitFor('groups.update', (updates) => updates.some((u) => u.id === group.id && u.announce === true));
    await admin.sock.groupSettingUpdate(group.id, 'announcement');
    await announce;
    const refused = (await bea.sock.sendMessage(group.id, { text: 'may I?' }))!;
    await bea.waitForStatus(refused.key.id!, proto.WebMessageInfo.Status.ERROR);
    await admin.sock.groupSettingUpdate(group.id, 'not_announcement');

    const locked = bea.waitFor('groups.update', (updates) => updates.some((u) => u.id === group.id && u.restrict === true));
    await admin.sock.groupSettingUpdate(group.id, 'locked');
    await locked;
    await expect(bea.sock.groupUpdateSubject(group.id, 'by a member')).rejects.toThrow();
    await admin.sock.groupSettingUpdate(group.id, 'unlocked');
    await bea.sock.groupUpdateSubject(group.id, 'by a member');
    expect(env.sim.group(group.id).subject).toBe('by a member');
  });

  test('invite codes: get, revoke, accept', async () => {
    const code = await admin.sock.groupInviteCode(group.id);
    const revoked = await admin.sock.groupRevokeInvite(group.id);
    expect(revoked).not.toBe(code);
    await expect(env.sim.joinGroup(CY, code!)).rejects.toThrow();
    const joined = participantUpdate(bea, 'add', CY);
    expect(await env.sim.joinGroup(CY, revoked!)).toBe(group.id);
    await joined;
    expect(env.sim.group(group.id).participants.map((p) => p.phone)).toContain(CY);
  });

  test('leave: the others see the member go', async () => {
    const left = participantUpdate(admin, 'remove', DAN);
    await env.sim.leaveGroup(DAN, group.id);
    await left;
    await waitUntil(() => !env.sim.group(group.id).participants.some((p) => p.phone === DAN), 1000, 'dan gone');
  });
});
