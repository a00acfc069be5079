import { parseArgs } from 'node:util';
import { startSimulator, trustSimulator } from '../../test/wa-sim';
import { startBenchGateway } from '../lib/gateway';
import { GC_PROBE_ARGS, MB, settledMemory, type SettledMemory } from '../lib/memory';
import { allSessions, pairByQr, restClient } from '../lib/rest';
import { ensureAccounts, simulatorEnv, startBareBaileys } from '../lib/sim';
import { reportSummary } from '../lib/summary';
import { forEachConcurrently, until } from '../lib/wait';

// Idle paired sessions in one gateway process against the simulator: resident memory per session
// and the time to restore them all after a restart. Baseline, in the same run: bare Baileys sockets
// with in-memory auth in one process, linked to the same accounts the same way (QR), configured
// like the gateway's.
//
// Memory: VmRSS of the process (from /proc) after it has been idle for a while and collected its
// garbage fully (bench/lib/gc-probe.ts, preloaded); per session = (rss at N - rss at 0) / N. Restore:
// SIGTERM, start again on the same database, time until GET /sessions shows all N CONNECTED.
// Targets: ≤ 3 MB per session at 500; restore < 60 s.
//
// npm run bench:sessions -- [--sessions 100,500] [--concurrency 8] [--baseline true|false]
//   (or BENCH_SESSIONS, BENCH_PAIR_CONCURRENCY, BENCH_BASELINE)

const { values: flags } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    sessions: { type: 'string', default: process.env.BENCH_SESSIONS ?? '100,500' },
    concurrency: { type: 'string', default: process.env.BENCH_PAIR_CONCURRENCY ?? '8' },
    baseline: { type: 'string', default: process.env.BENCH_BASELINE ?? 'true' },
  },
});
const CHECKPOINTS = flags.sessions
  .split(',')
  .map(Number)
  .sort((a, b) => a - b);
const MAX = CHECKPOINTS.at(-1)!;
const CONCURRENCY = Number(flags.concurrency);
const phone = (i: number) => `1555777${String(i).padStart(4, '0')}`;

const mb = (bytes: number) => (bytes / MB).toFixed(1);
const perSession = (at: SettledMemory, base: SettledMemory, n: number) => (at.rss - base.rss) / n / MB;
const describe = (m: SettledMemory) => `rss ${mb(m.rss)} MB (heap ${mb(m.heapUsed)} MB, external ${mb(m.external)} MB)`;
const seconds = (from: number) => ((performance.now() - from) / 1000).toFixed(1);

interface Curve {
  base: SettledMemory;
  at: Map<number, SettledMemory>;
  pairSeconds: Map<number, number>;
}

/** Pairs up to each checkpoint and measures there; `pair(from, to)` links sessions from..to-1. */
async function memoryCurve(
  label: string,
  child: Parameters<typeof settledMemory>[0],
  pair: (from: number, to: number) => Promise<void>,
): Promise<Curve> {
  const curve: Curve = { base: await settledMemory(child), at: new Map(), pairSeconds: new Map() };
  console.log(`${label}: 0 sessions: ${describe(curve.base)}`);
  let paired = 0;
  for (const n of CHECKPOINTS) {
    const started = performance.now();
    await pair(paired, n);
    curve.pairSeconds.set(n, (performance.now() - started) / 1000);
    paired = n;
    const memory = await settledMemory(child, 10_000);
    curve.at.set(n, memory);
    console.log(
      `${label}: ${n} sessions (paired ${n - (CHECKPOINTS[CHECKPOINTS.indexOf(n) - 1] ?? 0)} in ${curve.pairSeconds.get(n)!.toFixed(1)} s): ` +
        `${describe(memory)}, ${perSession(memory, curve.base, n).toFixed(2)} MB/session`,
    );
  }
  return curve;
}

