import type { WAMessage } from '@whiskeysockets/baileys';
import type { TestClient } from './client';
import { useSimulator } from './fixtures';

const ALICE = '15550007001';
const BOB = '15550007002';
const CAROL = '15550007003';
const jid = (phone: string) => `${phone}@s.whatsapp.net`;
const textOf = (m: WAMessage) => m.message?.conversation ?? m.message?.extendedTextMessage?.text;

async function control(url: string, body: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

describe('echo bot', () => {
  const env = useSimulator();
  let alice: TestClient;

  beforeAll(async () => {
    await Promise.all([env.sim.createAccount(ALICE, 'Alice'), env.sim.createAccount(BOB, 'Bob'), env.sim.createAccount(CAROL, 'Carol')]);
    alice = await env.link(ALICE);
  });

  test('an account with echo on answers each text with "Echo: <text>", quoting it; others stay silent', async () => {
    expect(await control(`${env.sim.httpUrl}/control/echo`, { phone: BOB, on: true })).toEqual({
      status: 200,
      body: { phone: BOB, on: true },
    });
    const toBob = (await alice.sock.sendMessage(jid(BOB), { text: 'ping' }))!;
    const toCarol = (await alice.sock.sendMessage(jid(CAROL), { text: 'ping carol' }))!;
    const reply = await alice.waitForMessage((m) => !m.key.fromMe && textOf(m) === 'Echo: ping');
    expect(reply.key.remoteJid).toBe(jid(BOB));
    expect(reply.message?.extendedTextMessage?.contextInfo?.stanzaId).toBe(toBob.key.id);
    await env.sim.waitForInbox(CAROL, (e) => e.id === toCarol.key.id);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(env.sim.inbox(CAROL).filter((e) => e.fromMe)).toEqual([]);
    expect([...alice.messages.values()].filter((m) => m.key.remoteJid === jid(CAROL) && !m.key.fromMe)).toEqual([]);
  });

  test('two echoing accounts do not answer each other’s echoes forever', async () => {
    env.sim.setEcho('all', true);
    const { id } = await env.sim.send(CAROL, { to: BOB, text: 'loop?' });
    await env.sim.waitForInbox(CAROL, (e) => e.text === 'Echo: loop?' && e.quotedId === id);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(env.sim.inbox(BOB).filter((e) => e.text?.startsWith('Echo:'))).toEqual([]);
    expect(env.sim.inbox(CAROL).filter((e) => e.text?.startsWith('Echo: Echo:'))).toEqual([]);
  });

  test('turning it off stops the answers; bad input is a 400 or 404', async () => {
    env.sim.setEcho('all', false);
    expect(env.sim.echoes(BOB)).toBe(true);
    await control(`${env.sim.httpUrl}/control/echo`, { phone: BOB, on: false });
    expect(env.sim.echoes(BOB)).toBe(false);
    const sent = (await alice.sock.sendMessage(jid(BOB), { text: 'quiet now' }))!;
    await env.sim.waitForInbox(BOB, (e) => e.id === sent.key.id);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect([...alice.messages.values()].some((m) => textOf(m) === 'Echo: quiet now')).toBe(false);

    expect((await control(`${env.sim.httpUrl}/control/echo`, { phone: BOB, on: 'yes' })).status).toBe(400);
    expect((await control(`${env.sim.httpUrl}/control/echo`, { phone: '19999999999', on: true })).status).toBe(404);
  });
});

describe('echo bot as a start option', () => {
  const env = useSimulator({ echo: true });

  test('`echo: true` (npm run sim -- --echo) makes every account, also one created later, answer', async () => {
    await env.sim.createAccount(ALICE, 'Alice');
    await env.sim.createAccount(BOB, 'Bob');
    const alice = await env.link(ALICE);
    await alice.sock.sendMessage(jid(BOB), { text: 'hello' });
    const reply = await alice.waitForMessage((m) => textOf(m) === 'Echo: hello');
    expect(reply.key.fromMe).toBe(false);
  });
});
