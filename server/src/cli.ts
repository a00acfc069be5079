import { parseArgs } from 'node:util';
import { loadConfig } from './config';
import { createLogger } from './logger';
import { createContext, openMigratedDatabase, sharedSecrets } from './server';

const USAGE = `Commands:
  migrate                                                  apply pending migrations
  user-create --email E --password P [--name N] [--admin]  create a user and print its API key`;

async function migrate(): Promise<void> {
  const config = loadConfig();
  const db = await openMigratedDatabase(config, createLogger(config));
  await db.destroy();
  process.stdout.write('Database is up to date\n');
}

async function createUser(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      email: { type: 'string' },
      password: { type: 'string' },
      name: { type: 'string' },
      admin: { type: 'boolean', default: false },
    },
  });
  if (!values.email || !values.password) throw new Error(`--email and --password are required\n${USAGE}`);
  const config = loadConfig();
  const log = createLogger({ LOG_LEVEL: 'warn' });
  const db = await openMigratedDatabase(config, log);
  const ctx = createContext(config, db, log, await sharedSecrets(config, db));
  try {
    const { user, apiKey } = await ctx.users.create({
      email: values.email,
      password: values.password,
      name: values.name ?? null,
      role: values.admin ? 'ADMIN' : 'USER',
    });
    process.stdout.write(`Created ${user.role} ${user.email} (${user.id}).\nAPI key, shown only this once: ${apiKey}\n`);
  } finally {
    await ctx.usage.close();
    await db.destroy();
  }
}

async function run([command, ...args]: string[]): Promise<void> {
  if (command === 'migrate') return migrate();
  if (command === 'user-create') return createUser(args);
  throw new Error(USAGE);
}

run(process.argv.slice(2)).catch((error: Error) => {
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
});
