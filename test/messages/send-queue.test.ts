import { eventually } from '../helpers/eventually';
import { phoneJid, sessionWhere, startConnectedWorld, type ConnectedWorld } from '../helpers/whatsapp';
import { messageHelpers } from './message-world';

jest.setTimeout(120_000);

const ME = '15550611001';
const CARA = '15550611002';
const DAN = '15550611003';
const NOBODY = '15550611999';

let world: ConnectedWorld;
const { api, send, inbox } = messageHelpers(() => world);
const relayed: { id: string; at: number }[] = [];
const chatstates: { to: string; state: string; at: number }[] = [];

beforeAll(async () => {
  world = await startConnectedWorld(
    'send_queue',
    { me: ME, contacts: { [CARA]: 'Cara', [DAN]: 'Dan' } },
    { SEND_QUEUE_POLL_INTERVAL_MS: '100' },
  );
  world.sim.serverEvents.on('message-relayed', ({ id }: { id: string }) => relayed.push({ id, at: Date.now() }));
  world.sim.serverEvents.on('chatstate', (event: { to: string; state: string; at: number }) => chatstates.push(event));
});
afterAll(() => world?.close());

const key = () => world.key;
const pacing = (body: Record<string, unknown>) => api().put('/api/v1/sessions/me/pacing', { key: key(), body });
const bulk = (body: Record<string, unknown>, as = key()) => api().post('/api/v1/sessions/me/messages/bulk', { key: as, body });
const job = (id: string, as = key(), session = 'me') => api().get(`/api/v1/sessions/${session}/messages/bulk/${id}`, { key: as });
const jobWhere = (id: string, accept: (job: any) => boolean, label: string, timeoutMs = 15_000) =>
  eventually(async () => (await job(id)).body, accept, timeoutMs, label);
const relayOf = (id: string) => eventually(() => relayed.find((r) => r.id === id), Boolean, 10_000, `relay of ${id}`).then((r) => r!);

