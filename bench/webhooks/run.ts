import { createConnection, type Connection, type RowDataPacket } from 'mysql2/promise';
import { Agent, request } from 'undici';
import { loadConfig } from '../../server/src/config';
import { isDeadlock } from '../../server/src/db/errors';
import { newId } from '../../server/src/db/ids';
import { toJson } from '../../server/src/db/json';
import { createLogger } from '../../server/src/logger';
import { createServer, type Server } from '../../server/src/server';
import type { EventSession } from '../../server/src/webhooks/outbox';
import { signWebhook } from '../../server/src/webhooks/signing';
import { textEvent } from '../../test/webhooks/webhook-world';
import { startTs, waitFor, type Child } from '../lib/child';
import { startIpcChild } from '../lib/ipc';
import { BENCH_MYSQL } from '../lib/gateway';
import { median, percentile } from '../lib/stats';
import { reportSummary } from '../lib/summary';
import { startReceiver } from './receiver';
import { sleep, until } from '../lib/wait';

// Durable webhooks against raw HTTP, and their latency. The gateway (createServer) runs in this
// process on a fresh database; the receiver (a plain node:http server answering 200 at once) and the
// WhatsApp simulator each run in a process of their own (BENCH_RECEIVER=inline puts the receiver in
// this process). WEBHOOK_* variables in the environment reach the gateway's configuration.
//
// 1. Throughput. Each of BENCH_ROUNDS (5) rounds queues BENCH_EVENTS (20,000) events for one session
//    through the outbox (500 per transaction, the dispatcher stopped; not timed), then times, one after
//    the other on the same receiver: the baseline, raw undici.request POSTs of those same bodies with the
//    same headers and Standard Webhooks signature (computed per request, as the dispatcher does) through
//    one pooled Agent, BENCH_CONCURRENCY (64) at once; and the durable drain: the dispatcher
//    (WEBHOOK_CONCURRENCY = BENCH_CONCURRENCY) started on the queue, until the receiver has every
//    delivery and every row is recorded SUCCESS (the last row's updatedAt). Medians of the rounds.
//    Target: ratio >= 0.5.
// 2. Latency, stored (WebhookDelivery.createdAt) → the receiver's arrival time (Date.now(): one clock
//    for both), with the dispatcher running as in production (default poll interval; the wake-up after
//    each commit is what makes it prompt). Target: p99 < 100 ms.
//    a. BENCH_RATE (500) events/s for one session through the outbox, for BENCH_LATENCY_SECONDS (20)
//       after a 2 s warm-up: events arrive on schedule and one writer stores them in order, up to 8 per
//       transaction, as a session's ingest queue does (without the Message rows).
//    b. Messages from BENCH_CONTACTS (4) simulated contacts through WhatsApp (simulator → Baileys →
//       ingest → outbox → dispatcher) for BENCH_SIM_SECONDS (15) after a 3 s warm-up, at BENCH_SIM_RATE
//       (500) msg/s or, when the simulator cannot sustain that, at BENCH_SIM_FRACTION (0.6) of the
//       ceiling it reached in a 5 s closed-loop run just before.
// Everything is bounded: BENCH_DEADLINE_SECONDS (900) stops the run, cleaning up, whatever happens.

