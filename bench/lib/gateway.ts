import { createConnection } from 'mysql2/promise';
import { freePort, startTs, waitFor, type Child, type StartOptions } from './child';

export const BENCH_MYSQL = process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';

export interface BenchGateway {
  url: string;
  apiKey: string;
  database: string;
  /** The running gateway process (a new one after `restart()`). */
  readonly process: Child;
  /** Stops the process (SIGTERM, as a deployment would) and starts it again on the same database and port. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

async function waitUntilUp(url: string, child: Child): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (
      await fetch(url)
        .then((r) => r.ok)
        .catch(() => false)
    )
      return;
    if (child.process.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} never answered:\n${child.output().slice(-4000)}`);
}

/**
 * The gateway in its own process, on its own fresh database, which `stop()` drops. `options` are the
 * Node options of its process (a preload, `--expose-gc`).
 */
export async function startBenchGateway(
  label: string,
  env: Record<string, string> = {},
  options: StartOptions = {},
): Promise<BenchGateway> {
  const database = `bench_${label}_${process.pid}`;
  const port = await freePort();
  const launch = () =>
    startTs(
      'server/src/main.ts',
      {
        DATABASE_URL: `${BENCH_MYSQL}/${database}`,
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        BCRYPT_COST: '10',
        ...env,
      },
      options,
    );
  const url = `http://127.0.0.1:${port}`;
  let child = launch();
  const dropDatabase = async () => {
    const connection = await createConnection(BENCH_MYSQL);
    await connection.query(`DROP DATABASE IF EXISTS \`${database}\``);
    await connection.end();
  };
  try {
    const [, apiKey] = await waitFor(child, /API key, shown only this once: (bak_\S+)/, 120_000);
    await waitUntilUp(`${url}/health`, child);
    return {
      url,
      apiKey: apiKey!,
      database,
      get process() {
        return child;
      },
      async restart() {
        await child.stop();
        child = launch();
        await waitUntilUp(`${url}/health`, child);
      },
      async stop() {
        await child.stop();
        await dropDatabase();
      },
    };
  } catch (error) {
    await child.stop();
    await dropDatabase();
    throw error;
  }
}
