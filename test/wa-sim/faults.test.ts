import { DisconnectReason } from '@whiskeysockets/baileys';
import type { WAMessage } from '@whiskeysockets/baileys';
import { linkWithQr, type TestClient } from './client';
import { quietLibsignal, useSimulator, waitUntil } from './fixtures';
import { startSimulator, trustSimulator } from './index';

const ALICE = '15550008001';
const BOB = '15550008002';
const pn = (phone: string) => `${phone}@s.whatsapp.net`;
const textOf = (m: WAMessage) => m.message?.conversation ?? m.message?.extendedTextMessage?.text;

describe('fault injection', () => {
  const env = useSimulator();
  let alice: TestClient;

  beforeAll(async () => {
    await Promise.all([env.sim.createAccount(ALICE, 'Alice'), env.sim.createAccount(BOB, 'Bob')]);
    alice = await env.link(ALICE);
  });

  test('a dropped connection closes the client; it reconnects and gets what was sent meanwhile', async () => {
    const closed = alice.waitForClose();
    expect(env.sim.dropDevice(alice.me!.id)).toBe(true);
    expect(await closed).toBe(DisconnectReason.connectionClosed);
    const { id } = await env.sim.send(BOB, { to: ALICE, text: 'sent while you reconnect' });
    await alice.waitForOpen();
    expect(textOf(await alice.waitForMessage((m) => m.key.id === id))).toBe('sent while you reconnect');
  });

  test('disconnect drops the account’s linked devices but keeps its hosted device', async () => {
    const closed = alice.waitForClose();
    expect(env.sim.disconnect(ALICE)).toBe(1);
    await closed;
    expect(env.sim.account(ALICE).devices.find((d) => d.hosted)?.connected).toBe(true);
    await alice.waitForOpen();
  });

  test('a delivery delay holds every delivery back', async () => {
    env.sim.setDeliveryDelay(1000);
    try {
      const start = Date.now();
      const { id } = await env.sim.send(BOB, { to: ALICE, text: 'slow' });
      await alice.waitForMessage((m) => m.key.id === id);
      expect(Date.now() - start).toBeGreaterThanOrEqual(990);
    } finally {
      env.sim.setDeliveryDelay(0);
    }
    const start = Date.now();
    const { id } = await env.sim.send(BOB, { to: ALICE, text: 'fast' });
    await alice.waitForMessage((m) => m.key.id === id);
    expect(Date.now() - start).toBeLessThan(900);
  });

  test('refusing all logins keeps reconnecting clients out until lifted', async () => {
    env.sim.refuseLogins('all', true);
    const closed = alice.waitForClose();
    env.sim.dropDevice(alice.me!.id);
    await closed;
    await waitUntil(() => alice.closes.filter((code) => code === 503).length >= 2, 3000, 'refused twice');
    env.sim.refuseLogins('all', false);
    await alice.waitForOpen(3000);
  });
});

describe('stop and restart with state', () => {
  test('accounts, devices, keys, groups and queues survive; clients log back in without pairing', async () => {
    const restoreConsole = quietLibsignal();
    let sim = await startSimulator();
    trustSimulator(sim);
    const clients: TestClient[] = [];
    try {
      await Promise.all([sim.createAccount(ALICE, 'Alice'), sim.createAccount(BOB, 'Bob')]);
      const alice = await linkWithQr(sim, ALICE);
      clients.push(alice);
      const hello = (await alice.sock.sendMessage(pn(BOB), { text: 'before restart' }))!;
      await sim.waitForInbox(BOB, (e) => e.id === hello.key.id);
      const group = await alice.sock.groupCreate('survivors', [pn(BOB)]);
      alice.end();
      const queued = await sim.send(BOB, { to: ALICE, text: 'queued across the restart' });
      await waitUntil(() => sim.account(ALICE).devices.some((d) => !d.hosted && d.queued > 0), 2000, 'queued');

      const port = sim.port;
      await sim.stop();
      const state = JSON.parse(JSON.stringify(sim.exportState()));
      sim = await startSimulator({ port, state });
      expect(sim.port).toBe(port);
      expect(sim.account(ALICE).devices).toHaveLength(2);
      expect(sim.group(group.id).subject).toBe('survivors');

      alice.reconnect();
      await alice.waitForOpen();
      expect(alice.events.filter((e) => e.name === 'connection.update' && !!(e.data as { qr?: string }).qr)).toHaveLength(1);
      const got = await alice.waitForMessage((m) => m.key.id === queued.id);
      expect(textOf(got)).toBe('queued across the restart');
      const after = (await alice.sock.sendMessage(pn(BOB), { text: 'after restart' }))!;
      expect((await sim.waitForInbox(BOB, (e) => e.id === after.key.id)).text).toBe('after restart');
      const inGroup = await sim.send(BOB, { to: group.id, text: 'group still works' });
      expect(textOf(await alice.waitForMessage((m) => m.key.id === inGroup.id))).toBe('group still works');
    } finally {
      clients.forEach((c) => c.end());
      await sim.stop();
      restoreConsole();
    }
  });
});
