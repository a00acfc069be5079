import { compare } from 'bcryptjs';
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { hashApiKey } from '../../server/src/auth/api-keys';
import { createDb, parseDatabaseUrl } from '../../server/src/db/connection';
import type { Db } from '../../server/src/db/database';
import { testDatabase } from '../helpers/database';
import { startGateway } from '../helpers/gateway';
import { runCli } from './cli-process';

jest.setTimeout(120_000);

const database = testDatabase('cli_users');
let db: Db;
let scratch: string;

const userRow = (email: string) => db.selectFrom('User').selectAll().where('email', '=', email).executeTakeFirst();
const printedKey = (stdout: string) => /API key, shown only this once: (bak_\S+)/.exec(stdout)?.[1];

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'cli-users-'));
  const migrated = await runCli(database.url, ['migrate']);
  expect(migrated).toMatchObject({ code: 0, stderr: '' });
  expect(migrated.stdout).toContain('Database is up to date');
  db = createDb(parseDatabaseUrl(database.url), 2);
});
afterAll(async () => {
  await db?.destroy();
  await database.drop();
  await rm(scratch, { recursive: true, force: true });
});

describe('help and usage errors', () => {
  it('prints help for the CLI, a group and each command on stdout with exit 0', async () => {
    const [top, word, group, ...commands] = await Promise.all(
      [
        ['--help'],
        ['help'],
        ['user', '--help'],
        ['migrate', '--help'],
        ['user', 'create', '--help'],
        ['help', 'user', 'rotate-key'],
        ['sessions', 'list', '-h'],
        ['prune', '--help'],
        ['messages', 'export', '--help'],
      ].map((args) => runCli(database.url, args)),
    );
    for (const help of [top, word]) {
      expect(help).toMatchObject({ code: 0, stderr: '' });
      for (const name of ['migrate', 'user create', 'user rotate-key', 'sessions list', 'prune', 'messages export']) {
        expect(help!.stdout).toContain(`  ${name}  `);
      }
      expect(help!.stdout).toMatch(/Exit codes: 0 .*1 .*2 /);
    }
    expect(group).toMatchObject({ code: 0, stderr: '' });
    expect(group!.stdout).toMatch(/user create .*\n.*user rotate-key/);
    const usages = ['baileys-api migrate', 'baileys-api user create <email>', 'baileys-api user rotate-key <email|id>'];
    usages.push('baileys-api sessions list', 'baileys-api prune', 'baileys-api messages export <sessionId>');
    commands.forEach((help, i) => {
      expect(help).toMatchObject({ code: 0, stderr: '' });
      expect(help.stdout.startsWith(`Usage: ${usages[i]}`)).toBe(true);
    });
  });

  it.each([
    [[], /a command is required/],
    [['frobnicate'], /unknown command: frobnicate/],
    [['user'], /user needs a command/],
    [['user', 'delete', 'x'], /unknown command: user delete/],
    [['migrate', 'now'], /unexpected argument: now/],
    [['user', 'rotate-key'], /missing argument/],
    [['user', 'rotate-key', 'a', 'b'], /unexpected argument: b/],
    [['sessions', 'list', '--colour'], /Unknown option '--colour'/],
    [['prune'], /give --deliveries-days, --usage-days or both/],
    [['prune', '--usage-days', '0'], /--usage-days must be a positive number/],
    [['prune', '--deliveries-days', 'week'], /--deliveries-days must be a positive number/],
    [['messages', 'export'], /missing argument/],
    [['messages', 'export', 's1', '--since', 'yesterday'], /--since must be an ISO 8601 time/],
    [['user', 'create'], /the email is required/],
    [['user', 'create', 'x@test.local', '--password', 'secret-secret'], /--password is not taken: the process list would show it/],
  ])('%j is a usage error: exit 2, the reason on stderr, nothing on stdout', async (args, reason) => {
    const result = await runCli(database.url, args as string[]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(reason);
    expect(result.stderr).toMatch(/Run 'baileys-api .*--help' for usage/);
  });

  it('a bad configuration is a failure (exit 1) naming the setting', async () => {
    const result = await runCli('postgres://nope', ['sessions', 'list']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Invalid configuration: .*DATABASE_URL/);
  });
});

describe('user create', () => {
  it('reads the password from stdin, never from argv, and prints the key once', async () => {
    const result = await runCli(database.url, ['user', 'create', 'Ana@Test.Local', '--name', 'Ana', '--admin'], {
      stdin: 'ana-password-1\nignored second line\n',
    });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^Created ADMIN ana@test\.local \(\w+\)\./);
    const row = await userRow('ana@test.local');
    expect(row).toMatchObject({ name: 'Ana', role: 'ADMIN' });
    expect(row!.apiKey).toBe(hashApiKey(printedKey(result.stdout)!));
    expect(await compare('ana-password-1', row!.password)).toBe(true);
  });

  it('reads it from $BAILEYS_API_PASSWORD, or from --password-file (which wins)', async () => {
    const fromEnv = await runCli(database.url, ['user', 'create', '--email', 'bo@test.local'], {
      env: { BAILEYS_API_PASSWORD: 'bo-password-1' },
    });
    expect(fromEnv.code).toBe(0);
    expect(await compare('bo-password-1', (await userRow('bo@test.local'))!.password)).toBe(true);
    expect((await userRow('bo@test.local'))!.role).toBe('USER');

    const file = path.join(scratch, 'password');
    await writeFile(file, 'cy-password-1\n');
    const fromFile = await runCli(database.url, ['user', 'create', 'cy@test.local', '--password-file', file], {
      env: { BAILEYS_API_PASSWORD: 'not-this-one' },
    });
    expect(fromFile.code).toBe(0);
    expect(await compare('cy-password-1', (await userRow('cy@test.local'))!.password)).toBe(true);
  });

  it('refuses without a password, with an unreadable file, a duplicate email or a short password, creating nothing', async () => {
    const count = async () => (await db.selectFrom('User').select('id').execute()).length;
    const before = await count();
    const none = await runCli(database.url, ['user', 'create', 'dee@test.local']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no password given/);
    const unreadable = await runCli(database.url, ['user', 'create', 'dee@test.local', '--password-file', path.join(scratch, 'missing')]);
    expect(unreadable.code).toBe(2);
    expect(unreadable.stderr).toMatch(/cannot read --password-file/);
    const duplicate = await runCli(database.url, ['user', 'create', 'ANA@test.local'], { stdin: 'another-password' });
    expect(duplicate).toMatchObject({ code: 1, stdout: '' });
    expect(duplicate.stderr).toMatch(/already exists/);
    const short = await runCli(database.url, ['user', 'create', 'dee@test.local'], { stdin: 'short\n' });
    expect(short.code).toBe(1);
    expect(short.stderr).toMatch(/password/i);
    expect(await count()).toBe(before);
  });

  it('keeps the old spelling `user-create` (npm run user:create) working', async () => {
    const result = await runCli(database.url, ['user-create', '--email', 'old@test.local'], { stdin: 'old-password-1' });
    expect(result.code).toBe(0);
    expect((await userRow('old@test.local'))!.apiKey).toBe(hashApiKey(printedKey(result.stdout)!));
  });
});

