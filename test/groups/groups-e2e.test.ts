import type { BaileysEventMap } from '@whiskeysockets/baileys';
import { fromJson } from '../../server/src/db/json';
import { eventually } from '../helpers/eventually';
import { phoneJid, startConnectedWorld, type ConnectedWorld } from '../helpers/whatsapp';

jest.setTimeout(60_000);

const ME = '15550701001';
const ANA = '15550701002';
const BEN = '15550701003';
const CAL = '15550701004';
const DEE = '15550701005';
const NOBODY = '15550709999';

let world: ConnectedWorld;
let key: string;
const base = '/api/v1/sessions/me/groups';

type Seen = { event: keyof BaileysEventMap; data: any };
/** What each account's own device observed (the gateway's changes reach members as w:gp2 notifications). */
const seen = new Map<string, Seen[]>();
function observe(phone: string) {
  const log: Seen[] = [];
  seen.set(phone, log);
  const socket = world.sim.hostedSocket(phone)!;
  for (const event of ['groups.upsert', 'groups.update', 'group-participants.update'] as const) {
    socket.ev.on(event, (data: unknown) => log.push({ event, data }));
  }
}
const observed = async (phone: string, accept: (entry: Seen) => boolean, label: string): Promise<Seen> =>
  (await eventually(
    () => seen.get(phone)!.find(accept),
    (entry) => entry !== undefined,
    10_000,
    `${phone} to observe ${label}`,
  ))!;

const participantsOf = (group: { participants: { phoneJid?: string; jid: string; role: string }[] }) =>
  Object.fromEntries(group.participants.map((p) => [p.phoneJid ?? p.jid, p.role]));
const simMembers = (jid: string) => Object.fromEntries(world.sim.group(jid).participants.map((p) => [p.phone, p.role]));

const json = (value: unknown): any => fromJson(value);
const groupRow = (jid: string) =>
  world.gateway.ctx.db
    .selectFrom('Group')
    .selectAll()
    .where('sessionId', '=', world.sessionRowId)
    .where('jid', '=', jid)
    .executeTakeFirst();

beforeAll(async () => {
  world = await startConnectedWorld('groups_e2e', { me: ME, contacts: { [ANA]: 'Ana', [BEN]: 'Ben', [CAL]: 'Cal', [DEE]: 'Dee' } });
  key = world.key;
  for (const phone of [ANA, BEN, CAL]) observe(phone);
});
afterAll(async () => {
  await world?.close();
});

