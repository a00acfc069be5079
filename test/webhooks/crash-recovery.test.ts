import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { sql } from 'kysely';
import { request } from 'undici';
import { createDb, parseDatabaseUrl } from '../../server/src/db/connection';
import type { Db } from '../../server/src/db/database';
import { newId } from '../../server/src/db/ids';
import { writeSessionEvents, type EventSession } from '../../server/src/webhooks/outbox';
import { testDatabase, type TestDatabase } from '../helpers/database';
import { eventually } from '../helpers/eventually';
import { collect, spawnTs, waitForOutput, type Finished } from '../helpers/processes';
import { textEvent } from './webhook-world';

// Test 1 waits out a delivery lease (WEBHOOK_TIMEOUT_MS * 2 + 30 s = 32 s), so it takes about 40 s.
jest.setTimeout(100_000);

const EVENTS = 1000;
/** leaseMs = WEBHOOK_TIMEOUT_MS * 2 + 30_000 (create-webhooks.ts). */
const TIMEOUT_MS = 1000;
const LEASE_MS = TIMEOUT_MS * 2 + 30_000;
const ER_LOCK_DEADLOCK = 1213;

// ---------------------------------------------------------------------------------------------------
// A loopback receiver that records every POST with the connection it came on and the process owning
// that connection's client end (found through /proc, so two gateway processes can be told apart).

interface Hit {
  id: string;
  body: string;
  at: number;
  /** pid of the gateway process that opened the connection, when known. */
  owner: number | undefined;
}

class SlowReceiver {
  readonly hits: Hit[] = [];
  readonly ids = new Set<string>();
  /** Requests held unanswered (see holdAfter). */
  readonly held: { id: string; res: ServerResponse }[] = [];
  /** From this many distinct ids on, new requests are held unanswered: deliveries stay in flight. */
  holdAfter = Infinity;
  /** pids whose connections are attributed. */
  pids: number[] = [];
  private readonly owners = new WeakMap<Socket, number | undefined>();
  private server: Server | undefined;

