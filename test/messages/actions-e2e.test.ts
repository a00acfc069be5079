import { readFileSync } from 'node:fs';
import path from 'node:path';
import { eventually } from '../helpers/eventually';
import { phoneJid, startConnectedWorld, type ConnectedWorld } from '../helpers/whatsapp';
import { json, messageHelpers } from './message-world';

jest.setTimeout(120_000);

const ME = '15550603001';
const CARA = '15550603002';
const DAN = '15550603003';
const PNG = readFileSync(path.join(__dirname, '../fixtures/tiny.png'));

let world: ConnectedWorld;
const { api, send, row, rowWhere, inbox, sent, received } = messageHelpers(() => world);

beforeAll(async () => {
  world = await startConnectedWorld('messages_actions', { me: ME, contacts: { [CARA]: 'Cara', [DAN]: 'Dan' } });
});
afterAll(async () => {
  await world?.close();
});

describe('media URLs', () => {
  it('refuses to fetch from loopback, private and link-local addresses unless allowed, and sends nothing', async () => {
    const before = await world.gateway.ctx.db.selectFrom('Message').select('id').execute();
    for (const url of [
      `${world.gateway.api.baseUrl}/health`,
      'http://localhost:9/x.png',
      'http://10.1.2.3/x.png',
      'http://169.254.169.254/latest/meta-data',
      'http://[::1]:9/x.png',
    ]) {
      const res = await send({ to: CARA, type: 'image', url });
      expect({ url, status: res.status }).toEqual({ url, status: 422 });
      expect(res.body.message).toMatch(/private or local address/);
    }
    expect(await world.gateway.ctx.db.selectFrom('Message').select('id').execute()).toEqual(before);
  });
});

describe('idempotency', () => {
  it('answers a retry with the first result and sends once, also when the retries race', async () => {
    const relayed: string[] = [];
    const listener = ({ id }: { id: string }) => relayed.push(id);
    world.sim.serverEvents.on('message-relayed', listener);
    const body = { to: CARA, type: 'text', text: 'charge card once' };
    const headers = { 'idempotency-key': 'order-4711' };
    const first = await send(body, headers);
    expect(first.status).toBe(201);
    const again = await send({ text: 'charge card once', type: 'text', to: CARA }, headers);
    expect(again.status).toBe(201);
    expect(again.body.messageId).toBe(first.body.messageId);
    expect(again.headers['idempotent-replayed']).toBe('true');

    const racing = await Promise.all(
      [1, 2, 3].map(() => send({ to: CARA, type: 'text', text: 'racing' }, { 'idempotency-key': 'race-1' })),
    );
    expect(racing.map((r) => r.status)).toEqual([201, 201, 201]);
    expect(new Set(racing.map((r) => r.body.messageId)).size).toBe(1);

    await inbox(CARA, (e) => e.id === racing[0]!.body.messageId);
    // Every answer is in, so any second send was already written to the socket; the simulator relays
    // a socket's messages in order, so once a later message is relayed, a duplicate would have been.
    const later = await sent({ to: CARA, type: 'text', text: 'after the retries' });
    await eventually(
      () => relayed.includes(later),
      (seen) => seen,
      10_000,
      `relay of ${later}`,
    );
    world.sim.serverEvents.off('message-relayed', listener);
    expect(relayed.filter((id) => id === first.body.messageId)).toHaveLength(1);
    expect(relayed.filter((id) => id === racing[0]!.body.messageId)).toHaveLength(1);
    expect(world.sim.inbox(CARA).filter((e) => e.text === 'charge card once')).toHaveLength(1);

    const reused = await send({ to: CARA, type: 'text', text: 'another order' }, headers);
    expect(reused.status).toBe(422);
    expect(reused.body.message).toMatch(/Idempotency-Key "order-4711" was already used/);
    const stored = await row(first.body.messageId);
    expect(json(stored!.metadata).idempotency).toMatchObject({ key: 'order-4711' });
  });
});

