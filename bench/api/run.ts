import { createConnection } from 'mysql2/promise';
import { startTs, waitFor } from '../lib/child';
import { BENCH_MYSQL, startBenchGateway } from '../lib/gateway';
import { measure } from '../lib/load';

// Authenticated GET /api/v1/me (auth, rate limit and usage metering on) against a bare Fastify
// hello-world, both measured now on this machine. Target: ratio >= 0.5.

async function main(): Promise<void> {
  const bare = startTs('bench/api/bare-fastify.ts', {});
  const [, bareUrl] = await waitFor(bare, /listening (\S+)/);
  const baseline = await measure(`${bareUrl}/`);
  await bare.stop();

  const gateway = await startBenchGateway('api', { RATE_LIMIT_MAX: '100000000' });
  try {
    const api = await measure(`${gateway.url}/api/v1/me`, { 'x-api-key': gateway.apiKey });
    await gateway.process.stop();
    const connection = await createConnection(`${BENCH_MYSQL}/${gateway.database}`);
    const [[{ n: rows }]] = (await connection.query('SELECT COUNT(*) AS n FROM ApiUsage')) as any;
    await connection.end();

    const ratio = api.requestsPerSecond / baseline.requestsPerSecond;
    console.log(`bare Fastify hello-world: ${baseline.requestsPerSecond.toFixed(0)} req/s (p99 ${baseline.p99Ms} ms)`);
    console.log(`GET /api/v1/me (auth + rate limit + metering): ${api.requestsPerSecond.toFixed(0)} req/s (p99 ${api.p99Ms} ms, non-2xx ${api.non2xx})`);
    console.log(`ApiUsage rows written: ${rows}`);
    console.log(`ratio: ${ratio.toFixed(2)} (target >= 0.5)`);
  } finally {
    await gateway.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
