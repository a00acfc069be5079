import { eventually } from '../helpers/eventually';
import { phoneJid, startConnectedWorld, type ConnectedWorld } from '../helpers/whatsapp';

jest.setTimeout(60_000);

/*
 * Every group route refusing bad input, other users and disconnected sessions, and WhatsApp refusing what
 * a mere member may not do: clear 4xx answers, and nothing stored or changed on WhatsApp.
 */

const ME = '15550702001';
const ANA = '15550702002';
const CAL = '15550702003';
const DEE = '15550702004';
const UNKNOWN_GROUP = '120363999999999998@g.us';

let world: ConnectedWorld;
let key: string;
let other: { key: string };
/** A group Ana made, where we are a plain member. */
let clubJid: string;
const base = '/api/v1/sessions/me/groups';

/** Everything group routes may write, here and on WhatsApp. */
const snapshot = async () => ({
  groups: await world.gateway.ctx.db.selectFrom('Group').selectAll().orderBy('id').execute(),
  chats: await world.gateway.ctx.db.selectFrom('Chat').select(['id', 'jid', 'name']).orderBy('id').execute(),
  sim: world.sim.groups(),
});

beforeAll(async () => {
  world = await startConnectedWorld('group_refusals', { me: ME, contacts: { [ANA]: 'Ana', [CAL]: 'Cal', [DEE]: 'Dee' } });
  key = world.key;
  other = await world.gateway.createUser('other@groups.test');
  clubJid = (await world.sim.createGroup(ANA, 'Book club', [ME, CAL])).id;
  await eventually(
    () => world.gateway.api.get(`${base}/${clubJid}?cached=true`, { key }),
    (res) => res.status === 200,
    10_000,
    'the club stored from the live notification',
  );
  expect((await world.gateway.api.post('/api/v1/sessions', { key, body: { sessionId: 'idle' } })).status).toBe(201);
  expect((await world.gateway.api.patch('/api/v1/sessions/idle', { key, body: { isActive: false } })).body.status).toBe('DISCONNECTED');
  await world.gateway.ctx.manager.drained();
});
afterAll(async () => {
  await world?.close();
});

it('refuses, as a whole, changes only admins may make; a member may still rename an unlocked group', async () => {
  const before = await snapshot();
  const refused = await world.gateway.api.patch(`${base}/${clubJid}`, { key, body: { subject: 'Our club', announcement: true } });
  expect(refused.status).toBe(422);
  expect(refused.body.message).toBe('Only group admins can change its settings');
  const invite = await world.gateway.api.get(`${base}/${clubJid}/invite-code`, { key });
  expect(invite.status).toBe(422);
  expect(invite.body.message).toContain('not-authorized');
  const promote = await world.gateway.api.post(`${base}/${clubJid}/participants`, {
    key,
    body: { action: 'promote', participants: [CAL] },
  });
  expect(promote.status).toBe(422);
  expect(await snapshot()).toEqual(before);

  await world.sim.groupUpdate(ANA, clubJid, { setting: 'locked' });
  const locked = await world.gateway.api.patch(`${base}/${clubJid}`, { key, body: { subject: 'Our club' } });
  expect(locked.status).toBe(422);
  expect(locked.body.message).toBe('Only group admins can edit this group’s info (it is locked)');
  expect(world.sim.group(clubJid).subject).toBe('Book club');
  await world.sim.groupUpdate(ANA, clubJid, { setting: 'unlocked' });
  const renamed = await world.gateway.api.patch(`${base}/${clubJid}`, { key, body: { subject: 'Our club' } });
  expect(renamed.status).toBe(200);
  expect(renamed.body).toMatchObject({ subject: 'Our club', isMember: true, settings: { restrict: false } });
  expect(world.sim.group(clubJid).subject).toBe('Our club');
  await world.gateway.ctx.manager.drained();
});