describe('pacing', () => {
  it('is off for single sends by default, and GET/PUT change it per session', async () => {
    const initial = await api().get('/api/v1/sessions/me/pacing', { key: key() });
    expect(initial.status).toBe(200);
    expect(initial.body).toMatchObject({ paceSingleSends: false, messagesPerMinute: 20, dailyCap: 0, sentToday: 0 });
    const changed = await pacing({ messagesPerMinute: 120, jitterMs: 0, typingMs: 0 });
    expect(changed.body).toMatchObject({ paceSingleSends: false, messagesPerMinute: 120, jitterMs: 0, typingMs: 0, dailyCap: 0 });
    expect((await pacing({})).status).toBe(400);
    expect((await pacing({ messagesPerMinute: 0 })).status).toBe(400);
    // An unpaced send answers once WhatsApp has it, as before.
    const direct = await send({ to: CARA, type: 'text', text: 'a direct reply' });
    expect(direct.status).toBe(201);
    expect(direct.body).toMatchObject({ messageId: expect.any(String), status: expect.stringMatching(/PENDING|SENT|DELIVERED/) });
  });

  it('sends a bulk job no faster than messagesPerMinute, in the order given', async () => {
    await pacing({ messagesPerMinute: 120, jitterMs: 0, typingMs: 0 });
    const recipients = [CARA, DAN, CARA, DAN].map((to, i) => ({ to, variables: { n: String(i) } }));
    const created = await bulk({ message: { type: 'text', text: 'paced {{n}}' }, recipients });
    expect(created.status).toBe(202);
    expect(created.body).toMatchObject({ status: 'RUNNING', total: 4, progress: { failed: 0, cancelled: 0 } });
    const { queued, sending, sent } = created.body.progress;
    expect([queued + sending + sent, sent]).toEqual([4, 0]);
    const done = await jobWhere(created.body.id, (j) => j.status === 'COMPLETED', 'bulk completed');
    expect(done.progress).toEqual({ queued: 0, sending: 0, sent: 4, failed: 0, cancelled: 0 });
    const times = await Promise.all(done.recipients.map((r: { messageId: string }) => relayOf(r.messageId).then((x) => x.at)));
    // 120 a minute: one every 500 ms (the relay is seen a little after the send; allow for that jitter).
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(450);
    expect(done.recipients.map((r: { index: number; to: string }) => [r.index, r.to])).toEqual(
      recipients.map((r, i) => [i, phoneJid(r.to)]),
    );
  });

  it('shows "typing…" before a paced text, and adds it and a random jitter to the gap', async () => {
    await pacing({ messagesPerMinute: 600, jitterMs: 400, typingMs: 300 });
    const created = await bulk({
      message: { type: 'text', text: 'typed {{n}}' },
      recipients: [0, 1, 2].map((n) => ({ to: DAN, variables: { n: String(n) } })),
    });
    const done = await jobWhere(created.body.id, (j) => j.status === 'COMPLETED', 'bulk completed');
    const times: number[] = [];
    for (const recipient of done.recipients) {
      const { at } = await relayOf(recipient.messageId);
      times.push(at);
      const composing = chatstates.filter((c) => c.to === DAN && c.state === 'composing' && c.at <= at && c.at >= at - 2000);
      expect(composing.length).toBeGreaterThan(0);
      // 300 ms of typing; both stamps are taken as the simulator relays, each late by its own event-loop lag.
      expect(at - composing.at(-1)!.at).toBeGreaterThanOrEqual(150);
    }
    // 100 ms apart at 600 a minute, plus 300 ms typing, plus up to 400 ms jitter (and the time a send takes).
    for (let i = 1; i < times.length; i++) {
      expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(350);
      expect(times[i]! - times[i - 1]!).toBeLessThan(100 + 300 + 400 + 1500);
    }
    await pacing({ jitterMs: 0, typingMs: 0 });
  });

  it('paces single sends when asked: 202 with the queued send, which goes out and can be looked up', async () => {
    await pacing({ paceSingleSends: true, messagesPerMinute: 600 });
    const queued = await send({ to: CARA, type: 'text', text: 'paced single' });
    expect(queued.status).toBe(202);
    expect(queued.body).toMatchObject({ status: 'QUEUED', paced: true, to: phoneJid(CARA), messageId: expect.any(String) });
    await inbox(CARA, (e) => e.id === queued.body.messageId && e.text === 'paced single');
    const looked = await eventually(
      async () => (await api().get(`/api/v1/sessions/me/messages/queued/${queued.body.id}`, { key: key() })).body,
      (row) => row.status === 'SENT',
      10_000,
      'queued send SENT',
    );
    expect(looked).toMatchObject({ id: queued.body.id, messageId: queued.body.messageId, sentAt: expect.any(String) });
    await pacing({ paceSingleSends: false });
    const unwaited = await api().post('/api/v1/sessions/me/messages?wait=false', {
      key: key(),
      body: { to: CARA, type: 'text', text: 'no wait' },
    });
    expect(unwaited.status).toBe(202);
    expect(unwaited.body).toMatchObject({ paced: false });
    await inbox(CARA, (e) => e.id === unwaited.body.messageId);
  });

  it('keeps to the daily cap: paced messages beyond it wait until the cap allows them', async () => {
    const { sentToday } = (await pacing({ messagesPerMinute: 600, dailyCap: 0 })).body;
    await pacing({ dailyCap: sentToday + 1 });
    const created = await bulk({
      message: { type: 'text', text: 'capped {{n}}' },
      recipients: ['1', '2'].map((n) => ({ to: CARA, variables: { n } })),
    });
    const first = await jobWhere(created.body.id, (j) => j.progress.sent === 1, 'first recipient sent');
    // Two unpaced sends after it: the worker looked at the paced queue between them (the second one
    // is taken in the step after the first), so the capped recipient would have gone by now.
    for (const text of ['unpaced after the cap 1', 'unpaced after the cap 2'])
      expect((await send({ to: DAN, type: 'text', text })).status).toBe(201);
    const held = (await job(created.body.id)).body;
    expect(held.progress).toMatchObject({ sent: 1, queued: 1 });
    expect((await api().get('/api/v1/sessions/me/pacing', { key: key() })).body.sentToday).toBe(sentToday + 1);
    expect(world.sim.inbox(CARA).filter((e) => e.text === 'capped 2')).toEqual([]);
    // Raising the cap lets it go.
    await pacing({ dailyCap: 0 });
    await jobWhere(created.body.id, (j) => j.status === 'COMPLETED' && j.progress.sent === 2, 'capped recipient sent');
    await inbox(CARA, (e) => e.text === 'capped 2' && e.id === first.recipients[1].messageId);
  });
});