async function main(): Promise<void> {
  const started = performance.now();
  const sim = await startSimulator();
  trustSimulator(sim);
  const cleanups: (() => Promise<unknown>)[] = [() => sim.stop()];
  try {
    const phones = Array.from({ length: MAX }, (_, i) => phone(i));
    await ensureAccounts(sim, phones);
    console.log(`simulator: ${MAX} accounts with their hosted devices in ${seconds(started)} s`);

    let bare: Curve | undefined;
    if (flags.baseline !== 'false') {
      const baseline = await startBareBaileys(sim);
      cleanups.push(() => baseline.stop());
      bare = await memoryCurve('bare Baileys', baseline.child, (from, to) =>
        baseline.call('link', { phones: phones.slice(from, to), concurrency: CONCURRENCY }),
      );
      await baseline.stop();
    }

    const gateway = await startBenchGateway('sessions', { ...simulatorEnv(sim), RATE_LIMIT_MAX: '100000000' }, { nodeArgs: GC_PROBE_ARGS });
    cleanups.push(() => gateway.stop());
    const rest = restClient(gateway);
    const gatewayCurve = await memoryCurve('gateway', gateway.process, (from, to) =>
      forEachConcurrently(phones.slice(from, to), CONCURRENCY, (p, i) => pairByQr(rest, sim, `s${from + i}`, p)),
    );

    const connected = async () => (await allSessions(rest)).filter((s) => s.status === 'CONNECTED').length;
    const stopping = performance.now();
    await gateway.process.stop();
    const stopSeconds = (performance.now() - stopping) / 1000;
    const restarting = performance.now();
    await gateway.restart();
    const upSeconds = (performance.now() - restarting) / 1000;
    await until(connected, (n) => n === MAX, 300_000, `${MAX} sessions CONNECTED again`);
    const restoreSeconds = (performance.now() - restarting) / 1000;
    console.log(
      `restore: SIGTERM → exit ${stopSeconds.toFixed(1)} s; start → /health ${upSeconds.toFixed(1)} s; start → all ${MAX} CONNECTED ${restoreSeconds.toFixed(1)} s`,
    );
    const restored = await settledMemory(gateway.process, 10_000);
    console.log(`gateway after the restore: ${describe(restored)}`);

    console.log(`\nsessions benchmark (${MAX} sessions, pairing ${CONCURRENCY} at a time; total ${seconds(started)} s)`);
    console.log(`| sessions | gateway RSS | gateway MB/session | bare Baileys RSS | bare MB/session | ratio (gateway/bare) |`);
    console.log(`|---|---|---|---|---|---|`);
    for (const n of [0, ...CHECKPOINTS]) {
      const g = n === 0 ? gatewayCurve.base : gatewayCurve.at.get(n)!;
      const b = bare && (n === 0 ? bare.base : bare.at.get(n)!);
      const gPer = n === 0 ? '—' : perSession(g, gatewayCurve.base, n).toFixed(2);
      const bPer = b && n > 0 ? perSession(b, bare!.base, n).toFixed(2) : '—';
      const ratio = b && n > 0 ? (perSession(g, gatewayCurve.base, n) / perSession(b, bare!.base, n)).toFixed(2) : '—';
      console.log(`| ${n} | ${mb(g.rss)} MB | ${gPer} | ${b ? `${mb(b.rss)} MB` : '—'} | ${bPer} | ${ratio} |`);
    }
    const at = perSession(gatewayCurve.at.get(MAX)!, gatewayCurve.base, MAX);
    console.log(
      `per idle session at ${MAX}: ${at.toFixed(2)} MB${MAX === 500 ? ` (target ≤ 3 MB at 500: ${at <= 3 ? 'met' : 'NOT met'})` : ' (the target, ≤ 3 MB, is for 500)'}`,
    );
    console.log(`restore of ${MAX}: ${restoreSeconds.toFixed(1)} s (target < 60 s: ${restoreSeconds < 60 ? 'met' : 'NOT met'})`);
    reportSummary('sessions', [
      {
        metric: 'gateway process with 0 sessions, RSS MB',
        result: mb(gatewayCurve.base.rss),
        baseline: bare && `${mb(bare.base.rss)} (bare Baileys)`,
      },
      ...CHECKPOINTS.map((n) => {
        const mine = perSession(gatewayCurve.at.get(n)!, gatewayCurve.base, n);
        const theirs = bare && perSession(bare.at.get(n)!, bare.base, n);
        return {
          metric: `RSS per idle paired session at ${n}, MB`,
          result: mine.toFixed(2),
          baseline: theirs === undefined ? undefined : `${theirs.toFixed(2)} (bare Baileys)`,
          ratio: theirs === undefined ? undefined : (mine / theirs).toFixed(2),
          ...(n === 500 ? { target: '≤ 3 MB at 500', met: mine <= 3 } : {}),
        };
      }),
      {
        metric: `restore of ${MAX} sessions after SIGTERM (start → all CONNECTED), s`,
        result: restoreSeconds.toFixed(1),
        target: '< 60 s',
        met: restoreSeconds < 60,
      },
    ]);
  } finally {
    for (const step of cleanups.reverse()) await step().catch((error) => console.error(`cleanup: ${String(error)}`));
  }
}

main().catch((error) => {
  console.error(String(error?.stack ?? error).slice(0, 3000));
  process.exit(1);
});
