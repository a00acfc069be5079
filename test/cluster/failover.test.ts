import type { RowDataPacket } from 'mysql2';
import { createConnection, type Connection } from 'mysql2/promise';
import { startSimulator, type Simulator } from '../wa-sim';
import { testDatabase } from '../helpers/database';
import { eventually } from '../helpers/eventually';
import { spawnGateway, stopGateway, type GatewayProcess } from '../helpers/gateway-process';
import { gatewayEnvFor } from '../helpers/whatsapp';

jest.setTimeout(240_000);

// Three gateway processes on one database, 30 paired sessions spread over them (created through each
// process in turn, as a load balancer would), then a kill -9 and a rolling restart under traffic.
const SESSIONS = 30;
const ADMIN = { email: 'admin@cluster.test', password: 'cluster-password-1' };
const CONTACT = '4917000000000';
const phoneOf = (i: number) => `49170000${String(i + 1).padStart(5, '0')}`;
const sessionIdOf = (i: number) => `s${i}`;

const database = testDatabase('cluster');
let sim: Simulator;
let db: Connection;
let env: Record<string, string>;
let processes: GatewayProcess[] = [];
let key: string;
const conflicts: string[] = [];
/** When each phone's linked (gateway) device last came online at the simulator. */
const cameOnline = new Map<string, number>();
/** Ids of the messages the contact sent, by the session phone they went to. */
const sent: { id: string; to: string; at: number }[] = [];

const rows = async <T>(query: string, params: unknown[] = []) => (await db.query<RowDataPacket[]>(query, params))[0] as T[];
const processIdOf = async (gateway: GatewayProcess) =>
  (
    await eventually(
      () => rows<{ id: string }>('SELECT id FROM GatewayProcess WHERE address = ?', [gateway.url]),
      (r) => r.length === 1,
    )
  )[0]!.id;

/** Every session: its status as stored, and the process holding a live lease on it (if any). */
const placement = () =>
  rows<{ sessionId: string; status: string; ownerId: string | null }>(
    `SELECT s.sessionId, s.status, IF(p.heartbeatAt >= NOW(3) - INTERVAL 15 SECOND, l.ownerId, NULL) AS ownerId
     FROM Session s LEFT JOIN SessionLease l ON l.sessionId = s.id LEFT JOIN GatewayProcess p ON p.id = l.ownerId
     ORDER BY s.sessionId`,
  );

/** Waits until all sessions are CONNECTED, each held by one of `owners`. */
const allConnectedOn = (owners: string[], timeoutMs: number) =>
  eventually(
    placement,
    (sessions) => sessions.length === SESSIONS && sessions.every((s) => s.status === 'CONNECTED' && owners.includes(s.ownerId ?? '')),
    timeoutMs,
    'every session CONNECTED on a live process',
  );

const sendToEverySession = async (label: string) => {
  for (let i = 0; i < SESSIONS; i++) {
    const { id } = await sim.send(CONTACT, { to: phoneOf(i), text: `${label} → ${i}` });
    sent.push({ id, to: phoneOf(i), at: Date.now() });
  }
};

/** Every message the contact sent is stored once, in the session of the phone it went to. */
const everyMessageStoredOnce = () =>
  eventually(
    () =>
      rows<{ messageId: string; copies: number }>(
        `SELECT m.messageId, COUNT(*) AS copies FROM Message m WHERE m.fromMe = 0 AND m.chatId = ? GROUP BY m.messageId`,
        [`${CONTACT}@s.whatsapp.net`],
      ),
    (stored) => missing(stored).length === 0,
    30_000,
    `all ${sent.length} sent messages stored once`,
  ).catch(async (error: Error) => {
    const stored = await rows<{ messageId: string; copies: number }>(
      'SELECT messageId, COUNT(*) AS copies FROM Message GROUP BY messageId',
    );
    throw new Error(`${error.message.slice(0, 200)}\nnot stored once: ${JSON.stringify(missing(stored))}`);
  });