describe('a group made and run through the API', () => {
  let groupJid: string;

  it('creates a group with two members given as a phone number and a JID; both members see it', async () => {
    const created = await world.gateway.api.post(base, {
      key,
      body: { subject: 'Road trip', participants: ['+1 555 070 1002', phoneJid(BEN)] },
    });
    expect(created.status).toBe(201);
    groupJid = created.body.jid;
    expect(groupJid).toMatch(/^120363\d+@g\.us$/);
    expect(created.body).toMatchObject({ subject: 'Road trip', owner: phoneJid(ME), isMember: true });
    expect(participantsOf(created.body)).toEqual({ [phoneJid(ME)]: 'superadmin', [phoneJid(ANA)]: 'member', [phoneJid(BEN)]: 'member' });
    expect(simMembers(groupJid)).toEqual({ [ME]: 'superadmin', [ANA]: 'member', [BEN]: 'member' });

    for (const phone of [ANA, BEN]) {
      const upsert = await observed(
        phone,
        (e) => e.event === 'groups.upsert' && e.data.some((g: { id: string }) => g.id === groupJid),
        'the new group',
      );
      expect(upsert.data[0].subject).toBe('Road trip');
      expect((await world.sim.hostedSocket(phone)!.groupMetadata(groupJid)).subject).toBe('Road trip');
    }
    const chat = await world.gateway.ctx.db
      .selectFrom('Chat')
      .selectAll()
      .where('sessionId', '=', world.sessionRowId)
      .where('jid', '=', groupJid)
      .executeTakeFirst();
    expect(chat).toMatchObject({ name: 'Road trip', isGroup: true });
    const listed = await world.gateway.api.get(base, { key });
    expect(listed.body.data.find((g: { jid: string }) => g.jid === groupJid)).toMatchObject({ subject: 'Road trip', isMember: true });
  });

  it('changes subject, description and settings; members are told and the row follows', async () => {
    const patched = await world.gateway.api.patch(`${base}/${groupJid}`, {
      key,
      body: { subject: 'Road trip 2025', description: 'Bring snacks', announcement: true, locked: true },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      subject: 'Road trip 2025',
      description: 'Bring snacks',
      settings: { announce: true, restrict: true },
    });
    expect(world.sim.group(groupJid)).toMatchObject({
      subject: 'Road trip 2025',
      description: 'Bring snacks',
      announce: true,
      restrict: true,
    });
    await observed(
      ANA,
      (e) => e.event === 'groups.update' && e.data.some((g: any) => g.id === groupJid && g.subject === 'Road trip 2025'),
      'the subject',
    );
    await observed(
      ANA,
      (e) => e.event === 'groups.update' && e.data.some((g: any) => g.id === groupJid && g.desc === 'Bring snacks'),
      'the description',
    );
    await observed(
      BEN,
      (e) => e.event === 'groups.update' && e.data.some((g: any) => g.id === groupJid && g.announce === true),
      'announcement',
    );
    await observed(BEN, (e) => e.event === 'groups.update' && e.data.some((g: any) => g.id === groupJid && g.restrict === true), 'locked');

    const row = await groupRow(groupJid);
    expect(row).toMatchObject({ subject: 'Road trip 2025', description: 'Bring snacks' });

    const reopened = await world.gateway.api.patch(`${base}/${groupJid}`, { key, body: { description: null, announcement: false } });
    expect(reopened.status).toBe(200);
    expect(reopened.body).toMatchObject({ description: null, settings: { announce: false, restrict: true } });
    expect(world.sim.group(groupJid)).toMatchObject({ description: undefined, announce: false, restrict: true });
  });

  it('adds, promotes, demotes and removes participants with WhatsApp’s answer for each', async () => {
    const added = await world.gateway.api.post(`${base}/${groupJid}/participants`, {
      key,
      body: { action: 'add', participants: [CAL, `+${NOBODY}`, ANA] },
    });
    expect(added.status).toBe(200);
    expect(added.body.results).toEqual([
      { jid: phoneJid(CAL), status: 200 },
      { jid: phoneJid(NOBODY), status: 404, error: 'Not on WhatsApp' },
      { jid: phoneJid(ANA), status: 409, error: 'Already a participant' },
    ]);
    expect(participantsOf(added.body.group)[phoneJid(CAL)]).toBe('member');
    expect(simMembers(groupJid)[CAL]).toBe('member');
    await observed(
      ANA,
      (e) =>
        e.event === 'group-participants.update' &&
        e.data.action === 'add' &&
        e.data.participants.some((p: any) => p.phoneNumber === phoneJid(CAL)),
      'Cal added',
    );
    expect((await world.sim.hostedSocket(CAL)!.groupMetadata(groupJid)).subject).toBe('Road trip 2025');

    const promoted = await world.gateway.api.post(`${base}/${groupJid}/participants`, {
      key,
      body: { action: 'promote', participants: [phoneJid(CAL)] },
    });
    expect(promoted.body.results).toEqual([{ jid: phoneJid(CAL), status: 200 }]);
    expect(participantsOf(promoted.body.group)[phoneJid(CAL)]).toBe('admin');
    await observed(ANA, (e) => e.event === 'group-participants.update' && e.data.action === 'promote', 'the promotion');
    const anaView = await world.sim.hostedSocket(ANA)!.groupMetadata(groupJid);
    expect(anaView.participants.find((p) => p.phoneNumber === phoneJid(CAL))?.admin).toBe('admin');

    const demoted = await world.gateway.api.post(`${base}/${groupJid}/participants`, {
      key,
      body: { action: 'demote', participants: [CAL] },
    });
    expect(demoted.body.results).toEqual([{ jid: phoneJid(CAL), status: 200 }]);
    expect(participantsOf(demoted.body.group)[phoneJid(CAL)]).toBe('member');
    expect(simMembers(groupJid)[CAL]).toBe('member');

    const removed = await world.gateway.api.post(`${base}/${groupJid}/participants`, {
      key,
      body: { action: 'remove', participants: [BEN, DEE] },
    });
    expect(removed.body.results).toEqual([
      { jid: phoneJid(BEN), status: 200 },
      { jid: phoneJid(DEE), status: 404, error: 'Not a participant of this group' },
    ]);
    expect(participantsOf(removed.body.group)).toEqual({
      [phoneJid(ME)]: 'superadmin',
      [phoneJid(ANA)]: 'member',
      [phoneJid(CAL)]: 'member',
    });
    expect(simMembers(groupJid)).toEqual({ [ME]: 'superadmin', [ANA]: 'member', [CAL]: 'member' });
    await observed(BEN, (e) => e.event === 'group-participants.update' && e.data.action === 'remove', 'his removal');
    const row = await groupRow(groupJid);
    expect(JSON.stringify(row!.participants)).not.toContain(BEN);

    const events = await world.gateway.ctx.db.selectFrom('Group').select('metadata').where('jid', '=', groupJid).executeTakeFirstOrThrow();
    expect(json(events.metadata).size).toBe(3);
  });

  it('gives the invite code and link; a revoked code stops working, the new one works', async () => {
    const got = await world.gateway.api.get(`${base}/${groupJid}/invite-code`, { key });
    expect(got.status).toBe(200);
    expect(got.body).toEqual({
      code: world.sim.group(groupJid).inviteCode,
      url: `https://chat.whatsapp.com/${world.sim.group(groupJid).inviteCode}`,
    });
    const old = got.body.code;

    const revoked = await world.gateway.api.post(`${base}/${groupJid}/invite-code/revoke`, { key });
    expect(revoked.status).toBe(200);
    expect(revoked.body.code).not.toBe(old);
    expect(revoked.body.code).toBe(world.sim.group(groupJid).inviteCode);
    expect(json((await groupRow(groupJid))!.metadata).inviteCode).toBe(revoked.body.code);

    await expect(world.sim.joinGroup(BEN, old)).rejects.toBeDefined();
    expect(simMembers(groupJid)[BEN]).toBeUndefined();
    await world.sim.joinGroup(BEN, revoked.body.code);
    expect(simMembers(groupJid)[BEN]).toBe('member');
    const row = await eventually(
      () => groupRow(groupJid),
      (r) => JSON.stringify(r!.participants).includes(BEN),
      10_000,
      'Ben back in the row',
    );
    expect(row).toBeDefined();
  });

  it('leaves: WhatsApp no longer lists us, members are told, the row stays with isMember false', async () => {
    const left = await world.gateway.api.post(`${base}/${groupJid}/leave`, { key });
    expect(left.status).toBe(200);
    expect(left.body).toMatchObject({ groupJid, group: { jid: groupJid, isMember: false } });
    expect(simMembers(groupJid)[ME]).toBeUndefined();
    await observed(
      ANA,
      (e) =>
        e.event === 'group-participants.update' &&
        e.data.action === 'remove' &&
        e.data.participants.some((p: any) => p.phoneNumber === phoneJid(ME)),
      'our leaving',
    );
    const cached = await world.gateway.api.get(`${base}/${groupJid}?cached=true`, { key });
    expect(cached.body).toMatchObject({ subject: 'Road trip 2025', isMember: false });
    expect(Object.keys(participantsOf(cached.body))).not.toContain(phoneJid(ME));
    const live = await world.gateway.api.get(`${base}/${groupJid}`, { key });
    expect(live.status).toBe(422);
    expect(live.body.message).toContain('not-authorized');
  });
});