describe('bulk', () => {
  it('fills in each recipient’s variables; a missing one is a 400 and queues nothing', async () => {
    await pacing({ messagesPerMinute: 600, dailyCap: 0 });
    const missing = await bulk({
      message: { type: 'text', text: 'Hi {{name}}, order {{order}}' },
      recipients: [
        { to: CARA, variables: { name: 'Cara', order: '1' } },
        { to: DAN, variables: { name: 'Dan' } },
      ],
    });
    expect(missing.status).toBe(400);
    expect(missing.body.message).toMatch(/recipients\/1 .*\{\{order\}\}/);
    const badNumber = await bulk({ message: { type: 'text', text: 'x' }, recipients: [{ to: CARA }, { to: 'not a number' }] });
    expect(badNumber.status).toBe(400);
    expect((await bulk({ message: { type: 'text', text: 'x' }, recipients: [] })).status).toBe(400);
    const tooMany = Array.from({ length: 1001 }, () => ({ to: CARA }));
    expect((await bulk({ message: { type: 'text', text: 'x' }, recipients: tooMany })).status).toBe(400);
    expect(await world.gateway.ctx.db.selectFrom('SendQueue').select('id').where('request', 'like', '%order%').execute()).toEqual([]);

    const created = await bulk({
      message: { type: 'text', text: 'Hi {{name}}, your order {{ order }} is ready' },
      recipients: [
        { to: `+${CARA}`, variables: { name: 'Cara', order: 'A-1' } },
        { to: phoneJid(DAN), variables: { name: 'Dan', order: 'B-2' } },
      ],
    });
    expect(created.status).toBe(202);
    const done = await jobWhere(created.body.id, (j) => j.status === 'COMPLETED', 'bulk completed');
    await inbox(CARA, (e) => e.id === done.recipients[0].messageId && e.text === 'Hi Cara, your order A-1 is ready');
    await inbox(DAN, (e) => e.id === done.recipients[1].messageId && e.text === 'Hi Dan, your order B-2 is ready');
  });

  it('reports progress per recipient; one WhatsApp refuses is FAILED with the reason, the others go out', async () => {
    const created = await bulk({ message: { type: 'text', text: 'progress' }, recipients: [{ to: CARA }, { to: NOBODY }, { to: DAN }] });
    const done = await jobWhere(created.body.id, (j) => j.status === 'COMPLETED', 'bulk completed');
    expect(done.progress).toEqual({ queued: 0, sending: 0, sent: 2, failed: 1, cancelled: 0 });
    expect(done.recipients.map((r: { status: string }) => r.status)).toEqual(['SENT', 'FAILED', 'SENT']);
    expect(done.recipients[1].error).toMatch(new RegExp(`\\+${NOBODY} is not on WhatsApp`));
    expect(done.recipients[0].sentAt).toEqual(expect.any(String));
  });

  it('can be cancelled: recipients not sent yet never are', async () => {
    await pacing({ messagesPerMinute: 6 }); // one every 10 s
    const created = await bulk({
      message: { type: 'text', text: 'cancel me {{n}}' },
      recipients: ['1', '2', '3'].map((n) => ({ to: DAN, variables: { n } })),
    });
    const cancelled = await api().post(`/api/v1/sessions/me/messages/bulk/${created.body.id}/cancel`, { key: key() });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('CANCELLED');
    expect(cancelled.body.progress.cancelled + cancelled.body.progress.sent + cancelled.body.progress.sending).toBe(3);
    expect(cancelled.body.progress.cancelled).toBeGreaterThanOrEqual(2);
    // A job queued after it, at a fast pace again: once it is sent, the cancelled ones would have gone before it.
    await pacing({ messagesPerMinute: 600 });
    const later = await bulk({ message: { type: 'text', text: 'after the cancel' }, recipients: [{ to: DAN }] });
    const laterDone = await jobWhere(later.body.id, (j) => j.status === 'COMPLETED', 'later job');
    await inbox(DAN, (e) => e.id === laterDone.recipients[0].messageId);
    const final = (await job(created.body.id)).body;
    expect(final.status).toBe('CANCELLED');
    const sentTexts = world.sim.inbox(DAN).filter((e) => e.text?.startsWith('cancel me'));
    expect(sentTexts.length).toBe(final.progress.sent);
    expect(final.progress.queued).toBe(0);
  });

  it('is only visible to its owner: someone else gets 404 for reading and cancelling', async () => {
    const created = await bulk({ message: { type: 'text', text: 'mine' }, recipients: [{ to: CARA }] });
    const other = await world.gateway.createUser('bulk-other@test.local');
    expect((await api().post('/api/v1/sessions', { key: other.key, body: { sessionId: 'other-bulk' } })).status).toBe(201);
    expect((await job(created.body.id, other.key)).status).toBe(404);
    expect((await job(created.body.id, other.key, 'other-bulk')).status).toBe(404);
    expect((await api().post(`/api/v1/sessions/other-bulk/messages/bulk/${created.body.id}/cancel`, { key: other.key })).status).toBe(404);
    expect((await api().post(`/api/v1/sessions/me/messages/bulk/${created.body.id}/cancel`, { key: other.key })).status).toBe(404);
    expect((await api().get('/api/v1/sessions/me/pacing', { key: other.key })).status).toBe(404);
    const single = await api().post('/api/v1/sessions/me/messages?wait=false', {
      key: key(),
      body: { to: CARA, type: 'text', text: 'mine too' },
    });
    expect((await api().get(`/api/v1/sessions/me/messages/queued/${single.body.id}`, { key: other.key })).status).toBe(404);
    expect((await api().get(`/api/v1/sessions/other-bulk/messages/queued/${single.body.id}`, { key: other.key })).status).toBe(404);
    expect((await api().get(`/api/v1/sessions/me/messages/queued/${single.body.id}`, { key: key() })).status).toBe(200);
    expect((await bulk({ message: { type: 'text', text: 'x' }, recipients: [{ to: CARA }] }, other.key)).status).toBe(404);
    const done = await jobWhere(created.body.id, (j) => j.status === 'COMPLETED', 'owner’s job');
    expect(done.progress.sent).toBe(1);
    expect((await job('nosuchjob', key())).status).toBe(404);
    // Cancelling a finished job changes nothing.
    const late = await api().post(`/api/v1/sessions/me/messages/bulk/${created.body.id}/cancel`, { key: key() });
    expect(late.body).toMatchObject({ status: 'COMPLETED', cancelledAt: null });
  });
});