const missing = (stored: { messageId: string; copies: number }[]) => {
  const copies = new Map(stored.map((row) => [row.messageId, Number(row.copies)]));
  return sent.filter(({ id }) => copies.get(id) !== 1).map((entry) => ({ ...entry, copies: copies.get(entry.id) ?? 0 }));
};

beforeAll(async () => {
  sim = await startSimulator();
  sim.serverEvents.on('device-conflict', (ref: { account: { phone: string } }) => conflicts.push(ref.account.phone));
  sim.serverEvents.on('device-online', (ref: { account: { phone: string }; device: { hosted: boolean } }) => {
    if (!ref.device.hosted) cameOnline.set(ref.account.phone, Date.now());
  });
  env = {
    ...gatewayEnvFor(sim),
    DATABASE_URL: database.url,
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    RATE_LIMIT_MAX: '100000',
    DATABASE_POOL_SIZE: '5',
  };
  // The first process creates the database and the first admin; the others join it.
  const first = await spawnGateway(env, { expectAdmin: true });
  key = first.adminKey!;
  processes = [first, ...(await Promise.all([spawnGateway(env), spawnGateway(env)]))];
  db = await createConnection(database.url);

  await sim.createAccount(CONTACT, 'Contact');
  for (let i = 0; i < SESSIONS; i++) await sim.createAccount(phoneOf(i), `Phone ${i}`);
  for (let start = 0; start < SESSIONS; start += 6) {
    await Promise.all(
      Array.from({ length: 6 }, async (_, offset) => {
        const i = start + offset;
        const { api } = processes[i % 3]!;
        const created = await api.post('/api/v1/sessions', { key, body: { sessionId: sessionIdOf(i) } });
        if (created.status !== 201) throw new Error(`session ${i}: ${JSON.stringify(created.body)}`);
        const waiting = await eventually(
          async () => (await api.get(`/api/v1/sessions/${sessionIdOf(i)}`, { key })).body,
          (s) => s.status === 'QR_REQUIRED',
          20_000,
        );
        await sim.scan(phoneOf(i), waiting.qrCode);
      }),
    );
  }
  await allConnectedOn(await Promise.all(processes.map(processIdOf)), 60_000);
});

afterAll(async () => {
  await Promise.all(processes.map((gateway) => stopGateway(gateway, 5000)));
  await db?.end();
  await sim?.stop();
  await database.drop();
});

it('a login token from one process works on every other (the signing key is shared through the database)', async () => {
  const login = await processes[0]!.api.post('/api/v1/auth/login', { body: ADMIN });
  expect(login.status).toBe(200);
  for (const gateway of processes) {
    expect((await gateway.api.get('/api/v1/me', { key: login.body.token })).body).toMatchObject({ email: ADMIN.email });
  }
});