describe('edit, delete and forward', () => {
  it('edits a sent text; the contact sees the new text and the row keeps the original', async () => {
    const messageId = await sent({ to: CARA, type: 'text', text: 'Meeting at 2 pm' });
    await inbox(CARA, (e) => e.id === messageId);
    const edited = await api().post(`/api/v1/sessions/me/messages/${messageId}/edit`, {
      key: world.key,
      body: { text: 'Meeting at 3 pm' },
    });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ messageId, metadata: expect.objectContaining({ editedAt: expect.any(String) }) });
    expect(JSON.stringify(edited.body.content)).toContain('Meeting at 3 pm');
    expect(JSON.stringify(edited.body.metadata.originalContent)).toContain('Meeting at 2 pm');
    expect(await inbox(CARA, (e) => e.id === messageId && e.editedText === 'Meeting at 3 pm')).toBeTruthy();
  });

  it('deletes a sent message for everyone', async () => {
    const messageId = await sent({ to: CARA, type: 'text', text: 'oops, wrong chat' });
    await inbox(CARA, (e) => e.id === messageId);
    const deleted = await api().delete(`/api/v1/sessions/me/messages/${messageId}`, { key: world.key });
    expect(deleted.status).toBe(200);
    expect(deleted.body.metadata).toMatchObject({ revoked: true });
    expect(await inbox(CARA, (e) => e.id === messageId && e.revoked === true)).toBeTruthy();
    expect(await inbox(CARA, (e) => e.type === 'revoke' && e.targetId === messageId)).toBeTruthy();
  });

  it('deletes a member\u2019s message in a group this session administers', async () => {
    const group = await world.sim.createGroup(CARA, 'Moderated', [ME, DAN]);
    await world.sim.groupParticipants(CARA, group.id, 'promote', [ME]);
    const spam = await received(DAN, { to: group.id, text: 'buy cheap watches' });
    await inbox(CARA, (e) => e.id === spam);
    const deleted = await api().delete(`/api/v1/sessions/me/messages/${spam}`, { key: world.key });
    expect(deleted.status).toBe(200);
    expect(deleted.body.metadata).toMatchObject({ revoked: true, revokedBy: phoneJid(ME) });
    expect(await inbox(CARA, (e) => e.type === 'revoke' && e.targetId === spam)).toMatchObject({ from: phoneJid(ME), chat: group.id });
  });

  it('forwards a received image to another contact, marked as forwarded, same bytes', async () => {
    const original = await received(CARA, { to: ME, image: PNG.toString('base64'), mimetype: 'image/png', caption: 'look' });
    const response = await api().post(`/api/v1/sessions/me/messages/${original}/forward`, { key: world.key, body: { to: `+${DAN}` } });
    expect(response.status).toBe(201);
    const entry = await inbox(DAN, (e) => e.id === response.body.messageId);
    expect(entry).toMatchObject({ type: 'image', caption: 'look', from: phoneJid(ME) });
    expect(json(entry.message).imageMessage.contextInfo).toMatchObject({ isForwarded: true });
    expect((await world.sim.inboxMedia(DAN, response.body.messageId)).bytes.equals(PNG)).toBe(true);
    expect(json((await row(response.body.messageId))!.metadata)).toMatchObject({ forwarded: true });

    const text = await sent({ to: CARA, type: 'text', text: 'forward me' });
    const forward = () =>
      api().post(`/api/v1/sessions/me/messages/${text}/forward`, {
        key: world.key,
        body: { to: DAN },
        headers: { 'idempotency-key': 'fwd-1' },
      });
    const again = await forward();
    expect(again.status).toBe(201);
    const retried = await forward();
    expect(retried.status).toBe(201);
    expect(retried.body.messageId).toBe(again.body.messageId);
    expect(retried.headers['idempotent-replayed']).toBe('true');
    const forwarded = await inbox(DAN, (e) => e.id === again.body.messageId);
    expect(forwarded.text).toBe('forward me');
    expect(json(forwarded.message).extendedTextMessage.contextInfo).toMatchObject({ isForwarded: true });
  });
});