describe('the queue', () => {
  it('takes an Idempotency-Key once, however many requests race with it, waiting or not', async () => {
    const body = { to: CARA, type: 'text', text: 'exactly once' };
    const racing = await Promise.all(
      [true, false, true, false, true].map((wait) =>
        api().post(`/api/v1/sessions/me/messages?wait=${wait}`, { key: key(), body, headers: { 'idempotency-key': 'queue-race' } }),
      ),
    );
    expect(racing.every((r) => r.status === 201 || r.status === 202)).toBe(true);
    const ids = new Set(racing.map((r) => r.body.messageId));
    expect(ids.size).toBe(1);
    const [messageId] = [...ids];
    expect(racing.filter((r) => r.headers['idempotent-replayed'] === 'true')).toHaveLength(4);
    const rows = await world.gateway.ctx.db
      .selectFrom('SendQueue')
      .select(['id', 'status'])
      .where('idempotencyKey', '=', 'queue-race')
      .execute();
    expect(rows).toHaveLength(1);
    await inbox(CARA, (e) => e.id === messageId);
    // A later send relayed on the same socket: a second copy would have been relayed before it.
    const later = await send({ to: CARA, type: 'text', text: 'after the race' });
    await relayOf(later.body.messageId);
    expect(relayed.filter((r) => r.id === messageId)).toHaveLength(1);
    expect(world.sim.inbox(CARA).filter((e) => e.text === 'exactly once')).toHaveLength(1);
  });

  it('waits while the session is not connected and sends once it is', async () => {
    expect((await api().post('/api/v1/sessions/me/disconnect', { key: key() })).status).toBe(200);
    await sessionWhere(world.gateway, key(), 'me', (s) => s.status === 'DISCONNECTED');
    // Waiting sends still answer 409 at once, as before; queued ones are accepted.
    expect((await send({ to: CARA, type: 'text', text: 'now?' })).status).toBe(409);
    const queued = await api().post('/api/v1/sessions/me/messages?wait=false', {
      key: key(),
      body: { to: CARA, type: 'text', text: 'when back' },
    });
    expect(queued.status).toBe(202);
    const created = await bulk({ message: { type: 'text', text: 'bulk when back' }, recipients: [{ to: DAN }] });
    expect(created.status).toBe(202);
    expect((await api().post('/api/v1/sessions/me/connect', { key: key() })).status).toBe(200);
    await sessionWhere(world.gateway, key(), 'me', (s) => s.status === 'CONNECTED', 20_000);
    await inbox(CARA, (e) => e.id === queued.body.messageId && e.text === 'when back');
    const done = await jobWhere(created.body.id, (j) => j.status === 'COMPLETED', 'bulk after reconnect');
    await inbox(DAN, (e) => e.id === done.recipients[0].messageId);
    // Nothing else was queued meanwhile: the session's queue is empty.
    const waiting = await world.gateway.ctx.db
      .selectFrom('SendQueue')
      .select('id')
      .where('sessionId', '=', world.sessionRowId)
      .where('status', 'in', ['QUEUED', 'SENDING'])
      .execute();
    expect(waiting).toEqual([]);
  });
});
