import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { TestClient } from './client';
import { useSimulator } from './fixtures';

const ALICE = '15550009001';
const BOB = '15550009002';
const CAROL = '15550009003';
const pn = (phone: string) => `${phone}@s.whatsapp.net`;

describe('control API over HTTP', () => {
  const env = useSimulator();
  const api = async (method: string, path: string, body?: unknown): Promise<{ status: number; data: any }> => {
    const res = await fetch(`${env.sim.httpUrl}${path}`, {
      method,
      headers: body === undefined ? undefined : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const type = res.headers.get('content-type') ?? '';
    const data = type.includes('json') ? await res.json() : Buffer.from(await res.arrayBuffer());
    return { status: res.status, data };
  };
  let alice: TestClient;

  test('accounts: create (201), duplicate (409), bad input (400), unknown (404)', async () => {
    const created = await api('POST', '/control/accounts', { phone: `+${ALICE}`, name: 'Alice' });
    expect(created.status).toBe(201);
    expect(created.data).toEqual({ phone: ALICE, jid: pn(ALICE), lid: expect.stringMatching(/^\d{15}@lid$/) });
    expect((await api('POST', '/control/accounts', { phone: ALICE, name: 'Again' })).status).toBe(409);
    expect(await api('POST', '/control/accounts', { name: 'No phone' })).toMatchObject({
      status: 400,
      data: { error: expect.any(String) },
    });
    expect((await api('POST', '/control/accounts', '{not json')).status).toBe(400);
    expect((await api('POST', '/control/accounts', { phone: '12' })).status).toBe(400);
    expect((await api('GET', '/control/accounts/19990000000')).status).toBe(404);
    expect((await api('GET', '/control/nothing-here')).status).toBe(404);
    await api('POST', '/control/accounts', { phone: BOB, name: 'Bob' });
    await api('POST', '/control/accounts', { phone: CAROL, name: 'Carol' });
    const details = await api('GET', `/control/accounts/${ALICE}`);
    expect(details.data).toMatchObject({ phone: ALICE, name: 'Alice', devices: [{ hosted: true, connected: true }] });
    expect((await api('GET', '/control/accounts')).data).toHaveLength(3);
  });

  test('scan links the device showing the QR; pairing-code completes a code link', async () => {
    alice = env.track(new TestClient(env.sim.wsUrl));
    const qr = await alice.waitForQr();
    const scanned = await api('POST', `/control/accounts/${ALICE}/scan`, { qr });
    expect(scanned.status).toBe(200);
    expect(scanned.data).toMatchObject({
      jid: expect.stringMatching(new RegExp(`^${ALICE}:\\d+@s\\.whatsapp\\.net$`)),
      deviceId: expect.any(Number),
    });
    await alice.waitForOpen();
    expect((await api('POST', `/control/accounts/${ALICE}/scan`, { qr })).status).toBe(404);

    const byCode = env.track(new TestClient(env.sim.wsUrl));
    await byCode.waitForQr();
    const code = await byCode.sock.requestPairingCode(BOB);
    expect((await api('POST', `/control/accounts/${BOB}/pairing-code`, { code })).status).toBe(200);
    await byCode.waitForOpen();
    byCode.end();
    expect((await api('POST', `/control/accounts/${CAROL}/pairing-code`, { code: 'ABCDEFGH' })).status).toBe(404);
  });

  test('send, inbox, media and read', async () => {
    const sent = await api('POST', `/control/accounts/${BOB}/send`, { to: ALICE, text: 'over http' });
    expect(sent).toMatchObject({ status: 200, data: { id: expect.any(String) } });
    const received = await alice.waitForMessage((m) => m.key.id === sent.data.id);
    expect(received.message?.conversation ?? received.message?.extendedTextMessage?.text).toBe('over http');

    const bytes = randomBytes(4096);
    const image = (await alice.sock.sendMessage(pn(BOB), { image: bytes, caption: 'via client', mimetype: 'image/png' }))!;
    await env.sim.waitForInbox(BOB, (e) => e.id === image.key.id);
    const inbox = await api('GET', `/control/accounts/${BOB}/inbox`);
    expect(inbox.data).toContainEqual(
      expect.objectContaining({ id: image.key.id, type: 'image', caption: 'via client', from: pn(ALICE), chat: pn(ALICE) }),
    );
    const media = await api('GET', `/control/accounts/${BOB}/inbox/${image.key.id}/media`);
    expect(media.status).toBe(200);
    expect(Buffer.compare(media.data as Buffer, bytes)).toBe(0);
    expect((await api('GET', `/control/accounts/${BOB}/inbox/unknown/media`)).status).toBe(404);

    expect((await api('POST', `/control/accounts/${BOB}/read`, { chat: ALICE, ids: [image.key.id] })).status).toBe(200);
    await alice.waitForStatus(image.key.id!, 4);
    expect((await api('POST', `/control/accounts/${BOB}/send`, { text: 'no target' })).status).toBe(400);
  });

  test('groups through an account’s own device', async () => {
    const created = await api('POST', `/control/accounts/${BOB}/groups`, { subject: 'HTTP group', participants: [ALICE] });
    expect(created.status).toBe(201);
    const gid = created.data.id as string;
    await alice.waitFor('groups.upsert', (gs) => gs.some((g) => g.id === gid));
    const added = await api('POST', `/control/accounts/${BOB}/groups/${gid}/participants`, { action: 'add', participants: [CAROL] });
    expect(added.data).toEqual([{ status: '200', jid: pn(CAROL) }]);
    expect((await api('POST', `/control/accounts/${BOB}/groups/${gid}/update`, { subject: 'Renamed', setting: 'locked' })).status).toBe(
      200,
    );
    const code = (await api('GET', `/control/accounts/${BOB}/groups/${gid}/invite-code`)).data.code;
    const revoked = (await api('POST', `/control/accounts/${BOB}/groups/${gid}/invite-code/revoke`)).data.code;
    expect(revoked).not.toBe(code);
    expect((await api('POST', `/control/accounts/${CAROL}/groups/${gid}/leave`)).status).toBe(200);
    expect((await api('POST', `/control/accounts/${CAROL}/groups/join`, { code: revoked })).data).toEqual({ id: gid });
    const group = await api('GET', `/control/groups/${gid}`);
    expect(group.data).toMatchObject({ subject: 'Renamed', restrict: true, inviteCode: revoked });
    expect(group.data.participants).toHaveLength(3);
    expect((await api('GET', '/control/groups')).data.map((g: { id: string }) => g.id)).toContain(gid);
    expect((await api('POST', `/control/accounts/${CAROL}/groups/${gid}/update`, { subject: 'not allowed' })).status).toBe(409);
  });

  test('history, faults, disconnect and state', async () => {
    const history = await api('POST', `/control/accounts/${ALICE}/history`, { chats: 3, messagesPerChat: 4 });
    expect(history.data).toMatchObject({ chunks: 1, chats: 3, messages: 12 });
    expect((await api('POST', `/control/accounts/${ALICE}/history`, { chats: -1, messagesPerChat: 4 })).status).toBe(400);
    expect((await api('POST', '/control/faults/delivery-delay', { ms: 0 })).status).toBe(200);
    expect((await api('POST', '/control/faults/delivery-delay', { ms: 'soon' })).status).toBe(400);
    expect((await api('POST', '/control/faults/refuse-logins', { phone: CAROL, on: true })).status).toBe(200);
    expect((await api('POST', '/control/faults/refuse-logins', { phone: CAROL, on: false })).status).toBe(200);
    expect((await api('POST', '/control/faults/refuse-logins', { on: 'yes' })).status).toBe(400);

    const closed = alice.waitForClose();
    expect((await api('POST', `/control/devices/${encodeURIComponent(alice.me!.id)}/drop`)).data).toEqual({ dropped: true });
    await closed;
    await alice.waitForOpen();
    const again = alice.waitForClose();
    expect((await api('POST', `/control/accounts/${ALICE}/disconnect`)).data).toEqual({ dropped: 1 });
    await again;
    await alice.waitForOpen();

    const state = await api('GET', '/control/state');
    expect(state.data).toMatchObject({ version: 1, accounts: expect.any(Array), groups: expect.any(Array) });

    const removed = alice.waitForClose();
    expect((await api('POST', `/control/devices/${encodeURIComponent(alice.me!.id)}/remove`)).status).toBe(200);
    expect(await removed).toBe(401);
    expect((await api('POST', `/control/devices/${encodeURIComponent(alice.me!.id)}/remove`)).status).toBe(404);
  });

  test('garbage on the websocket closes that connection and nothing else', async () => {
    for (const payload of [
      Buffer.from('GET / HTTP/1.1\r\n\r\n'),
      Buffer.concat([Buffer.from('WA\x06\x03'), Buffer.from([0, 0, 5]), randomBytes(5)]),
    ]) {
      const ws = new WebSocket(env.sim.wsUrl);
      await new Promise((resolve) => ws.once('open', resolve));
      ws.send(payload);
      await new Promise((resolve) => ws.once('close', resolve));
    }
    expect((await api('GET', '/control/health')).data).toMatchObject({ ok: true });
    const { id } = await env.sim.send(BOB, { to: CAROL, text: 'still alive' });
    expect((await env.sim.waitForInbox(CAROL, (e) => e.id === id)).text).toBe('still alive');
  });
});
