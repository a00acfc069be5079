import { createConnection } from 'mysql2/promise';
import { freePort, startTs, waitFor, type Child } from './child';

export const BENCH_MYSQL = process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';

export interface BenchGateway {
  url: string;
  apiKey: string;
  database: string;
  process: Child;
  stop(): Promise<void>;
}

async function waitUntilUp(url: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (
      await fetch(url)
        .then((r) => r.ok)
        .catch(() => false)
    )
      return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} never answered`);
}

/** The gateway in its own process, on its own fresh database, which `stop()` drops. */
export async function startBenchGateway(label: string, env: Record<string, string> = {}): Promise<BenchGateway> {
  const database = `bench_${label}_${process.pid}`;
  const port = await freePort();
  const child = startTs('server/src/main.ts', {
    DATABASE_URL: `${BENCH_MYSQL}/${database}`,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    BCRYPT_COST: '10',
    ...env,
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    const [, apiKey] = await waitFor(child, /API key, shown only this once: (bak_\S+)/);
    await waitUntilUp(`${url}/health`);
    return {
      url,
      apiKey: apiKey!,
      database,
      process: child,
      async stop() {
        await child.stop();
        const connection = await createConnection(BENCH_MYSQL);
        await connection.query(`DROP DATABASE IF EXISTS \`${database}\``);
        await connection.end();
      },
    };
  } catch (error) {
    await child.stop();
    throw error;
  }
}
