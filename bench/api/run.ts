import { createConnection } from 'mysql2/promise';
import { startTs, waitFor } from '../lib/child';
import { BENCH_MYSQL, startBenchGateway } from '../lib/gateway';
import { measure, type LoadResult } from '../lib/load';
import { reportSummary } from '../lib/summary';

// Authenticated GET /api/v1/me (auth, rate limit and usage metering on) against a bare Fastify
// hello-world. Both servers run at once, each in its own process, and are measured in turns so
// that machine noise falls on both alike; the medians are compared. Target: ratio >= 0.5.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);

const median = (results: LoadResult[]) => results.map((r) => r.requestsPerSecond).sort((a, b) => a - b)[Math.floor(results.length / 2)]!;

async function main(): Promise<void> {
  const bare = startTs('bench/api/bare-fastify.ts', {});
  const gateway = await startBenchGateway('api', { RATE_LIMIT_MAX: '100000000' }).catch(async (error) => {
    await bare.stop();
    throw error;
  });
  try {
    const [, bareUrl] = await waitFor(bare, /listening (\S+)/);
    const baseline: LoadResult[] = [];
    const api: LoadResult[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      baseline.push(await measure(`${bareUrl}/`, {}, SECONDS));
      api.push(await measure(`${gateway.url}/api/v1/me`, { 'x-api-key': gateway.apiKey }, SECONDS));
    }
    await gateway.process.stop();
    const connection = await createConnection(`${BENCH_MYSQL}/${gateway.database}`);
    const [[{ n: rows }]] = (await connection.query('SELECT COUNT(*) AS n FROM ApiUsage')) as any;
    await connection.end();

    const show = (results: LoadResult[]) => results.map((r) => r.requestsPerSecond.toFixed(0)).join(', ');
    console.log(`bare Fastify hello-world, req/s by round: ${show(baseline)} (median ${median(baseline).toFixed(0)})`);
    console.log(
      `GET /api/v1/me (auth + rate limit + metering), req/s by round: ${show(api)} (median ${median(api).toFixed(0)}; non-2xx ${api.reduce((n, r) => n + r.non2xx, 0)})`,
    );
    console.log(`ApiUsage rows written: ${rows}`);
    const ratio = median(api) / median(baseline);
    console.log(`ratio: ${ratio.toFixed(2)} (target >= 0.5)`);
    reportSummary('api', [
      {
        metric: 'GET /api/v1/me (auth, rate limit, metering), req/s, median of rounds',
        result: median(api).toFixed(0),
        baseline: `${median(baseline).toFixed(0)} (bare Fastify)`,
        ratio: ratio.toFixed(2),
        target: 'ratio >= 0.5',
        met: ratio >= 0.5,
      },
    ]);
  } finally {
    await bare.stop();
    await gateway.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
