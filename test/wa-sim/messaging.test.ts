import { proto } from '@whiskeysockets/baileys';
import type { WAMessage } from '@whiskeysockets/baileys';
import { connectProvisioned, linkWithQr, type TestClient } from './client';
import { useSimulator, waitUntil } from './fixtures';

const ALICE = '15550002001';
const BOB = '15550002002';
const CAROL = '15550002003';
const jid = (phone: string) => `${phone}@s.whatsapp.net`;
const textOf = (m: WAMessage) => m.message?.conversation ?? m.message?.extendedTextMessage?.text;

describe('1:1 relay', () => {
  const env = useSimulator();
  let alice: TestClient;

  beforeAll(async () => {
    await Promise.all([env.sim.createAccount(ALICE, 'Alice'), env.sim.createAccount(BOB, 'Bob'), env.sim.createAccount(CAROL, 'Carol')]);
    alice = await env.link(ALICE);
  });

  test('a linked client sends to a phone number; the peer account decrypts it and the sender’s own device gets a copy', async () => {
    const sent = await alice.sock.sendMessage(jid(BOB), { text: 'hello bob' });
    const received = await env.sim.waitForInbox(BOB, (e) => e.id === sent!.key.id);
    expect(received).toMatchObject({ type: 'text', text: 'hello bob', from: jid(ALICE), chat: jid(ALICE), fromMe: false });
    expect(received.pushName).toBe('Alice');
    const ownCopy = await env.sim.waitForInbox(ALICE, (e) => e.id === sent!.key.id);
    expect(ownCopy).toMatchObject({ fromMe: true, chat: jid(BOB), text: 'hello bob' });
  });

  test('the account’s device sends a real encrypted message to every device of the recipient', async () => {
    const second = env.track(await linkWithQr(env.sim, ALICE));
    const { id } = await env.sim.send(BOB, { to: ALICE, text: 'hi both of you' });
    const [a, b] = await Promise.all([alice.waitForMessage((m) => m.key.id === id), second.waitForMessage((m) => m.key.id === id)]);
    expect(textOf(a)).toBe('hi both of you');
    expect(textOf(b)).toBe('hi both of you');
    expect(a.key.fromMe).toBe(false);
    expect(a.pushName).toBe('Bob');
    second.end();
  });

  test('delivery and read receipts reach the sender', async () => {
    const sent = (await alice.sock.sendMessage(jid(BOB), { text: 'please read' }))!;
    await env.sim.waitForInbox(BOB, (e) => e.id === sent.key.id);
    await alice.waitForStatus(sent.key.id!, proto.WebMessageInfo.Status.DELIVERY_ACK);
    expect(alice.messages.get(sent.key.id!)?.status ?? 0).toBeLessThan(proto.WebMessageInfo.Status.READ);
    await env.sim.read(BOB, jid(ALICE), [sent.key.id!]);
    await alice.waitForStatus(sent.key.id!, proto.WebMessageInfo.Status.READ);
  });

  test('messages for an offline device are queued and delivered with `offline` on its next login', async () => {
    alice.end();
    await waitUntil(() => !env.sim.account(ALICE).devices.find((d) => !d.hosted)?.connected, 2000, 'alice offline');
    const first = await env.sim.send(BOB, { to: ALICE, text: 'while you were away 1' });
    const second = await env.sim.send(CAROL, { to: ALICE, text: 'while you were away 2' });
    await waitUntil(() => (env.sim.account(ALICE).devices.find((d) => !d.hosted)?.queued ?? 0) >= 2, 2000, 'queued');
    alice.reconnect();
    await alice.waitForOpen();
    const got = await Promise.all(
      [first.id, second.id].map((id) => alice.waitFor('messages.upsert', (u) => u.messages.some((m) => m.key.id === id))),
    );
    expect(got.map((u) => u.type)).toEqual(['append', 'append']);
    expect(textOf(alice.messages.get(first.id)!)).toBe('while you were away 1');
    expect(env.sim.account(ALICE).devices.find((d) => !d.hosted)?.queued).toBe(0);
  });

  test('a retry receipt makes the sender re-encrypt for a device that lost its session', async () => {
    const retries: string[] = [];
    env.sim.serverEvents.on('receipt', (r: { type?: string; id: string }) => r.type === 'retry' && retries.push(r.id));
    const sessions = Object.keys((alice.auth.export().keys as { session?: object }).session ?? {});
    expect(sessions.length).toBeGreaterThan(0);
    await alice.auth.state.keys.set({ session: Object.fromEntries(sessions.map((id) => [id, null])) });
    const { id } = await env.sim.send(BOB, { to: ALICE, text: 'after the session was lost' });
    const got = await alice.waitForMessage((m) => m.key.id === id && !!textOf(m), 8000);
    expect(textOf(got)).toBe('after the session was lost');
    expect(retries).toContain(id);
  });

  test('LID-addressed chats keep LID addressing, with the phone number as the alt', async () => {
    const bobLid = env.sim.account(BOB).lid;
    const sent = (await alice.sock.sendMessage(bobLid, { text: 'to your lid' }))!;
    expect((await env.sim.waitForInbox(BOB, (e) => e.id === sent.key.id)).chat).toBe(jid(ALICE));
    const { id } = await env.sim.send(BOB, { to: env.sim.account(ALICE).lid, text: 'lid reply' });
    const reply = await alice.waitForMessage((m) => m.key.id === id);
    expect(reply.key).toMatchObject({ remoteJid: bobLid, remoteJidAlt: jid(BOB), addressingMode: 'lid' });
    expect(textOf(reply)).toBe('lid reply');
  });

  test('pre-keys running low trigger an encrypt notification and the device uploads more', async () => {
    const low = env.track(await connectProvisioned(env.sim, CAROL, { preKeys: 6 }));
    const device = () => env.sim.account(CAROL).devices.find((d) => d.jid === low.me!.id)!;
    expect(device().preKeys).toBe(6);
    const { id } = await env.sim.send(BOB, { to: CAROL, text: 'takes one pre-key' });
    await low.waitForMessage((m) => m.key.id === id);
    expect(device().preKeys).toBe(5);
    const sent = (await alice.sock.sendMessage(jid(CAROL), { text: 'takes another' }))!;
    await low.waitForMessage((m) => m.key.id === sent.key.id);
    await waitUntil(() => device().preKeys === 9, 3000, 'five more pre-keys uploaded');
    low.end();
  });

  test('onWhatsApp is true only for accounts that exist', async () => {
    const result = await alice.sock.onWhatsApp(BOB, '19998887777');
    expect(result).toEqual([{ jid: jid(BOB), exists: true }]);
  });

  test('a round trip (send, decrypt, delivery receipt back) takes well under 100 ms', async () => {
    const rounds: number[] = [];
    for (let i = 0; i < 10; i++) {
      const start = performance.now();
      const sent = (await alice.sock.sendMessage(jid(CAROL), { text: `ping ${i}` }))!;
      await alice.waitForStatus(sent.key.id!, proto.WebMessageInfo.Status.DELIVERY_ACK, 2000);
      rounds.push(performance.now() - start);
      expect((await env.sim.waitForInbox(CAROL, (e) => e.id === sent.key.id)).text).toBe(`ping ${i}`);
    }
    rounds.sort((a, b) => a - b);
    expect(rounds[Math.floor(rounds.length / 2)]).toBeLessThan(100);
  });
});