it('a REST call, a QR fetch and a send work through any process for any session (forwarded to its owner, metered once)', async () => {
  const sent: string[] = [];
  for (const [p, gateway] of processes.entries()) {
    for (const i of [p, p + 1, p + 2]) {
      const view = await gateway.api.get(`/api/v1/sessions/${sessionIdOf(i)}`, { key });
      expect(view.body).toMatchObject({ sessionId: sessionIdOf(i), status: 'CONNECTED' });
      const text = `via process ${p} from session ${i}`;
      const sentNow = await gateway.api.post(`/api/v1/sessions/${sessionIdOf(i)}/messages`, {
        key,
        body: { to: CONTACT, type: 'text', text },
      });
      expect(sentNow.status).toBeLessThan(300);
      await sim.waitForInbox(CONTACT, (entry) => entry.text === text, 10_000);
      sent.push(text);
    }
  }
  // A new session lands on the least-loaded process; its QR is served by every process.
  expect((await processes[0]!.api.post('/api/v1/sessions', { key, body: { sessionId: 'fresh' } })).status).toBe(201);
  const qrs = await Promise.all(
    processes.map((gateway) =>
      eventually(
        () => gateway.api.get('/api/v1/sessions/fresh/qr', { key }),
        (res) => res.status === 200,
        20_000,
      ),
    ),
  );
  expect(new Set(qrs.map((res) => res.body.qr)).size).toBe(1);
  expect((await processes[1]!.api.delete('/api/v1/sessions/fresh', { key })).status).toBeLessThan(300);
  // A last call on each process, flushed after everything before it there: then each send is counted once, not twice.
  for (const gateway of processes) await gateway.api.get('/api/v1/sessions?limit=1', { key });
  await eventually(
    () => rows<{ n: number }>("SELECT COUNT(*) AS n FROM ApiUsage WHERE endpoint = '/api/v1/sessions' AND method = 'GET'"),
    ([row]) => Number(row!.n) === processes.length,
    10_000,
    'the last calls recorded',
  );
  const [sends] = await rows<{ n: number }>(
    "SELECT COUNT(*) AS n FROM ApiUsage WHERE endpoint = '/api/v1/sessions/:sessionId/messages' AND method = 'POST'",
  );
  expect(Number(sends!.n)).toBe(sent.length);
});

it('spreads the sessions over the processes, one owner each', async () => {
  const owners = await Promise.all(processes.map(processIdOf));
  const sessions = await placement();
  for (const owner of owners) expect(sessions.filter((s) => s.ownerId === owner)).toHaveLength(SESSIONS / 3);
});

it('kill -9 of a process: its sessions run on the others within 45 s, without a conflict, and no message is lost', async () => {
  const [victim, ...survivors] = processes;
  const survivorIds = await Promise.all(survivors.map(processIdOf));
  const victimId = await processIdOf(victim!);
  const orphaned = (await placement()).filter((s) => s.ownerId === victimId).map((s) => phoneOf(Number(s.sessionId.slice(1))));
  expect(orphaned).toHaveLength(SESSIONS / 3);
  const killedAt = Date.now();
  victim!.child.kill('SIGKILL');
  await victim!.done;
  await sendToEverySession('during the failover');

  await allConnectedOn(survivorIds, 45_000);
  await eventually(
    () => orphaned.filter((phone) => (cameOnline.get(phone) ?? 0) > killedAt),
    (back) => back.length === orphaned.length,
    45_000,
    'the orphaned sessions back online at WhatsApp',
  );
  const failoverMs = Date.now() - killedAt;
  await everyMessageStoredOnce();
  // Each survivor took its share of the orphans.
  const sessions = await placement();
  for (const owner of survivorIds) expect(sessions.filter((s) => s.ownerId === owner)).toHaveLength(SESSIONS / 2);
  expect(failoverMs).toBeLessThan(45_000);
  expect(conflicts).toEqual([]);
  processes = survivors;
});

it('a rolling restart under a steady flow of messages loses nothing and opens no second socket', async () => {
  let flowing = true;
  const flow = (async () => {
    for (let n = 0; flowing; n++) {
      const { id } = await sim.send(CONTACT, { to: phoneOf(n % SESSIONS), text: `flow ${n}` });
      sent.push({ id, to: phoneOf(n % SESSIONS), at: Date.now() });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  try {
    for (let round = 0; round < 2; round++) {
      const [leaving, ...staying] = processes;
      const replacement = await spawnGateway(env);
      const finished = await stopGateway(leaving!);
      expect(finished.code).toBe(0);
      processes = [...staying, replacement];
      await allConnectedOn(
        await Promise.all(staying.map(processIdOf)).then(async (ids) => [...ids, await processIdOf(replacement)]),
        45_000,
      );
    }
  } finally {
    flowing = false;
    await flow;
  }
  await sendToEverySession('after the restarts');
  await everyMessageStoredOnce();
  expect(conflicts).toEqual([]);
});
