import { createConnection } from 'mysql2/promise';
import { freePort, startTs, waitFor } from '../lib/child';
import { measure } from '../lib/load';

// Authenticated GET /api/v1/me (auth, rate limit and usage metering on) against a bare Fastify
// hello-world, both measured now on this machine. Target: ratio >= 0.5.
const MYSQL = process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';

async function waitUntilUp(url: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await fetch(url).then((r) => r.ok).catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} never answered`);
}

async function main(): Promise<void> {
  const database = `bench_api_${process.pid}`;
  const bare = startTs('bench/api/bare-fastify.ts', {});
  const [, bareUrl] = await waitFor(bare, /listening (\S+)/);
  const baseline = await measure(`${bareUrl}/`);
  await bare.stop();

  const port = await freePort();
  const gateway = startTs('server/src/main.ts', {
    DATABASE_URL: `${MYSQL}/${database}`,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    BCRYPT_COST: '10',
    RATE_LIMIT_MAX: '100000000',
  });
  try {
    const [, apiKey] = await waitFor(gateway, /API key, shown only this once: (bak_\S+)/);
    const url = `http://127.0.0.1:${port}`;
    await waitUntilUp(`${url}/health`);
    const api = await measure(`${url}/api/v1/me`, { 'x-api-key': apiKey! });
    await gateway.stop();

    const connection = await createConnection(`${MYSQL}/${database}`);
    const [[{ n: rows }]] = (await connection.query('SELECT COUNT(*) AS n FROM ApiUsage')) as any;
    await connection.end();

    const ratio = api.requestsPerSecond / baseline.requestsPerSecond;
    console.log(`bare Fastify hello-world: ${baseline.requestsPerSecond.toFixed(0)} req/s (p99 ${baseline.p99Ms} ms)`);
    console.log(`GET /api/v1/me (auth + rate limit + metering): ${api.requestsPerSecond.toFixed(0)} req/s (p99 ${api.p99Ms} ms, non-2xx ${api.non2xx})`);
    console.log(`ApiUsage rows written: ${rows}`);
    console.log(`ratio: ${ratio.toFixed(2)} (target >= 0.5)`);
  } finally {
    await gateway.stop();
    const connection = await createConnection(MYSQL);
    await connection.query(`DROP DATABASE IF EXISTS \`${database}\``);
    await connection.end();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
