import { phoneJid, startConnectedWorld, storedMessage, type ConnectedWorld } from '../helpers/whatsapp';

jest.setTimeout(60_000);

const ME = '15550801001';
const ANA = '15550801002';
const BEN = '15550801003';
const NOBODY = '15550809999';
/** A 32x32 JPEG (Baileys resizes profile pictures before uploading them). */
const JPEG = Buffer.from(
  '/9j/2wBDABALDA4MChAODQ4SERATGCgaGBYWGDEjJR0oOjM9PDkzODdASFxOQERXRTc4UG1RV19iZ2hnPk1xeXBkeFxlZ2P/2wBDARESEhgVGC8aGi9jQjhCY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2P/wAARCAAgACADASIAAhEBAxEB/8QAFQABAQAAAAAAAAAAAAAAAAAAAAT/xAAUEAEAAAAAAAAAAAAAAAAAAAAA/8QAFgEBAQEAAAAAAAAAAAAAAAAAAAUG/8QAFBEBAAAAAAAAAAAAAAAAAAAAAP/aAAwDAQACEQMRAD8AjAahNAAAAAAf/9k=',
  'base64',
);

let world: ConnectedWorld;
let key: string;
const base = '/api/v1/sessions/me/contacts';

const contactRow = (jid: string) =>
  world.gateway.ctx.db
    .selectFrom('Contact')
    .selectAll()
    .where('sessionId', '=', world.sessionRowId)
    .where('jid', '=', jid)
    .executeTakeFirst();
const contactRows = () => world.gateway.ctx.db.selectFrom('Contact').selectAll().orderBy('id').execute();
/** The phone numbers an account blocked, as the simulator keeps them. */
const blockedBy = (phone: string) =>
  (world.sim.exportState().accounts as { phone: string; blocked: string[] }[]).find((account) => account.phone === phone)!.blocked;

beforeAll(async () => {
  world = await startConnectedWorld('contacts_e2e', { me: ME, contacts: { [ANA]: 'Ana', [BEN]: 'Ben' } });
  key = world.key;
});
afterAll(async () => {
  await world?.close();
});

describe('checking numbers', () => {
  it('says which numbers are on WhatsApp, with their JIDs, for a mixed list in one call', async () => {
    const before = await contactRows();
    const numbers = ['+1 555 080 1002', `${BEN}@s.whatsapp.net`, `+${NOBODY}`, '1 (555) 080-1002'];
    const res = await world.gateway.api.post(`${base}/check`, { key, body: { numbers } });
    expect(res.status).toBe(200);
    expect(res.body.results).toEqual([
      { input: numbers[0], phoneNumber: ANA, exists: true, jid: phoneJid(ANA), lid: world.sim.account(ANA).lid },
      { input: numbers[1], phoneNumber: BEN, exists: true, jid: phoneJid(BEN), lid: world.sim.account(BEN).lid },
      { input: numbers[2], phoneNumber: NOBODY, exists: false, jid: null, lid: null },
      { input: numbers[3], phoneNumber: ANA, exists: true, jid: phoneJid(ANA), lid: world.sim.account(ANA).lid },
    ]);
    expect(await contactRows()).toEqual(before);
  });

  it('checks 500 numbers at once', async () => {
    const numbers = Array.from({ length: 500 }, (_, i) => `+1555081${String(i).padStart(4, '0')}`);
    numbers[7] = ANA;
    const res = await world.gateway.api.post(`${base}/check`, { key, body: { numbers } });
    expect(res.status).toBe(200);
    expect(res.body.results).toHaveLength(500);
    expect(res.body.results.filter((r: { exists: boolean }) => r.exists).map((r: { jid: string }) => r.jid)).toEqual([phoneJid(ANA)]);
  });
});