const EVENTS = Number(process.env.BENCH_EVENTS ?? 20_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
const RECEIVER = process.env.BENCH_RECEIVER ?? 'process';
const QUEUE_BATCH = 500;
const RATE = Number(process.env.BENCH_RATE ?? 500);
const LATENCY_SECONDS = Number(process.env.BENCH_LATENCY_SECONDS ?? 20);
const SIM_RATE = Number(process.env.BENCH_SIM_RATE ?? 500);
const SIM_SECONDS = Number(process.env.BENCH_SIM_SECONDS ?? 15);
/** The share of the simulator's measured ceiling to send at steadily, when that is below BENCH_SIM_RATE. */
const SIM_FRACTION = Number(process.env.BENCH_SIM_FRACTION ?? 0.6);
const CONTACTS = Number(process.env.BENCH_CONTACTS ?? 4);
const PARTS = new Set((process.env.BENCH_PARTS ?? 'throughput,outbox,whatsapp').split(','));
const DEADLINE_MS = Number(process.env.BENCH_DEADLINE_SECONDS ?? 900) * 1000;

const ME = '15559980001';
const contactPhone = (i: number) => `155599810${String(i).padStart(2, '0')}`;

const fixed = (value: number, digits = 0) => value.toFixed(digits);

function percentiles(values: number[]): string {
  if (values.length === 0) return 'no samples';
  const at = (q: number) => percentile(values, q);
  return `p50 ${at(0.5)} ms, p95 ${at(0.95)} ms, p99 ${at(0.99)} ms, max ${at(1)} ms (n=${values.length})`;
}

const p99 = (values: number[]) => percentile(values, 0.99);

/** The simulator process: commands over IPC, one reply each. */
interface SimDriver {
  wsUrl: string;
  rootKey: string;
  call<T = any>(cmd: string, args?: Record<string, unknown>): Promise<T>;
  stop(): Promise<void>;
}

async function startSimDriver(): Promise<SimDriver> {
  const driver = await startIpcChild<{ wsUrl: string; rootKey: string }>('bench/webhooks/sim-driver.ts');
  return { ...driver.ready, call: driver.call, stop: driver.stop };
}

interface ReceiverHandle {
  url: string;
  stats(): Promise<{ count: number; first: number; last: number }>;
  arrivals(): Promise<Map<string, number>>;
  reset(): Promise<void>;
  stop(): Promise<void>;
}

async function startReceiverHandle(): Promise<ReceiverHandle> {
  let url: string;
  let stop: () => Promise<void>;
  if (RECEIVER === 'inline') {
    ({ url, stop } = await startReceiver());
  } else {
    const child: Child = startTs('bench/webhooks/receiver.ts', {});
    url = (await waitFor(child, /listening (\S+)/))[1]!;
    stop = () => child.stop();
  }
  const control = (route: string, method = 'GET') => fetch(`${url}${route}`, { method }).then((res) => res.json() as Promise<any>);
  return {
    url,
    stats: () => control('/__stats'),
    arrivals: async () => new Map(await control('/__arrivals')),
    reset: () => control('/__reset', 'POST'),
    stop,
  };
}

interface Bench {
  server: Server;
  log: GatewayLog;
  db: Connection;
  receiver: ReceiverHandle;
  session: EventSession;
  hook: { id: string; secret: string; url: string };
  api(method: 'GET' | 'POST', url: string, body?: unknown): Promise<any>;
}

/**
 * The gateway's warnings and errors, counted by message and error code (a deadlock the dispatcher
 * retried, say) and reported after each part instead of printed as they come.
 */
class GatewayLog {
  private counts = new Map<string, number>();
  write(line: string): void {
    const entry = JSON.parse(line) as { level: number; msg?: string; err?: { code?: string; message?: string } };
    if (entry.level < 40 || entry.msg?.startsWith('!!! WHATSAPP_ROOT_KEY')) return;
    const key = `${entry.msg ?? ''}${entry.err ? ` (${entry.err.code ?? entry.err.message?.slice(0, 80)})` : ''}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }
  /** What was logged since the last call. */
  take(): string {
    const text = [...this.counts].map(([key, n]) => `${key} ×${n}`).join('; ');
    this.counts.clear();
    return text || 'none';
  }
}

/** Numbers from MariaDB timestamps: ms since the epoch (the session time zone is UTC, like the gateway's). */
const MS = (column: string) => `ROUND(UNIX_TIMESTAMP(${column}) * 1000)`;

async function rows<T = RowDataPacket>(db: Connection, query: string, params: unknown[] = []): Promise<T[]> {
  const [result] = await db.query<RowDataPacket[]>(query, params);
  return result as T[];
}

const pendingCount = async (db: Connection) =>
  Number((await rows(db, "SELECT COUNT(*) AS n FROM WebhookDelivery WHERE status IN ('PENDING', 'RETRYING')"))[0]!.n);

/** Stores `count` events through the outbox, `perTransaction` to a transaction, as the ingest does. */
async function queue(bench: Bench, count: number, perTransaction: number, label: string): Promise<void> {
  const { ctx } = bench.server;
  for (let i = 0; i < count; i += perTransaction) {
    const events = Array.from({ length: Math.min(perTransaction, count - i) }, (_, j) => textEvent(bench.session, `${label} ${i + j}`));
    await ctx.db.transaction().execute((trx) => ctx.delivery.outbox(trx, bench.session, events));
  }
}

/** The baseline: the same bodies POSTed with undici, `CONCURRENCY` at once, signed like the dispatcher signs. */
async function rawUndici(bench: Bench, agent: Agent, bodies: { id: string; payload: string }[]): Promise<number> {
  let next = 0;
  let failed = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < bodies.length) {
        const { id, payload } = bodies[next++]!;
        const timestamp = Math.floor(Date.now() / 1000);
        const response = await request(bench.hook.url, {
          method: 'POST',
          body: payload,
          headers: {
            'content-type': 'application/json',
            'user-agent': 'baileys-api-webhooks/1',
            'webhook-id': id,
            'webhook-timestamp': String(timestamp),
            'webhook-signature': signWebhook({ id, timestamp, body: payload, secrets: [bench.hook.secret] }),
          },
          dispatcher: agent,
        });
        await response.body.text();
        if (response.statusCode !== 200) failed++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const received = (await bench.receiver.stats()).count;
  if (failed > 0 || received !== bodies.length) throw new Error(`baseline: ${failed} failed, receiver got ${received} of ${bodies.length}`);
  return bodies.length / seconds;
}

/** Starts the dispatcher on a full queue and waits until every delivery arrived and is recorded SUCCESS. */
async function durableDrain(bench: Bench, count: number): Promise<{ recorded: number; delivered: number }> {
  const { dispatcher } = bench.server.ctx.delivery;
  const started = Date.now();
  dispatcher.start();
  try {
    await until(
      () => bench.receiver.stats(),
      (stats) => stats.count >= count,
      300_000,
      `${count} deliveries`,
    );
    await until(
      () => pendingCount(bench.db),
      (n) => n === 0,
      60_000,
      'every delivery recorded',
    );
  } finally {
    await dispatcher.stop();
  }
  const [summary] = await rows(
    bench.db,
    `SELECT SUM(status = 'SUCCESS') AS ok, COUNT(*) AS n, ${MS('MAX(updatedAt)')} AS lastRecorded FROM WebhookDelivery`,
  );
  const stats = await bench.receiver.stats();
  if (Number(summary!.ok) !== count || Number(summary!.n) !== count || stats.count !== count) {
    throw new Error(`durable: ${summary!.ok} of ${summary!.n} rows SUCCESS, receiver got ${stats.count}; expected ${count}`);
  }
  return {
    recorded: count / ((Number(summary!.lastRecorded) - started) / 1000),
    delivered: count / ((stats.last - started) / 1000),
  };
}

/** A fresh queue of `count` deliveries (the previous ones deleted), with the receiver's counters at zero. */
async function refill(bench: Bench, count: number, label: string): Promise<number> {
  await bench.db.query('DELETE FROM WebhookDelivery');
  const started = performance.now();
  await queue(bench, count, QUEUE_BATCH, label);
  const rate = count / ((performance.now() - started) / 1000);
  await bench.receiver.reset();
  await sleep(500);
  return rate;
}

/** The queued deliveries' bodies, as the dispatcher reads and sends them, with their envelope ids. */
async function queuedBodies(bench: Bench): Promise<{ id: string; payload: string }[]> {
  return (await rows(bench.db, 'SELECT payload FROM WebhookDelivery')).map((row) => {
    const payload = typeof row.payload === 'string' ? row.payload : toJson(row.payload);
    return { id: (JSON.parse(payload) as { id: string }).id, payload };
  });
}

async function throughput(bench: Bench): Promise<void> {
  const agent = new Agent();
  try {
    // Warm-up of both sides (JIT, connections, buffer pool), not reported.
    const warm = Math.min(2000, EVENTS);
    await refill(bench, warm, 'warm');
    const warmBodies = await queuedBodies(bench);
    await rawUndici(bench, agent, warmBodies);
    await bench.receiver.reset();
    await durableDrain(bench, warm);

    const baseline: number[] = [];
    const recorded: number[] = [];
    const delivered: number[] = [];
    const outbox: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      outbox.push(await refill(bench, EVENTS, `round${round}`));
      // The same bodies the dispatcher is about to send (their ids are the envelope ids it signs with).
      const bodies = await queuedBodies(bench);
      baseline.push(await rawUndici(bench, agent, bodies));
      await bench.receiver.reset();
      await sleep(500);
      const durable = await durableDrain(bench, EVENTS);
      recorded.push(durable.recorded);
      delivered.push(durable.delivered);
    }
    const bytes = Number((await rows(bench.db, 'SELECT AVG(LENGTH(payload)) AS n FROM WebhookDelivery'))[0]!.n);
    const show = (values: number[]) => `${values.map((v) => fixed(v)).join(', ')} (median ${fixed(median(values))})`;
    console.log(
      `\n1. Throughput: ${EVENTS} messages.upsert events per round (bodies ~${fixed(bytes)} B) for one session and one webhook, ` +
        `queued through the outbox (${QUEUE_BATCH} per transaction, not timed), then drained; ${CONCURRENCY} concurrent; ` +
        `receiver: node:http answering 200 at once, ${RECEIVER === 'inline' ? 'in this process' : 'in its own process'}; ${ROUNDS} rounds, alternating`,
    );
    console.log(`   outbox writes (info), deliveries/s by round: ${show(outbox)}`);
    console.log(`   raw undici.request (pooled Agent, same bodies and headers, signing included), POSTs/s by round: ${show(baseline)}`);
    console.log(`   durable, delivered (last arrival at the receiver), deliveries/s by round: ${show(delivered)}`);
    console.log(`   durable, delivered and recorded SUCCESS (last row's updatedAt), deliveries/s by round: ${show(recorded)}`);
    const ratio = median(recorded) / median(baseline);
    console.log(`   ratio (durable recorded / raw): ${fixed(ratio, 2)} (target >= 0.5)`);
    reportSummary('webhooks', [
      {
        metric: 'durable deliveries/s (delivered and recorded SUCCESS), median of rounds',
        result: fixed(median(recorded)),
        baseline: `${fixed(median(baseline))} (raw undici POSTs)`,
        ratio: fixed(ratio, 2),
        target: 'ratio >= 0.5',
        met: ratio >= 0.5,
      },
    ]);
    console.log(`   gateway warnings/errors: ${bench.log.take()}`);
  } finally {
    await agent.close();
  }
}

/** The latency of what arrived: stored (WebhookDelivery.createdAt) → the receiver's arrival, per delivery. */
async function latencies(bench: Bench, where: string, extra = ''): Promise<{ stored: number[]; rows: RowDataPacket[] }> {
  const arrivals = await bench.receiver.arrivals();
  const found = await rows(
    bench.db,
    `SELECT JSON_VALUE(payload, '$.id') AS envelope, ${MS('createdAt')} AS createdAt ${extra} FROM WebhookDelivery WHERE ${where}`,
  );
  const stored: number[] = [];
  for (const row of found) {
    const at = arrivals.get(row.envelope as string);
    if (at === undefined) throw new Error(`delivery ${row.envelope as string} never arrived`);
    stored.push(at - Number(row.createdAt));
  }
  return { stored, rows: found };
}

/** How many queued event batches one ingest transaction takes at most (IngestQueue's MAX_BATCHES_PER_WRITE). */
const EVENTS_PER_WRITE = 8;

async function outboxLatency(bench: Bench): Promise<void> {
  const { ctx } = bench.server;
  await bench.db.query('DELETE FROM WebhookDelivery');
  await bench.receiver.reset();
  ctx.delivery.dispatcher.start();
  const warmupMs = 2000;
  const total = Math.round((RATE * (warmupMs + LATENCY_SECONDS * 1000)) / 1000);
  // Events arrive on schedule; one writer stores them in arrival order, each transaction taking what
  // has arrived (up to EVENTS_PER_WRITE), then wakes the dispatcher: what a session's ingest does.
  const arrivedAt: number[] = [];
  const arrived: string[] = [];
  let writes = 0;
  let deadlocks = 0;
  let writing = true;
  const writer = (async () => {
    while (writing || arrived.length > 0) {
      if (arrived.length === 0) {
        await sleep(1);
        continue;
      }
      const texts = arrived.splice(0, EVENTS_PER_WRITE);
      const events = texts.map((text) => textEvent(bench.session, text));
      for (let attempt = 1; ; attempt++) {
        try {
          await ctx.db.transaction().execute((trx) => ctx.delivery.outbox(trx, bench.session, events));
          break;
        } catch (error) {
          // As SessionIngest does: a deadlock victim is written again, a few times.
          if (!isDeadlock(error) || attempt >= 5) throw error;
          deadlocks++;
          await sleep(20 * attempt + Math.random() * 50);
        }
      }
      writes++;
      ctx.delivery.dispatcher.wake();
    }
  })();
  writer.catch(() => {}); // awaited below; this only keeps a failure from going unhandled meanwhile
  let issued = 0;
  let maxQueued = 0;
  const started = performance.now();
  try {
    while (issued < total) {
      const elapsed = performance.now() - started;
      const due = Math.min(total, Math.floor((RATE * elapsed) / 1000) + 1);
      while (issued < due) {
        arrivedAt[issued] = Date.now();
        arrived.push(`${elapsed < warmupMs ? 'owarm' : 'olat'} ${issued++}`);
      }
      maxQueued = Math.max(maxQueued, arrived.length);
      if (performance.now() - started > 3 * (warmupMs + LATENCY_SECONDS * 1000)) throw new Error('the outbox writer fell far behind');
      await sleep(1);
    }
  } finally {
    writing = false;
    await writer;
  }
  const seconds = (performance.now() - started) / 1000;
  await until(
    () => bench.receiver.stats(),
    (stats) => stats.count >= total,
    120_000,
    `${total} deliveries`,
  );
  const arrivals = await bench.receiver.arrivals();
  const { stored, rows: found } = await latencies(
    bench,
    "JSON_VALUE(payload, '$.data.message.text') LIKE 'olat %'",
    ", JSON_VALUE(payload, '$.data.message.text') AS text",
  );
  const endToEnd = found.map((row) => arrivals.get(row.envelope as string)! - arrivedAt[Number(String(row.text).split(' ')[1])]!);
  console.log(
    `\n2a. Latency at ${RATE} events/s through the outbox for one session (${LATENCY_SECONDS} s after a 2 s warm-up; ` +
      `one writer in arrival order, up to ${EVENTS_PER_WRITE} events per transaction like the ingest queue: ${writes} transactions, ` +
      `${fixed(total / writes, 1)} events each; achieved ${fixed(total / seconds)} events/s, at most ${maxQueued} waiting for the writer)`,
  );
  console.log(
    `   stored (WebhookDelivery.createdAt) → delivered: ${percentiles(stored)} (target p99 < 100 ms: ${p99(stored) < 100 ? 'met' : 'NOT met'})`,
  );
  console.log(`   event arrived at the writer → delivered (info): ${percentiles(endToEnd)}`);
  reportSummary('webhooks', [
    { metric: `p99 stored → delivered at ${RATE} events/s, ms`, result: String(p99(stored)), target: '< 100 ms', met: p99(stored) < 100 },
  ]);
  console.log(`   outbox transactions retried after a deadlock: ${deadlocks}; gateway warnings/errors: ${bench.log.take()}`);
}

async function whatsappLatency(bench: Bench, sim: SimDriver): Promise<void> {
  const contacts = Array.from({ length: CONTACTS }, (_, i) => contactPhone(i));
  await sim.call('accounts', { me: ME, contacts });
  const created = await bench.api('POST', '/api/v1/sessions', { sessionId: 'wa' });
  if (!created.id && !created.sessionId) throw new Error(`could not create a session: ${JSON.stringify(created)}`);
  const session = () => bench.api('GET', '/api/v1/sessions/wa');
  const waiting = await until(session, (s) => s.status === 'QR_REQUIRED', 30_000, 'QR');
  await sim.call('scan', { qr: waiting.qrCode });
  await until(session, (s) => s.status === 'CONNECTED', 30_000, 'CONNECTED');
  await sleep(2000);
  await sim.call('warm');
  const capacity = await sim.call<{ sent: number; perSecond: number }>('capacity', { seconds: 5, concurrency: 32 });
  const rate = Math.max(1, Math.min(SIM_RATE, Math.floor(capacity.perSecond * SIM_FRACTION)));
  await until(
    () => pendingCount(bench.db),
    (n) => n === 0,
    120_000,
    'the capacity run delivered',
  );
  await sleep(1000);
  await bench.receiver.reset();

  const steady = await sim.call<{
    measured: [string, number][];
    issued: number;
    failed: number;
    maxBehind: number;
    achievedPerSecond: number;
    windowStart: number;
  }>('steady', { rate, warmupSeconds: 3, seconds: SIM_SECONDS, maxOutstanding: 64 });
  const sentAt = new Map(steady.measured);
  const measured = `event = 'messages.upsert' AND JSON_VALUE(payload, '$.data.message.text') LIKE 'lat %'`;
  await until(
    async () => Number((await rows(bench.db, `SELECT COUNT(*) AS n FROM WebhookDelivery WHERE ${measured} AND status = 'SUCCESS'`))[0]!.n),
    (n) => n >= steady.measured.length,
    120_000,
    `${steady.measured.length} messages delivered`,
  );
  const { stored, rows: found } = await latencies(bench, measured, ", JSON_VALUE(payload, '$.data.message.messageId') AS messageId");
  const arrivals = await bench.receiver.arrivals();
  const sentToStored: number[] = [];
  const sentToDelivered: number[] = [];
  for (const row of found) {
    const sent = sentAt.get(row.messageId as string);
    if (sent === undefined) continue;
    sentToStored.push(Number(row.createdAt) - sent);
    sentToDelivered.push(arrivals.get(row.envelope as string)! - sent);
  }
  const byEvent = await rows(
    bench.db,
    `SELECT event, COUNT(*) AS n FROM WebhookDelivery WHERE createdAt >= FROM_UNIXTIME(?) GROUP BY event ORDER BY n DESC`,
    [steady.windowStart / 1000],
  );
  const ceiling = capacity.perSecond * SIM_FRACTION < SIM_RATE;
  console.log(
    `\n2b. Latency through WhatsApp (simulator → Baileys → ingest → outbox → dispatcher), ${CONTACTS} contacts → session "wa", ` +
      `${SIM_SECONDS} s after a 3 s warm-up, at ${rate} msg/s` +
      (ceiling
        ? ` = ${fixed(SIM_FRACTION * 100)}% of the ${fixed(capacity.perSecond)} msg/s the simulator reached flat out (closed loop, 32 senders, 5 s): it cannot push ${SIM_RATE}/s on this machine`
        : ''),
  );
  console.log(
    `   achieved ${fixed(steady.achievedPerSecond)} msg/s (${steady.measured.length} measured, ${steady.failed} failed sends, at most ${steady.maxBehind} behind schedule); ` +
      `deliveries created in the window by event: ${byEvent.map((row) => `${row.event as string} ${row.n as number}`).join(', ')}`,
  );
  console.log(
    `   stored (WebhookDelivery.createdAt) → delivered: ${percentiles(stored)} (target p99 < 100 ms: ${p99(stored) < 100 ? 'met' : 'NOT met'})`,
  );
  console.log(`   sim.send called → stored (info: simulator encryption, relay, Baileys, ingest): ${percentiles(sentToStored)}`);
  console.log(`   sim.send called → delivered (info): ${percentiles(sentToDelivered)}`);
  reportSummary('webhooks', [
    {
      metric: `p99 stored → delivered, messages through WhatsApp at ${rate} msg/s, ms`,
      result: String(p99(stored)),
      target: '< 100 ms',
      met: p99(stored) < 100,
    },
  ]);
  console.log(`   gateway warnings/errors: ${bench.log.take()}`);
}

async function main(): Promise<void> {
  const cleanups: (() => Promise<unknown>)[] = [];
  const cleanup = async () => {
    for (const step of cleanups.reverse()) await step().catch((error) => console.error(`cleanup: ${String(error)}`));
    cleanups.length = 0;
  };
  const abandon = (why: string) => {
    console.error(why);
    void cleanup().finally(() => process.exit(1));
  };
  const deadline = setTimeout(() => abandon(`gave up after ${DEADLINE_MS / 1000} s`), DEADLINE_MS);
  process.once('SIGINT', () => abandon('interrupted'));
  try {
    const sim = await startSimDriver();
    cleanups.push(() => sim.stop());
    const receiver = await startReceiverHandle();
    cleanups.push(() => receiver.stop());

    const database = `bench_webhooks_${process.pid}`;
    cleanups.push(async () => {
      const connection = await createConnection(BENCH_MYSQL);
      await connection.query(`DROP DATABASE IF EXISTS \`${database}\``);
      await connection.end();
    });
    const webhookSettings = Object.fromEntries(Object.entries(process.env).filter(([key]) => key.startsWith('WEBHOOK_'))) as Record<
      string,
      string
    >;
    const printed: string[] = [];
    const config = loadConfig({
      DATABASE_URL: `${BENCH_MYSQL}/${database}`,
      LOG_LEVEL: 'warn',
      BCRYPT_COST: '10',
      JWT_SECRET: 'bench-secret-bench-secret-bench-secret-42',
      RATE_LIMIT_MAX: '100000000',
      WHATSAPP_WS_URL: sim.wsUrl,
      WHATSAPP_ROOT_KEY: sim.rootKey,
      BAILEYS_LOG_LEVEL: 'silent',
      WEBHOOK_ALLOW_PRIVATE: 'true',
      WEBHOOK_CONCURRENCY: String(CONCURRENCY),
      ...webhookSettings,
      WEBHOOK_DISPATCH: 'false',
    });
    const log = new GatewayLog();
    const server = await createServer(config, { print: (line) => printed.push(line), logger: createLogger({ LOG_LEVEL: 'warn' }, log) });
    cleanups.push(() => server.app.close());
    const apiKey = printed.map((line) => /(bak_\S+)/.exec(line)?.[1]).find(Boolean)!;
    const api = async (method: 'GET' | 'POST', url: string, body?: unknown) => {
      const response = await server.app.inject({
        method,
        url,
        headers: { 'x-api-key': apiKey },
        ...(body ? { payload: body as object } : {}),
      });
      return response.json();
    };
    const db = await createConnection({ uri: `${BENCH_MYSQL}/${database}`, timezone: 'Z' });
    await db.query("SET time_zone = '+00:00'");
    cleanups.push(() => db.end());

    const me = await api('GET', '/api/v1/me');
    const session: EventSession = { id: newId(), sessionId: 'bench-events', userId: me.id, workflowId: null };
    await server.ctx.db
      .insertInto('Session')
      .values({ ...session, isActive: false })
      .execute();
    const hookUrl = `${receiver.url}/hook`;
    const webhook = await api('POST', '/api/v1/webhooks', { url: hookUrl, event: '*' });
    if (!webhook.secret) throw new Error(`could not register the webhook: ${JSON.stringify(webhook)}`);
    const bench: Bench = { server, log, db, receiver, session, hook: { id: webhook.id, secret: webhook.secret, url: hookUrl }, api };

    const { dispatcher } = server.ctx.delivery;
    console.log(
      `durable webhooks benchmark: WEBHOOK_CONCURRENCY ${config.WEBHOOK_CONCURRENCY}, WEBHOOK_POLL_INTERVAL_MS ${config.WEBHOOK_POLL_INTERVAL_MS}, ` +
        `DATABASE_POOL_SIZE ${config.DATABASE_POOL_SIZE}; gateway in this process, receiver ${RECEIVER === 'inline' ? 'in this process' : 'in its own process'}, simulator in its own process`,
    );
    if (PARTS.has('throughput')) await throughput(bench);
    if (PARTS.has('outbox')) await outboxLatency(bench);
    if (PARTS.has('whatsapp')) {
      dispatcher.start();
      await whatsappLatency(bench, sim);
    }
  } finally {
    clearTimeout(deadline);
    await cleanup();
  }
}

main().catch((error) => {
  console.error(String(error?.stack ?? error).slice(0, 3000));
  process.exit(1);
});
