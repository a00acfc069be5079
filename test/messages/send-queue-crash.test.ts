import type { ChildProcess } from 'node:child_process';
import { request } from 'undici';
import { createDb, parseDatabaseUrl } from '../../server/src/db/connection';
import type { Db } from '../../server/src/db/database';
import { testDatabase, type TestDatabase } from '../helpers/database';
import { eventually } from '../helpers/eventually';
import { collect, spawnTs, waitForOutput, type Finished } from '../helpers/processes';
import { gatewayEnvFor } from '../helpers/whatsapp';
import { startSimulator, trustSimulator, type Simulator } from '../wa-sim';

jest.setTimeout(150_000);

/*
 * Sends accepted before a kill -9 go out after the restart, once: a gateway process (a child, killed with
 * SIGKILL) queues paced sends, dies while most of them still wait for their turn, and the restarted
 * process on the same database sends the rest — each message exactly once, under the id it was accepted with.
 */

const ME = '15550612001';
const CARA = '15550612002';
const SENDS = 6;
/** A row the killed process held is taken over when its lease ends. */
const LEASE_MS = 3000;

interface GatewayProcess {
  child: ChildProcess;
  url: string;
  done: Promise<Finished>;
}

let sim: Simulator;
let database: TestDatabase;
let db: Db;
const children: GatewayProcess[] = [];

beforeAll(async () => {
  sim = await startSimulator();
  trustSimulator(sim);
  await sim.createAccount(ME, 'Me');
  await sim.createAccount(CARA, 'Cara');
  database = testDatabase('sq_crash');
});
afterAll(async () => {
  for (const { child, done } of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await done;
  }
  await db?.destroy();
  await database?.drop();
  await sim?.stop();
});

const env = () => ({
  ...gatewayEnvFor(sim),
  DATABASE_URL: database.url,
  PORT: '0',
  HOST: '127.0.0.1',
  BCRYPT_COST: '10',
  DATABASE_POOL_SIZE: '5',
  SEND_QUEUE_LEASE_MS: String(LEASE_MS),
  SEND_QUEUE_POLL_INTERVAL_MS: '100',
});

async function startGateway(): Promise<GatewayProcess & { apiKey?: string }> {
  const child = spawnTs('server/src/main.ts', [], env());
  const { output, done } = collect(child);
  const gateway = { child, done, url: '' };
  children.push(gateway);
  const text = () => output().stdout + output().stderr;
  const [, url] = await waitForOutput(text, /Server listening at (http:\/\/127\.0\.0\.1:\d+)/, 40_000);
  gateway.url = url!;
  return { ...gateway, apiKey: /API key, shown only this once: (bak_\S+)/.exec(text())?.[1] };
}