describe('a contact’s profile', () => {
  it('reads the stored contact with about text and picture from WhatsApp, and stores what it learned', async () => {
    await world.sim.hostedSocket(ANA)!.updateProfileStatus('Out sailing');
    const res = await world.gateway.api.get(`${base}/${phoneJid(ANA)}`, { key });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      jid: phoneJid(ANA),
      onWhatsApp: true,
      about: { text: 'Out sailing' },
      businessProfile: null,
      profilePicUrl: null,
      isBlocked: false,
      metadata: expect.objectContaining({ lid: world.sim.account(ANA).lid, status: 'Out sailing' }),
    });
    expect(new Date(res.body.about.setAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(await contactRow(phoneJid(ANA))).toMatchObject({ profilePicUrl: null });
  });

  it('answers the profile picture URL, or 404 when there is none; Contact.profilePicUrl follows', async () => {
    const none = await world.gateway.api.get(`${base}/${ANA}/profile-picture`, { key });
    expect(none.status).toBe(404);

    await world.sim.hostedSocket(ANA)!.updateProfilePicture(phoneJid(ANA), JPEG);
    const preview = await world.gateway.api.get(`${base}/${ANA}/profile-picture`, { key });
    expect(preview.status).toBe(200);
    expect(preview.body.url).toMatch(new RegExp(`^https://127\\.0\\.0\\.1:${world.sim.mediaPort}/`));
    expect((await contactRow(phoneJid(ANA)))!.profilePicUrl).toBe(preview.body.url);
    const image = await world.gateway.api.get(`${base}/${phoneJid(ANA)}/profile-picture?type=image`, { key });
    expect(image.body.url).toMatch(/^https:\/\//);
    const served = Buffer.from(await (await fetch(image.body.url)).arrayBuffer());
    expect(served.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    const details = await world.gateway.api.get(`${base}/${ANA}`, { key });
    expect(details.body.profilePicUrl).toMatch(/^https:\/\//);

    await world.sim.hostedSocket(ANA)!.removeProfilePicture(phoneJid(ANA));
    const removed = await world.gateway.api.get(`${base}/${ANA}/profile-picture`, { key });
    expect(removed.status).toBe(404);
    expect((await contactRow(phoneJid(ANA)))!.profilePicUrl).toBeNull();
  });

  it('finds a contact by its LID', async () => {
    const res = await world.gateway.api.get(`${base}/${world.sim.account(ANA).lid}`, { key });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ jid: phoneJid(ANA), onWhatsApp: true, about: { text: 'Out sailing' } });
  });

  it('answers 404 for a number not on WhatsApp, and stores nothing', async () => {
    const before = await contactRows();
    for (const path of [`/${NOBODY}`, `/${NOBODY}/profile-picture`]) {
      const res = await world.gateway.api.get(`${base}${path}`, { key });
      expect(res.status).toBe(404);
    }
    const block = await world.gateway.api.post(`${base}/${NOBODY}/block`, { key });
    expect(block.status).toBe(404);
    expect(block.body.message).toContain('not on WhatsApp');
    expect(await contactRows()).toEqual(before);
  });
});

describe('blocking', () => {
  it('blocks and unblocks; the simulator’s block list and Contact.isBlocked follow, and blocked messages stop', async () => {
    const blocked = await world.gateway.api.post(`${base}/${BEN}/block`, { key });
    expect(blocked.status).toBe(200);
    expect(blocked.body).toMatchObject({ jid: phoneJid(BEN), isBlocked: true });
    expect(blockedBy(ME)).toEqual([BEN]);
    expect((await contactRow(phoneJid(BEN)))!.isBlocked).toBe(true);

    const { id: whileBlocked } = await world.sim.send(BEN, { to: ME, text: 'can you hear me?' });
    const unblocked = await world.gateway.api.post(`${base}/${phoneJid(BEN)}/unblock`, { key });
    expect(unblocked.body).toMatchObject({ jid: phoneJid(BEN), isBlocked: false });
    expect(blockedBy(ME)).toEqual([]);
    const { id: afterwards } = await world.sim.send(BEN, { to: ME, text: 'and now?' });
    await storedMessage(world.gateway, world.sessionRowId, afterwards);
    const lost = await world.gateway.ctx.db
      .selectFrom('Message')
      .select('messageId')
      .where('messageId', '=', whileBlocked)
      .executeTakeFirst();
    expect(lost).toBeUndefined();
  });

  it('blocks by LID too', async () => {
    const lid = world.sim.account(ANA).lid;
    const blocked = await world.gateway.api.post(`${base}/${lid}/block`, { key });
    expect(blocked.body).toMatchObject({ jid: phoneJid(ANA), isBlocked: true });
    expect(blockedBy(ME)).toEqual([ANA]);
    const unblocked = await world.gateway.api.post(`${base}/${lid}/unblock`, { key });
    expect(unblocked.body).toMatchObject({ jid: phoneJid(ANA), isBlocked: false });
    expect(blockedBy(ME)).toEqual([]);
  });
});

describe('refused requests change nothing', () => {
  let other: { key: string };

  beforeAll(async () => {
    other = await world.gateway.createUser('other@contacts.test');
    expect((await world.gateway.api.post('/api/v1/sessions', { key, body: { sessionId: 'idle' } })).status).toBe(201);
    expect((await world.gateway.api.patch('/api/v1/sessions/idle', { key, body: { isActive: false } })).body.status).toBe('DISCONNECTED');
    await world.gateway.ctx.manager.drained();
  });

  const tooMany = Array.from({ length: 501 }, (_, i) => `+1555082${String(i).padStart(4, '0')}`);
  const refused = (label: string, method: string, path: string, body: unknown, status: number, message?: string) => ({
    label,
    method,
    path,
    body,
    status,
    message,
  });
  const cases = [
    refused('check without numbers', 'POST', '/check', {}, 400),
    refused('check with an empty list', 'POST', '/check', { numbers: [] }, 400),
    refused('check with a string', 'POST', '/check', { numbers: ANA }, 400),
    refused('check with a number type', 'POST', '/check', { numbers: [15550801002] }, 400),
    refused('check with 501 numbers', 'POST', '/check', { numbers: tooMany }, 400),
    refused('check with an unknown field', 'POST', '/check', { numbers: [ANA], lids: true }, 400),
    refused('check with bad numbers', 'POST', '/check', { numbers: [ANA, 'call me', '0301234567'] }, 400, '"call me", "0301234567"'),
    refused('a word as contact', 'GET', '/somebody', undefined, 400),
    refused('a group as contact', 'GET', '/120363025246125888@g.us', undefined, 400, 'is a group'),
    refused('a picture of a group', 'GET', '/120363025246125888@g.us/profile-picture', undefined, 400),
    refused('a picture of an unknown size', 'GET', `/${ANA}/profile-picture?type=huge`, undefined, 400),
    refused('blocking a word', 'POST', '/nobody/block', undefined, 400),
    refused('blocking a group', 'POST', '/120363025246125888@g.us/block', undefined, 400),
  ];

  it.each(cases)('$label → $status', async ({ method, path, body, status, message }) => {
    const before = await contactRows();
    const res = await world.gateway.api.call(method, `${base}${path}`, { key, body });
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ statusCode: status, message: expect.any(String) });
    if (message) expect(res.body.message).toContain(message);
    expect(await contactRows()).toEqual(before);
    expect(blockedBy(ME)).toEqual([]);
  });

  it('lists every bad number in the details', async () => {
    const res = await world.gateway.api.post(`${base}/check`, { key, body: { numbers: ['x', ANA, '+12'] } });
    expect(res.status).toBe(400);
    expect(res.body.details).toEqual([
      expect.objectContaining({ index: 0, value: 'x' }),
      expect.objectContaining({ index: 2, value: '+12' }),
    ]);
  });

  it.each([
    ['POST', '/check', { numbers: [ANA] }],
    ['GET', `/${ANA}`, undefined],
    ['GET', `/${ANA}/profile-picture`, undefined],
    ['POST', `/${ANA}/block`, undefined],
    ['POST', `/${ANA}/unblock`, undefined],
  ])('another user’s session answers 404 to %s …%s; a disconnected one 409', async (method, path, body) => {
    const before = await contactRows();
    const foreign = await world.gateway.api.call(method, `${base}${path}`, { key: other.key, body });
    expect(foreign.status).toBe(404);
    expect(foreign.body.message).toBe('Session "me" not found');
    const idle = await world.gateway.api.call(method, `/api/v1/sessions/idle/contacts${path}`, { key, body });
    expect(idle.status).toBe(409);
    expect(await contactRows()).toEqual(before);
    expect(blockedBy(ME)).toEqual([]);
  });
});

it('documents every contact route with examples in OpenAPI', async () => {
  const doc = (await world.gateway.api.get('/docs/json')).body;
  const paths = Object.keys(doc.paths).filter((p: string) => p.includes('/contacts/'));
  expect(paths.sort()).toEqual(
    [
      '/api/v1/sessions/{sessionId}/contacts/check',
      '/api/v1/sessions/{sessionId}/contacts/{jid}',
      '/api/v1/sessions/{sessionId}/contacts/{jid}/block',
      '/api/v1/sessions/{sessionId}/contacts/{jid}/profile-picture',
      '/api/v1/sessions/{sessionId}/contacts/{jid}/unblock',
    ].sort(),
  );
  expect(JSON.stringify(doc.paths['/api/v1/sessions/{sessionId}/contacts/check'].post.requestBody)).toContain('+49 151 23456789');
});
