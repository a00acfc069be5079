import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from './lib/child';
import type { SummaryRow } from './lib/summary';

// npm run bench: every benchmark, one after the other (each in its own process, as its npm script),
// then one summary table of what they reported (bench/lib/summary.ts).
//   --only api,send   run only these
//   --quick           smaller runs (fewer sessions, rounds and seconds), for a first look
// Anything else in the environment (BENCH_*, WEBHOOK_*) reaches the benches as it is.

const BENCHES = ['api', 'ingest', 'webhooks', 'sessions', 'send'] as const;

/** What --quick sets, unless the environment says otherwise. */
const QUICK: Record<string, string> = {
  BENCH_ROUNDS: '2',
  BENCH_SECONDS: '3',
  BENCH_CHATS: '20',
  BENCH_EVENTS: '5000',
  BENCH_LATENCY_SECONDS: '5',
  BENCH_SIM_SECONDS: '5',
  BENCH_SESSIONS: '50',
  BENCH_SEND_MESSAGES: '30',
};

const { values: flags } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: { only: { type: 'string' }, quick: { type: 'boolean', default: false } },
});

function run(bench: string, env: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const child = spawn(npm, ['run', '--silent', `bench:${bench}`], { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: 'inherit' });
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

async function main(): Promise<void> {
  const selected = flags.only ? flags.only.split(',') : [...BENCHES];
  const unknown = selected.filter((name) => !(BENCHES as readonly string[]).includes(name));
  if (unknown.length) throw new Error(`unknown bench ${unknown.join(', ')}; there are ${BENCHES.join(', ')}`);
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-summary-'));
  const file = path.join(dir, 'rows.jsonl');
  writeFileSync(file, '');
  const quick = flags.quick ? Object.fromEntries(Object.entries(QUICK).filter(([key]) => process.env[key] === undefined)) : {};
  const outcomes: { bench: string; code: number; seconds: number }[] = [];
  try {
    for (const bench of selected) {
      console.log(`\n===== bench:${bench} =====`);
      const started = performance.now();
      const code = await run(bench, { ...quick, BENCH_SUMMARY_FILE: file });
      outcomes.push({ bench, code, seconds: (performance.now() - started) / 1000 });
    }
    const rows = readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as SummaryRow & { bench: string });
    console.log(
      `\n===== summary (${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.versions.node}${flags.quick ? ', --quick' : ''}) =====\n`,
    );
    console.log('| bench | metric | gateway | baseline (same run) | ratio | target | |');
    console.log('|---|---|---|---|---|---|---|');
    for (const { bench, code, seconds } of outcomes) {
      const mine = rows.filter((row) => row.bench === bench);
      if (code !== 0) console.log(`| ${bench} | **failed** (exit ${code} after ${seconds.toFixed(0)} s) | | | | | |`);
      for (const row of mine) {
        const verdict = row.met === undefined ? '' : row.met ? 'met' : 'NOT met';
        console.log(
          `| ${bench} | ${row.metric} | ${row.result} | ${row.baseline ?? '—'} | ${row.ratio ?? '—'} | ${row.target ?? '—'} | ${verdict} |`,
        );
      }
    }
    console.log(`\ntimes: ${outcomes.map((o) => `${o.bench} ${o.seconds.toFixed(0)} s`).join(', ')}`);
    if (outcomes.some((o) => o.code !== 0)) process.exitCode = 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(String(error?.stack ?? error));
  process.exit(1);
});
