import { parseArgs } from 'node:util';
import { parseDatabaseUrl } from '../server/src/db/connection';

export const DEMO_DATABASE = 'baileys_demo';
const DEFAULT_DATABASE_URL = `mysql://root@127.0.0.1:3306/${DEMO_DATABASE}`;

export const USAGE = `usage: npm run demo -- [--port 3000] [--sim-port N] [--webhook-port N] [--verbose] [--reset-any-database]

Starts the WhatsApp simulator and a gateway wired to it, links a simulated phone, registers a webhook
that prints every event here, and prints what to open. Ctrl-C stops everything.

--port                  the gateway's port (default 3000); the dashboard is http://localhost:<port>/
--sim-port              the simulator's websocket and control-API port (default: a free one)
--webhook-port          the port of the demo's webhook receiver (default: a free one)
--verbose               the gateway logs at info level (default: warnings only)
--reset-any-database    allow DATABASE_URL to name a database other than ${DEMO_DATABASE}[_*]

The gateway uses its own database, DROPPED and re-created at every start: DATABASE_URL
(default ${DEFAULT_DATABASE_URL}) must name ${DEMO_DATABASE} or ${DEMO_DATABASE}_<suffix> unless
--reset-any-database is given.`;

export interface DemoOptions {
  port: number;
  simPort: number;
  webhookPort: number;
  verbose: boolean;
  databaseUrl: string;
  databaseName: string;
}

export class UsageError extends Error {}

function port(value: string | undefined, name: string, fallback: number, lowest = 0): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || parsed < lowest || parsed > 65535) {
    throw new UsageError(`--${name} must be a port number (${lowest}-65535), not "${value}"`);
  }
  return parsed;
}

/** Reads the command line and DATABASE_URL; refuses to reset a database that is not a demo one unless told. */
export function parseOptions(args: string[], env: Record<string, string | undefined>): DemoOptions | 'help' {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string' },
      'sim-port': { type: 'string' },
      'webhook-port': { type: 'string' },
      verbose: { type: 'boolean', default: false },
      'reset-any-database': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return 'help';
  const databaseUrl = env.DATABASE_URL || DEFAULT_DATABASE_URL;
  const databaseName = databaseNameOf(databaseUrl);
  const isDemoName = databaseName === DEMO_DATABASE || databaseName.startsWith(`${DEMO_DATABASE}_`);
  if (!isDemoName && !values['reset-any-database']) {
    throw new UsageError(
      `The demo drops and re-creates its database, and DATABASE_URL names "${databaseName}", not ${DEMO_DATABASE}. ` +
        `Unset DATABASE_URL, point it at ${DEMO_DATABASE}, or pass --reset-any-database if "${databaseName}" may really be wiped.`,
    );
  }
  return {
    port: port(values.port, 'port', 3000, 1),
    simPort: port(values['sim-port'], 'sim-port', 0),
    webhookPort: port(values['webhook-port'], 'webhook-port', 0),
    verbose: values.verbose,
    databaseUrl,
    databaseName,
  };
}

function databaseNameOf(url: string): string {
  try {
    return parseDatabaseUrl(url).database;
  } catch (error) {
    throw new UsageError(`DATABASE_URL: ${(error as Error).message}`);
  }
}
