import pino from 'pino';
import { loadConfig, type Config } from '../config';
import type { Db } from '../db/database';
import { createLogger } from '../logger';
import type { AppContext } from '../context';

/**
 * The gateway's wiring, loaded only when a command opens the database: `--help` and usage errors then
 * answer without loading the whole gateway (Baileys and all), several times faster.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const gateway = (): typeof import('../server') => require('../server');

/** Warnings and errors only, to stderr: stdout carries the command's own output. */
const quietLogger = (config: Config) => createLogger({ LOG_LEVEL: config.LOG_LEVEL === 'silent' ? 'silent' : 'warn' }, pino.destination(2));

/** Runs `work` on the configured database (created and migrated as the gateway would at its start), then closes it. */
export async function withDatabase<T>(work: (db: Db, config: Config) => Promise<T>, options: { logMigrations?: boolean } = {}): Promise<T> {
  const config = loadConfig();
  // The gateway's own logger (JSON lines on stdout) when the migrations are the command's output.
  const db = await gateway().openMigratedDatabase(config, options.logMigrations ? createLogger(config) : quietLogger(config));
  try {
    return await work(db, config);
  } finally {
    await db.destroy();
  }
}

/** Like withDatabase, with the gateway's services wired as the server wires them (nothing is started). */
export async function withServices<T>(work: (ctx: AppContext) => Promise<T>): Promise<T> {
  return withDatabase(async (db, config) => {
    const log = quietLogger(config);
    const { createContext, sharedSecrets } = gateway();
    const ctx = createContext(config, db, log, await sharedSecrets(config, db));
    try {
      return await work(ctx);
    } finally {
      await ctx.usage.close();
    }
  });
}
