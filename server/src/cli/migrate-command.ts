import { parseCommandLine, type CliCommand } from './args';
import { withDatabase } from './gateway-database';

const MIGRATE = 'migrate';

export const migrate: CliCommand = {
  name: MIGRATE,
  summary: 'create the database if missing and apply pending migrations',
  help: `Usage: baileys-api migrate

Creates the database named by DATABASE_URL if it is missing and applies the pending migrations (the
gateway also does this at every start). Several processes may run it at once: they migrate once.

Options:
  -h, --help   this help`,
  async run(args) {
    parseCommandLine(MIGRATE, args, {}, { min: 0, max: 0 });
    await withDatabase(async () => {}, { logMigrations: true });
    process.stdout.write('Database is up to date\n');
  },
};
