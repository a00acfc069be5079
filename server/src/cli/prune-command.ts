import type { Db } from '../db/database';
import { countUsageBefore, pruneUsage } from '../usage/usage-repository';
import { countFinished, pruneFinished } from '../webhooks/delivery-repository';
import { parseCommandLine, parseDays, UsageError, write, type CliCommand } from './args';
import { withDatabase } from './gateway-database';

const PRUNE = 'prune';
/** Rows per DELETE, so no statement holds its locks for long while the gateway runs. */
const BATCH = 1000;
const DAY_MS = 86_400_000;

interface Target {
  what: string;
  count(db: Db, before: Date): Promise<number>;
  prune(db: Db, before: Date, limit: number): Promise<number>;
}

const DELIVERIES: Target = { what: 'finished webhook deliveries', count: countFinished, prune: pruneFinished };
const USAGE: Target = { what: 'ApiUsage rows', count: countUsageBefore, prune: pruneUsage };

async function pruneAll(db: Db, target: Target, before: Date): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = await target.prune(db, before, BATCH);
    total += deleted;
    if (deleted < BATCH) return total;
  }
}

export const prune: CliCommand = {
  name: PRUNE,
  summary: 'delete old webhook deliveries and API usage rows (--dry-run counts them)',
  help: `Usage: baileys-api prune [--deliveries-days N] [--usage-days N] [--dry-run]

Deletes rows older than N days, in batches of ${BATCH} (safe while gateways run). Give at least one of:
  --deliveries-days N   finished webhook deliveries (SUCCESS or FAILED) created more than N days ago,
                        with their attempt log; pending and retrying ones are kept. The gateway also
                        prunes these itself after WEBHOOK_RETENTION_DAYS
  --usage-days N        ApiUsage rows (the data of /me/usage and /usage) recorded more than N days ago

N is a positive number (fractions allowed: 0.5 is twelve hours).

Options:
  --dry-run    count what would be deleted, delete nothing
  -h, --help   this help`,
  async run(args) {
    const { values } = parseCommandLine(
      PRUNE,
      args,
      { 'deliveries-days': { type: 'string' }, 'usage-days': { type: 'string' }, 'dry-run': { type: 'boolean', default: false } },
      { min: 0, max: 0 },
    );
    const plan: [Target, number | undefined][] = [
      [DELIVERIES, parseDays(PRUNE, 'deliveries-days', values['deliveries-days'])],
      [USAGE, parseDays(PRUNE, 'usage-days', values['usage-days'])],
    ];
    if (plan.every(([, days]) => days === undefined)) throw new UsageError('give --deliveries-days, --usage-days or both', PRUNE);
    const dryRun = values['dry-run'];
    const now = Date.now();
    await withDatabase(async (db) => {
      for (const [target, days] of plan) {
        if (days === undefined) continue;
        const before = new Date(now - days * DAY_MS);
        const count = dryRun ? await target.count(db, before) : await pruneAll(db, target, before);
        const verb = dryRun ? 'would be deleted (dry run)' : 'deleted';
        await write(process.stdout, `${count} ${target.what} from before ${before.toISOString()} ${verb}\n`);
      }
    });
  },
};