describe('refused requests change nothing', () => {
  const refused = (label: string, method: string, path: string, body: unknown, status: number, message?: string) => ({
    label,
    method,
    path,
    body,
    status,
    message,
  });
  const cases = [
    refused('create without subject', 'POST', '', { participants: [ANA] }, 400),
    refused('create with no participants', 'POST', '', { subject: 'x', participants: [] }, 400),
    refused('create with participants as a string', 'POST', '', { subject: 'x', participants: ANA }, 400),
    refused('create with a number subject', 'POST', '', { subject: 42, participants: [ANA] }, 400),
    refused('create with an unknown field', 'POST', '', { subject: 'x', participants: [ANA], picture: 'y' }, 400),
    refused('create with a 101-character subject', 'POST', '', { subject: 'x'.repeat(101), participants: [ANA] }, 400),
    refused(
      'create with bad participants',
      'POST',
      '',
      { subject: 'x', participants: [ANA, 'not a number', '12345'] },
      400,
      '2 participants are not phone numbers or user JIDs: "not a number", "12345"',
    ),
    refused('create with a group as participant', 'POST', '', { subject: 'x', participants: [UNKNOWN_GROUP] }, 400, 'is a group'),
    refused('create with only ourselves', 'POST', '', { subject: 'x', participants: [ME] }, 400, 'besides this session'),
    refused('a non-group JID in the path', 'GET', `/${phoneJid(ANA)}`, undefined, 400),
    refused('a word in the path', 'GET', '/road-trip', undefined, 400),
    refused('an unknown group', 'GET', `/${UNKNOWN_GROUP}`, undefined, 404, 'WhatsApp knows no group'),
    refused('an unknown group from storage', 'GET', `/${UNKNOWN_GROUP}?cached=true`, undefined, 404),
    refused('refresh that is not a boolean', 'GET', '?refresh=maybe', undefined, 400),
    refused('an empty change', 'PATCH', `/{club}`, {}, 400),
    refused('announcement as text', 'PATCH', `/{club}`, { announcement: 'yes' }, 400),
    refused('an empty subject', 'PATCH', `/{club}`, { subject: '' }, 400),
    refused('a change to an unknown group', 'PATCH', `/${UNKNOWN_GROUP}`, { subject: 'x' }, 404),
    refused('an unknown participant action', 'POST', `/{club}/participants`, { action: 'kick', participants: [ANA] }, 400),
    refused('no participants to change', 'POST', `/{club}/participants`, { action: 'add', participants: [] }, 400),
    refused('a bad participant to change', 'POST', `/{club}/participants`, { action: 'remove', participants: ['abc'] }, 400),
    refused('participants of an unknown group', 'POST', `/${UNKNOWN_GROUP}/participants`, { action: 'add', participants: [ANA] }, 404),
    refused('the invite code of an unknown group', 'GET', `/${UNKNOWN_GROUP}/invite-code`, undefined, 404),
    refused('revoking for a non-group JID', 'POST', `/${phoneJid(ANA)}/invite-code/revoke`, undefined, 400),
    refused('joining with something that is no code', 'POST', '/join', { code: 'not a code!' }, 400),
    refused('joining without a code', 'POST', '/join', {}, 400),
    refused('joining with an unknown code', 'POST', '/join', { code: 'AAAAAAAAAAAAAAAAAAAAAA' }, 422, 'not-acceptable'),
  ];

  it.each(cases)('$label → $status', async ({ method, path, body, status, message }) => {
    const before = await snapshot();
    const res = await world.gateway.api.call(method, `${base}${path.replace('{club}', clubJid)}`, { key, body });
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ statusCode: status, message: expect.any(String) });
    if (message) expect(res.body.message).toContain(message);
    expect(await snapshot()).toEqual(before);
  });

  it('lists every bad participant in the details', async () => {
    const res = await world.gateway.api.post(base, { key, body: { subject: 'x', participants: [ANA, 'nope', CAL, '12345'] } });
    expect(res.status).toBe(400);
    expect(res.body.details).toEqual([
      expect.objectContaining({ index: 1, value: 'nope' }),
      expect.objectContaining({ index: 3, value: '12345' }),
    ]);
  });

  it.each([
    ['GET', ''],
    ['GET', '?refresh=true'],
    ['POST', ''],
    ['GET', `/{club}`],
    ['GET', `/{club}?cached=true`],
    ['PATCH', `/{club}`],
    ['POST', `/{club}/participants`],
    ['GET', `/{club}/invite-code`],
    ['POST', `/{club}/invite-code/revoke`],
    ['POST', '/join'],
    ['POST', `/{club}/leave`],
  ])('another user’s session answers 404 to %s …%s; a disconnected one 409', async (method, template) => {
    const path = template.replace('{club}', clubJid);
    const bodies: Record<string, unknown> = {
      POST: template.endsWith('participants')
        ? { action: 'add', participants: [DEE] }
        : path === ''
          ? { subject: 'x', participants: [ANA] }
          : path === '/join'
            ? { code: 'AAAAAAAAAAAAAAAAAAAAAA' }
            : undefined,
      PATCH: { subject: 'Hijacked' },
    };
    const before = await snapshot();
    const foreign = await world.gateway.api.call(method, `${base}${path}`, { key: other.key, body: bodies[method] });
    expect(foreign.status).toBe(404);
    expect(foreign.body.message).toBe('Session "me" not found');
    const idle = await world.gateway.api.call(method, `/api/v1/sessions/idle/groups${path}`, { key, body: bodies[method] });
    const readsStorage = method === 'GET' && (path === '' || path.includes('cached'));
    expect(idle.status).toBe(readsStorage ? (path === '' ? 200 : 404) : 409);
    expect(await snapshot()).toEqual(before);
  });
});

it('documents every group route with examples in OpenAPI', async () => {
  const doc = (await world.gateway.api.get('/docs/json')).body;
  const paths = Object.keys(doc.paths).filter((p: string) => p.includes('/groups'));
  expect(paths.sort()).toEqual(
    [
      '/api/v1/sessions/{sessionId}/groups',
      '/api/v1/sessions/{sessionId}/groups/join',
      '/api/v1/sessions/{sessionId}/groups/{groupJid}',
      '/api/v1/sessions/{sessionId}/groups/{groupJid}/invite-code',
      '/api/v1/sessions/{sessionId}/groups/{groupJid}/invite-code/revoke',
      '/api/v1/sessions/{sessionId}/groups/{groupJid}/leave',
      '/api/v1/sessions/{sessionId}/groups/{groupJid}/participants',
    ].sort(),
  );
  const create = doc.paths['/api/v1/sessions/{sessionId}/groups'].post;
  expect(create.tags).toEqual(['groups']);
  expect(JSON.stringify(create.requestBody)).toContain('Weekend plans');
  expect(JSON.stringify(doc.paths['/api/v1/sessions/{sessionId}/groups/{groupJid}'].patch.requestBody)).toContain('example');
});