describe('user rotate-key', () => {
  it('prints only the new key on stdout; the old key stops working on a running gateway at once', async () => {
    const created = await runCli(database.url, ['user', 'create', 'eve@test.local'], { stdin: 'eve-password-1' });
    const oldKey = printedKey(created.stdout)!;
    const eve = (await userRow('eve@test.local'))!;

    const byEmail = await runCli(database.url, ['user', 'rotate-key', 'EVE@test.local']);
    expect(byEmail.code).toBe(0);
    expect(byEmail.stdout).toMatch(/^bak_\S+\n$/);
    expect(byEmail.stderr).toMatch(/shown only this once/);
    const byId = await runCli(database.url, ['user', 'rotate-key', eve.id]);
    expect(byId.code).toBe(0);
    const newKey = byId.stdout.trim();
    expect(new Set([oldKey, byEmail.stdout.trim(), newKey]).size).toBe(3);
    expect((await userRow('eve@test.local'))!.apiKey).toBe(hashApiKey(newKey));

    const gateway = await startGateway('cli_users', {}, { database });
    try {
      expect((await gateway.api.get('/api/v1/me', { key: newKey })).body.email).toBe('eve@test.local');
      expect((await gateway.api.get('/api/v1/me', { key: oldKey })).status).toBe(401);
      expect((await gateway.api.get('/api/v1/me', { key: byEmail.stdout.trim() })).status).toBe(401);
    } finally {
      await gateway.stop();
    }
  });

  it('an unknown user is a failure (exit 1)', async () => {
    const result = await runCli(database.url, ['user', 'rotate-key', 'nobody@test.local']);
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(result.stderr).toMatch(/No user has the id or email nobody@test\.local/);
  });
});