describe('groups other accounts made', () => {
  let clubJid: string;

  it('joins by an invite link to a group another account created', async () => {
    const club = await world.sim.createGroup(ANA, 'Book club', [CAL]);
    clubJid = club.id;
    const code = await world.sim.groupInviteCode(ANA, clubJid);
    const joined = await world.gateway.api.post(`${base}/join`, { key, body: { code: `https://chat.whatsapp.com/${code}` } });
    expect(joined.status).toBe(200);
    expect(joined.body).toMatchObject({ groupJid: clubJid, group: { subject: 'Book club', isMember: true } });
    expect(simMembers(clubJid)).toEqual({ [ANA]: 'superadmin', [CAL]: 'member', [ME]: 'member' });
    expect(participantsOf(joined.body.group)).toEqual({
      [phoneJid(ANA)]: 'superadmin',
      [phoneJid(CAL)]: 'member',
      [phoneJid(ME)]: 'member',
    });
  });

  it('refresh=true stores groups missing from the table and marks those WhatsApp no longer lists', async () => {
    const surprise = await world.sim.createGroup(DEE, 'Surprise party', [ME, ANA]);
    await eventually(
      () => groupRow(surprise.id),
      (row) => row !== undefined,
      10_000,
      'the live notification',
    );
    // Forget it, and pretend we still were in the group we left: only WhatsApp's list can set both right.
    await world.gateway.ctx.db.deleteFrom('Group').where('sessionId', '=', world.sessionRowId).where('jid', '=', surprise.id).execute();
    const left = await world.gateway.ctx.db
      .selectFrom('Group')
      .selectAll()
      .where('sessionId', '=', world.sessionRowId)
      .where('subject', '=', 'Road trip 2025')
      .executeTakeFirstOrThrow();
    const stale = [...json(left.participants), { jid: phoneJid(ME), phoneJid: phoneJid(ME), role: 'superadmin' }];
    await world.gateway.ctx.db
      .updateTable('Group')
      .set({ participants: JSON.stringify(stale) })
      .where('id', '=', left.id)
      .execute();
    expect((await world.gateway.api.get(`${base}/${left.jid}?cached=true`, { key })).body.isMember).toBe(true);

    const plain = await world.gateway.api.get(base, { key });
    expect(plain.body.data.map((g: { jid: string }) => g.jid)).not.toContain(surprise.id);
    const refreshed = await world.gateway.api.get(`${base}?refresh=true`, { key });
    expect(refreshed.status).toBe(200);
    const byJid = Object.fromEntries(refreshed.body.data.map((g: { jid: string }) => [g.jid, g]));
    expect(byJid[surprise.id]).toMatchObject({ subject: 'Surprise party', owner: phoneJid(DEE), isMember: true });
    expect(participantsOf(byJid[surprise.id])).toEqual({
      [phoneJid(DEE)]: 'superadmin',
      [phoneJid(ME)]: 'member',
      [phoneJid(ANA)]: 'member',
    });
    expect(byJid[clubJid]).toMatchObject({ subject: 'Book club', isMember: true });
    expect(byJid[left.jid]).toMatchObject({ isMember: false });
  });

  it('reads a group live from WhatsApp and refreshes its row', async () => {
    await world.sim.groupUpdate(ANA, clubJid, { description: 'Monthly, on Fridays' });
    const live = await world.gateway.api.get(`${base}/${clubJid.split('@')[0]}`, { key });
    expect(live.status).toBe(200);
    expect(live.body).toMatchObject({ jid: clubJid, subject: 'Book club', description: 'Monthly, on Fridays', isMember: true });
    expect((await groupRow(clubJid))!.description).toBe('Monthly, on Fridays');
  });
});