  constructor(private readonly delay: () => number) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const id = String(req.headers['webhook-id']);
        this.hits.push({ id, body, at: Date.now(), owner: this.owners.get(req.socket) });
        this.ids.add(id);
        if (this.ids.size > this.holdAfter) {
          this.held.push({ id, res });
          return;
        }
        setTimeout(() => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'), this.delay());
      });
    });
    this.server.on('connection', (socket: Socket) => this.owners.set(socket, this.ownerOf(socket)));
    this.server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get port(): number {
    return (this.server!.address() as AddressInfo).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Answers nothing held any more (their connections are gone with the killed process). */
  release(): void {
    this.holdAfter = Infinity;
    for (const { res } of this.held.splice(0)) res.destroy();
  }

  async stop(): Promise<void> {
    this.release();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** The pid among `pids` holding the client end of this accepted connection (Linux /proc). */
  private ownerOf(socket: Socket): number | undefined {
    if (this.pids.length === 0) return undefined;
    try {
      const inode = clientSocketInode(socket.remotePort!, this.port);
      if (!inode) return undefined;
      const link = `socket:[${inode}]`;
      for (const pid of this.pids) {
        for (const fd of readdirSync(`/proc/${pid}/fd`)) {
          try {
            if (readlinkSync(`/proc/${pid}/fd/${fd}`) === link) return pid;
          } catch {
            // the descriptor closed meanwhile
          }
        }
      }
    } catch {
      // no /proc: left unattributed
    }
    return undefined;
  }
}

/** The inode of the IPv4 loopback socket localPort → remotePort, from /proc/net/tcp. */
function clientSocketInode(localPort: number, remotePort: number): string | undefined {
  const port = (address: string) => parseInt(address.split(':')[1]!, 16);
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 10) continue;
    if (port(fields[1]!) === localPort && port(fields[2]!) === remotePort && fields[9] !== '0') return fields[9];
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------
// Gateway processes and the world around them; everything is released in afterEach, even on failure.

interface GatewayProcess {
  child: ChildProcess;
  url: string;
  apiKey: string | undefined;
  done: Promise<Finished>;
}

const children: { child: ChildProcess; done: Promise<Finished> }[] = [];
const databases: TestDatabase[] = [];
const pools: Db[] = [];
const receivers: SlowReceiver[] = [];

afterEach(async () => {
  for (const { child, done } of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await done;
  }
  for (const db of pools.splice(0)) await db.destroy().catch(() => undefined);
  for (const receiver of receivers.splice(0)) await receiver.stop();
  for (const database of databases.splice(0)) await database.drop();
});

function baseEnv(database: TestDatabase, timeoutMs = TIMEOUT_MS): Record<string, string> {
  return {
    DATABASE_URL: database.url,
    PORT: '0',
    HOST: '127.0.0.1',
    BCRYPT_COST: '10',
    DATABASE_POOL_SIZE: '5',
    WEBHOOK_ALLOW_PRIVATE: 'true',
    WEBHOOK_TIMEOUT_MS: String(timeoutMs),
    WEBHOOK_POLL_INTERVAL_MS: '50',
    WEBHOOK_RETRY_BASE_DELAY_MS: '200',
    WEBHOOK_RETRY_MAX_DELAY_MS: '1000',
    WEBHOOK_CONCURRENCY: '8',
  };
}

/** Starts server/src/main.ts and waits until it listens; on a new database it also prints the admin's key. */
async function startGateway(env: Record<string, string>, firstStart: boolean, attributeOn?: SlowReceiver): Promise<GatewayProcess> {
  const child = spawnTs('server/src/main.ts', [], env);
  const { output, done } = collect(child);
  children.push({ child, done });
  if (attributeOn && child.pid) attributeOn.pids.push(child.pid);
  const stdout = () => output().stdout + output().stderr;
  const apiKey = firstStart ? (await waitForOutput(stdout, /API key, shown only this once: (bak_\S+)/, 40_000))[1] : undefined;
  const [, url] = await waitForOutput(stdout, /Server listening at (http:\/\/127\.0\.0\.1:\d+)/, 40_000);
  return { child, url: url!, apiKey, done };
}

async function killHard(gateway: GatewayProcess): Promise<Finished> {
  gateway.child.kill('SIGKILL');
  return gateway.done;
}

async function api(gateway: GatewayProcess, method: 'GET' | 'POST', path: string, body?: unknown) {
  const res = await request(`${gateway.url}${path}`, {
    method,
    headers: { 'x-api-key': gateway.apiKey!, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.statusCode, body: (await res.body.json()) as any };
}

/**
 * Through the first gateway: a webhook for every event to the receiver and a Session row that never
 * connects; then 1,000 events queued from this process the way the ingest does (outbox rows written
 * inside the data transaction), 50 per transaction.
 */
async function queueEvents(gateway: GatewayProcess, database: TestDatabase, receiver: SlowReceiver) {
  const created = await api(gateway, 'POST', '/api/v1/webhooks', { url: `${receiver.url}/hook`, event: '*' });
  expect(created.status).toBe(201);
  const me = await api(gateway, 'GET', '/api/v1/me');
  expect(me.status).toBe(200);

  const db = createDb(parseDatabaseUrl(database.url), 3);
  pools.push(db);
  const session: EventSession = { id: newId(), sessionId: 'crash-test', userId: me.body.id, workflowId: null };
  await db
    .insertInto('Session')
    .values({ id: session.id, sessionId: session.sessionId, userId: session.userId, isActive: false })
    .execute();
  let written = 0;
  let deadlocks = 0;
  for (let batch = 0; batch < EVENTS / 50; batch++) {
    const events = Array.from({ length: 50 }, (_, i) => textEvent(session, `event ${batch * 50 + i}`));
    for (let attempt = 1; ; attempt++) {
      try {
        written += await db.transaction().execute((trx) => writeSessionEvents(trx, session, events));
        break;
      } catch (error) {
        // Outbox inserts race a running dispatcher's claims and records; the ingest stores a batch the
        // database refused again, and so does this (how often is in the log line).
        if ((error as { errno?: number }).errno !== ER_LOCK_DEADLOCK || attempt >= 5) throw error;
        deadlocks++;
      }
    }
  }
  expect(written).toBe(EVENTS);
  return { db, webhookId: created.body.id as string, deadlocks };
}

async function deliveryRows(db: Db, webhookId: string) {
  const rows = await db
    .selectFrom('WebhookDelivery')
    .select(['id', 'status', 'attempts', 'nextRetry', 'payload'])
    .where('webhookId', '=', webhookId)
    .execute();
  return rows.map((row) => {
    const payload = typeof row.payload === 'string' ? row.payload : JSON.stringify(row.payload);
    return { ...row, payload, eventId: (JSON.parse(payload) as { id: string }).id };
  });
}

/** How many of the webhook's deliveries are in each status. */
async function statusCounts(db: Db, webhookId: string): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('WebhookDelivery')
    .select(['status', sql<number>`COUNT(*)`.as('count')])
    .where('webhookId', '=', webhookId)
    .groupBy('status')
    .execute();
  return Object.fromEntries(rows.map((row) => [row.status, Number(row.count)]));
}

/** Every recorded attempt of the webhook's deliveries, by delivery id, in attempt order. */
async function attemptsByDelivery(db: Db, webhookId: string) {
  const rows = await db
    .selectFrom('WebhookDeliveryAttempt as a')
    .innerJoin('WebhookDelivery as d', 'd.id', 'a.deliveryId')
    .select(['a.deliveryId', 'a.attempt', 'a.statusCode', 'a.error', 'a.startedAt', 'a.durationMs'])
    .where('d.webhookId', '=', webhookId)
    .orderBy('a.attempt')
    .execute();
  const byDelivery = new Map<string, typeof rows>();
  for (const row of rows) byDelivery.set(row.deliveryId, [...(byDelivery.get(row.deliveryId) ?? []), row]);
  return byDelivery;
}

const slowAnswer = () => 20 + Math.floor(Math.random() * 31);

// ---------------------------------------------------------------------------------------------------

it('a gateway killed with SIGKILL mid-delivery loses nothing: after a restart every event arrives, re-sent ones unchanged', async () => {
  const started = Date.now();
  const database = testDatabase('wh_crash');
  databases.push(database);
  const receiver = await new SlowReceiver(slowAnswer).start();
  receivers.push(receiver);
  // Once 150 distinct events arrived, the receiver stops answering: what the gateway sends next stays in flight.
  receiver.holdAfter = 150;

  const first = await startGateway(baseEnv(database), true);
  const { db, webhookId, deadlocks } = await queueEvents(first, database, receiver);

  // Kill while deliveries are in flight (well before WEBHOOK_TIMEOUT_MS could end them).
  await eventually(
    () => receiver.held.length,
    (held) => held > 0,
    30_000,
    'a delivery in flight',
  );
  await new Promise((resolve) => setTimeout(resolve, 100));
  const killed = await killHard(first);
  const killedAt = Date.now();
  expect(killed.signal).toBe('SIGKILL');
  await new Promise((resolve) => setTimeout(resolve, 100));
  const heldAtKill = new Set(receiver.held.map((held) => held.id));
  receiver.release();

  const seenBeforeKill = new Set(receiver.ids);
  const hitsBeforeKill = receiver.hits.length;
  expect(seenBeforeKill.size).toBeGreaterThan(0);
  expect(seenBeforeKill.size).toBeLessThan(EVENTS);
  const atKill = await deliveryRows(db, webhookId);
  expect(atKill).toHaveLength(EVENTS);
  const succeededAtKill = atKill.filter((row) => row.status === 'SUCCESS').length;
  expect(succeededAtKill).toBeLessThan(EVENTS);
  // The killed process held deliveries under a lease: claimed (nextRetry pushed to the lease end), never recorded.
  const leased = atKill.filter((row) => row.status === 'PENDING' && row.nextRetry !== null && row.nextRetry.getTime() > killedAt);
  expect(leased.length).toBeGreaterThan(0);
  for (const row of leased) expect(row.nextRetry!.getTime()).toBeLessThanOrEqual(killedAt + LEASE_MS);
  const leaseEnd = new Map(leased.map((row) => [row.eventId, row.nextRetry!.getTime()]));
  // What the receiver was holding at the kill is among the leased deliveries.
  expect([...heldAtKill].filter((id) => !leaseEnd.has(id))).toEqual([]);

  const second = await startGateway(baseEnv(database), false);
  const restartedAt = Date.now();
  // The held deliveries already reached the receiver once, so all ids may be seen before the leases end:
  // wait for the database to say every delivery succeeded (the leased ones only after their lease).
  await eventually(
    async (): Promise<Record<string, number>> => ({ ...(await statusCounts(db, webhookId)), ids: receiver.ids.size }),
    (counts) => counts.ids === EVENTS && counts.SUCCESS === EVENTS,
    LEASE_MS + 25_000,
    `all ${EVENTS} event ids at the receiver and every delivery SUCCESS`,
  );
  const rows = await deliveryRows(db, webhookId);
  const drainedAt = Date.now();

  // None missing: every queued event reached the receiver, and nothing else did.
  const queued = new Map(rows.map((row) => [row.eventId, row.payload]));
  expect(queued.size).toBe(EVENTS);
  expect([...receiver.ids].filter((id) => !queued.has(id))).toEqual([]);
  expect(rows).toHaveLength(EVENTS);

  // Every receipt carries the stored body of its event, so a duplicate is the same id with the same body.
  for (const hit of receiver.hits) {
    expect(hit.body).toBe(queued.get(hit.id));
    expect((JSON.parse(hit.body) as { id: string }).id).toBe(hit.id);
  }
  const receipts = new Map<string, Hit[]>();
  for (const hit of receiver.hits) receipts.set(hit.id, [...(receipts.get(hit.id) ?? []), hit]);
  const duplicated = [...receipts].filter(([, hits]) => hits.length > 1).map(([id]) => id);
  // What the killed process held under a lease was sent again after the restart, but never before its lease ended.
  for (const [id, end] of leaseEnd) {
    const after = receipts.get(id)!.filter((hit) => hit.at > killedAt);
    expect(after.length).toBeGreaterThan(0);
    for (const hit of after) expect(hit.at).toBeGreaterThanOrEqual(end - 50);
  }
  for (const id of heldAtKill) expect(receipts.get(id)!.length).toBeGreaterThan(1);

  // The restarted process took over the unclaimed backlog at once, without waiting for the leases.
  const earliestLeaseEnd = Math.min(...leaseEnd.values());
  const unclaimed = atKill.filter((row) => row.status === 'PENDING' && !leaseEnd.has(row.eventId)).map((row) => row.eventId);
  expect(unclaimed.length).toBeGreaterThan(0);
  for (const id of unclaimed) expect(receipts.get(id)![0]!.at).toBeLessThan(earliestLeaseEnd);

  // Each delivery succeeded once: its recorded attempts are 1..n, only the last one 2xx (the killed process's
  // unrecorded attempts left no trace). An earlier failed attempt is a timeout: the restarted gateway starts
  // dispatching before it listens, and its start-up work can hold its event loop past WEBHOOK_TIMEOUT_MS.
  const attempts = await attemptsByDelivery(db, webhookId);
  expect(attempts.size).toBe(EVENTS);
  const failedAttempts: string[] = [];
  for (const row of rows) {
    const recorded = attempts.get(row.id) ?? [];
    expect(recorded.map((attempt) => attempt.attempt)).toEqual(Array.from({ length: row.attempts }, (_, i) => i + 1));
    expect(recorded.at(-1)!.statusCode).toBe(200);
    for (const attempt of recorded.slice(0, -1)) {
      expect(attempt.statusCode === null || attempt.statusCode >= 300).toBe(true);
      failedAttempts.push(`${attempt.startedAt.toISOString()} ${attempt.durationMs} ms: ${attempt.error}`);
    }
  }

  console.log(
    `crash: ${seenBeforeKill.size} distinct events (${hitsBeforeKill} requests, ${succeededAtKill} recorded) before SIGKILL, ` +
      `${heldAtKill.size} held in flight, ${leased.length} leased; ${duplicated.length} ids received more than once; ` +
      `${receiver.hits.length} requests in all; restart → drained ${((drainedAt - restartedAt) / 1000).toFixed(1)} s; ` +
      `test ${((Date.now() - started) / 1000).toFixed(1)} s; ${deadlocks} outbox transactions retried after a deadlock` +
      (failedAttempts.length ? `; failed attempts: ${failedAttempts.length} (${failedAttempts[0]})` : ''),
  );
  second.child.kill('SIGTERM');
  expect((await second.done).code).toBe(0);
});

it('three gateway processes on one database share the backlog and send each delivery exactly once', async () => {
  const started = Date.now();
  const database = testDatabase('wh_three_procs');
  databases.push(database);
  const receiver = await new SlowReceiver(slowAnswer).start();
  receivers.push(receiver);

  // All processes are up (the first one migrates and creates the admin) before anything is queued, so no
  // delivery overlaps their start-up; the default 10 s timeout keeps a busy machine from failing an attempt.
  const env = { ...baseEnv(database, 10_000), WEBHOOK_CONCURRENCY: '4' };
  const a = await startGateway(env, true, receiver);
  const gateways = [a, await startGateway(env, false, receiver), await startGateway(env, false, receiver)];
  const pids = gateways.map((gateway) => gateway.child.pid!);
  expect(receiver.pids).toEqual(pids);
  const allUp = Date.now();
  // 4 in flight each: none drains the backlog alone in the time it takes the others to notice it.
  const { db, webhookId, deadlocks } = await queueEvents(a, database, receiver);

  await eventually(
    () => receiver.ids.size,
    (size) => size === EVENTS,
    45_000,
    `all ${EVENTS} event ids at the receiver`,
  );
  await eventually(
    () => statusCounts(db, webhookId),
    (counts) => counts.SUCCESS === EVENTS,
    10_000,
    'every delivery SUCCESS',
  );
  const rows = await deliveryRows(db, webhookId);
  const drainedAt = Date.now();
  // All still alive at the end: none crashed into a lease takeover.
  for (const gateway of gateways) expect(gateway.child.exitCode).toBeNull();
  // Nothing more can arrive once all have finished their requests in flight and exited.
  for (const gateway of gateways) gateway.child.kill('SIGTERM');
  for (const gateway of gateways) expect((await gateway.done).code).toBe(0);

  // Exactly once: each webhook-id received once, each delivery attempted once and recorded once.
  expect(receiver.hits).toHaveLength(EVENTS);
  expect(receiver.ids.size).toBe(EVENTS);
  const queued = new Map(rows.map((row) => [row.eventId, row.payload]));
  for (const hit of receiver.hits) expect(hit.body).toBe(queued.get(hit.id));
  expect(rows.every((row) => row.attempts === 1)).toBe(true);
  const attempts = await attemptsByDelivery(db, webhookId);
  expect(attempts.size).toBe(EVENTS);
  expect([...attempts.values()].filter((recorded) => recorded.length !== 1 || recorded[0]!.statusCode !== 200)).toEqual([]);

  // Every process sent: every request came on a connection one of them owned (found through /proc).
  expect(receiver.hits.filter((hit) => hit.owner === undefined)).toEqual([]);
  const byProcess = pids.map((pid) => receiver.hits.filter((hit) => hit.owner === pid).length);
  for (const count of byProcess) expect(count).toBeGreaterThan(0);
  // ...and they worked side by side: all were sending at one moment.
  const spans = pids.map((pid) => receiver.hits.filter((hit) => hit.owner === pid).map((hit) => hit.at));
  expect(Math.max(...spans.map((times) => Math.min(...times)))).toBeLessThan(Math.min(...spans.map((times) => Math.max(...times))));

  console.log(
    `three processes: ${byProcess.join(' + ')} deliveries; drained ${((drainedAt - allUp) / 1000).toFixed(1)} s after all were up (queued and delivered); ` +
      `test ${((Date.now() - started) / 1000).toFixed(1)} s; ${deadlocks} outbox transactions retried after a deadlock`,
  );
});