function client(gateway: GatewayProcess, apiKey: string) {
  return async (method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await request(`${gateway.url}/api/v1${path}`, {
      method,
      headers: { 'x-api-key': apiKey, ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.statusCode, headers: res.headers, body: (await res.body.json()) as any };
  };
}

const text = (i: number) => `accepted before the crash #${i}`;

it('sends accepted before a kill -9 go out after the restart, once', async () => {
  const relayed = new Map<string, number>();
  sim.serverEvents.on('message-relayed', ({ id }: { id: string }) => relayed.set(id, (relayed.get(id) ?? 0) + 1));

  const first = await startGateway();
  const apiKey = first.apiKey!;
  expect(apiKey).toBeDefined();
  let api = client(first, apiKey);
  expect((await api('POST', '/sessions', { sessionId: 'me' })).status).toBe(201);
  const waiting = await eventually(
    async () => (await api('GET', '/sessions/me')).body,
    (s) => s.status === 'QR_REQUIRED',
    20_000,
    'QR',
  );
  await sim.scan(ME, waiting.qrCode);
  await eventually(
    async () => (await api('GET', '/sessions/me')).body,
    (s) => s.status === 'CONNECTED',
    20_000,
    'connected',
  );

  // One a second, each after 1.5 s of "typing…": the process dies while it holds one (SENDING, under a
  // lease, typing) and the others wait for their turn.
  const pacing = { paceSingleSends: true, messagesPerMinute: 60, jitterMs: 0, typingMs: 1500 };
  expect((await api('PUT', '/sessions/me/pacing', pacing)).status).toBe(200);
  const accepted = [];
  for (let i = 1; i <= SENDS; i++) {
    const res = await api('POST', '/sessions/me/messages', { to: CARA, type: 'text', text: text(i) }, { 'idempotency-key': `crash-${i}` });
    expect(res.status).toBe(202);
    accepted.push(res.body as { id: string; messageId: string });
  }
  await eventually(
    () => sim.inbox(CARA).filter((e) => e.text?.startsWith('accepted before the crash')).length,
    (n) => n >= 2,
    30_000,
    'two sends arrived',
  );
  const typing = await new Promise<number>((resolve) =>
    sim.serverEvents.once('chatstate', (event: { state: string; at: number }) => resolve(event.at)),
  );
  first.child.kill('SIGKILL');
  const killedAt = Date.now();
  expect((await first.done).signal).toBe('SIGKILL');
  expect(killedAt - typing).toBeLessThan(1500);

  db = createDb(parseDatabaseUrl(database.url), 2);
  const atKill = await db.selectFrom('SendQueue').select(['messageId', 'status', 'leaseUntil']).execute();
  expect(atKill).toHaveLength(SENDS);
  const held = atKill.filter((row) => row.status === 'SENDING');
  expect(held).toHaveLength(1);
  expect(held[0]!.leaseUntil!.getTime()).toBeGreaterThan(killedAt);
  expect(atKill.filter((row) => row.status === 'QUEUED').length).toBeGreaterThanOrEqual(1);
  const relayedAt = new Map<string, number>();
  sim.serverEvents.on('message-relayed', ({ id }: { id: string }) => relayedAt.set(id, Date.now()));

  const second = await startGateway();
  api = client(second, apiKey);
  const rows = await eventually(
    () => db.selectFrom('SendQueue').select(['messageId', 'status', 'attempts']).execute(),
    (list) => list.length === SENDS && list.every((row) => row.status === 'SENT'),
    40_000,
    'every accepted send SENT after the restart',
  );
  expect(new Set(rows.map((row) => row.messageId))).toEqual(new Set(accepted.map((a) => a.messageId)));
  // The row the killed process held was taken over once its lease ended, not before.
  expect(relayedAt.get(held[0]!.messageId)).toBeGreaterThanOrEqual(held[0]!.leaseUntil!.getTime() - 50);

  // Retried with their keys on the new process: the same messages, nothing new queued.
  for (let i = 1; i <= SENDS; i++) {
    const res = await api('POST', '/sessions/me/messages', { to: CARA, type: 'text', text: text(i) }, { 'idempotency-key': `crash-${i}` });
    expect(res.headers['idempotent-replayed']).toBe('true');
    expect(res.body).toMatchObject({ messageId: accepted[i - 1]!.messageId, status: 'SENT' });
  }
  expect(await db.selectFrom('SendQueue').select('id').execute()).toHaveLength(SENDS);

  // Nothing is queued any more, so nothing more can be sent for them; a last message, sent directly,
  // is relayed after anything the queue could still have sent.
  expect((await api('PUT', '/sessions/me/pacing', { paceSingleSends: false })).status).toBe(200);
  const last = await api('POST', '/sessions/me/messages', { to: CARA, type: 'text', text: 'after the restart' });
  expect(last.status).toBe(201);
  await sim.waitForInbox(CARA, (e) => e.id === last.body.messageId, 10_000);

  const inbox = sim.inbox(CARA);
  for (let i = 1; i <= SENDS; i++) {
    const copies = inbox.filter((e) => e.text === text(i));
    expect({ i, copies: copies.map((e) => e.id) }).toEqual({ i, copies: [accepted[i - 1]!.messageId] });
    expect(relayed.get(accepted[i - 1]!.messageId)).toBe(1);
  }

  second.child.kill('SIGTERM');
  expect((await second.done).code).toBe(0);
});