describe('read and presence', () => {
  it('marks a chat read: the contact gets read receipts, the rows are READ and the unread count is 0', async () => {
    const socket = world.sim.hostedSocket(DAN)!;
    const readByMe = new Set<string>();
    const onUpdate = (updates: { key: { id?: string | null }; update: { status?: number | null } }[]) => {
      for (const { key, update } of updates) if (update.status === 4 && key.id) readByMe.add(key.id);
    };
    socket.ev.on('messages.update', onUpdate);
    const first = await received(DAN, { to: ME, text: 'are you there?' });
    const second = await received(DAN, { to: ME, text: 'hello??' });
    await eventually(
      () => api().get('/api/v1/sessions/me/chats', { key: world.key }),
      (res) => res.body.data.some((c: { jid: string; unreadCount: number }) => c.jid === phoneJid(DAN) && c.unreadCount >= 2),
      10_000,
      'unread count',
    );

    const response = await api().post(`/api/v1/sessions/me/chats/${DAN}/read`, { key: world.key, body: {} });
    expect(response.status).toBe(200);
    expect(response.body.chatId).toBe(phoneJid(DAN));
    expect(response.body.messageIds).toEqual(expect.arrayContaining([first, second]));
    await eventually(
      () => readByMe,
      (ids) => ids.has(first) && ids.has(second),
      10_000,
      'read receipts at Dan',
    );
    socket.ev.off('messages.update', onUpdate);
    expect((await row(first))!.status).toBe('READ');
    const chats = await api().get('/api/v1/sessions/me/chats', { key: world.key });
    expect(chats.body.data.find((c: { jid: string }) => c.jid === phoneJid(DAN)).unreadCount).toBe(0);

    const third = await received(DAN, { to: ME, text: 'one more' });
    const fourth = await received(DAN, { to: ME, text: 'and another' });
    const only = await api().post(`/api/v1/sessions/me/chats/${phoneJid(DAN)}/read`, { key: world.key, body: { messageIds: [third] } });
    expect(only.body).toEqual({ chatId: phoneJid(DAN), messageIds: [third] });
    await rowWhere(third, (r) => r.status === 'READ');
    expect((await row(fourth))!.status).toBe('DELIVERED');
    const withoutBody = await api().post(`/api/v1/sessions/me/chats/+${DAN}/read`, { key: world.key });
    expect(withoutBody.body).toEqual({ chatId: phoneJid(DAN), messageIds: [fourth] });
    await rowWhere(fourth, (r) => r.status === 'READ');
  });

  it('shows typing in a chat and online to subscribers', async () => {
    const socket = world.sim.hostedSocket(CARA)!;
    const seen: string[] = [];
    const onPresence = (update: { id: string; presences: Record<string, { lastKnownPresence?: string }> }) => {
      if (update.id === phoneJid(ME) || update.id.endsWith('@lid'))
        seen.push(...Object.values(update.presences).map((p) => p.lastKnownPresence ?? ''));
    };
    socket.ev.on('presence.update', onPresence);
    await socket.presenceSubscribe(phoneJid(ME));

    const typing = await api().post('/api/v1/sessions/me/presence', { key: world.key, body: { state: 'composing', to: `+${CARA}` } });
    expect(typing.status).toBe(200);
    expect(typing.body).toEqual({ state: 'composing', to: phoneJid(CARA) });
    await eventually(
      () => seen,
      (states) => states.includes('composing'),
      10_000,
      'composing at Cara',
    );

    const recording = await api().post('/api/v1/sessions/me/presence', { key: world.key, body: { state: 'recording', to: CARA } });
    expect(recording.status).toBe(200);
    await eventually(
      () => seen,
      (states) => states.includes('recording'),
      10_000,
      'recording at Cara',
    );

    const online = await api().post('/api/v1/sessions/me/presence', { key: world.key, body: { state: 'available' } });
    expect(online.status).toBe(200);
    await eventually(
      () => seen,
      (states) => states.includes('available'),
      10_000,
      'available at Cara',
    );
    socket.ev.off('presence.update', onPresence);
  });
});
