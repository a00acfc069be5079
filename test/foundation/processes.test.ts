import type { RowDataPacket } from 'mysql2';
import { request } from 'undici';
import { testDatabase, withConnection } from '../helpers/database';
import { migrations } from '../../migrations';
import { collect, spawnTs, waitForOutput } from '../helpers/processes';

jest.setTimeout(60_000);

const migrate = (url: string) => collect(spawnTs('server/src/cli.ts', ['migrate'], { DATABASE_URL: url })).done;

describe('migrations', () => {
  it('two processes migrating a new database together apply each migration once', async () => {
    const database = testDatabase('concurrent');
    try {
      const [first, second] = await Promise.all([migrate(database.url), migrate(database.url)]);
      expect([first, second].map(({ code, stderr }) => ({ code, stderr }))).toEqual([
        { code: 0, stderr: '' },
        { code: 0, stderr: '' },
      ]);
      // Each process logs the migrations it applied itself: together they are every migration,
      // each applied by exactly one of them (the other waited for the lock and found it done).
      const appliedBy = [first, second].map(({ stdout }) =>
        stdout
          .split('\n')
          .filter((line) => line.includes('"database migrated"'))
          .flatMap((line) => JSON.parse(line).migrations as string[]),
      );
      expect([...appliedBy[0]!, ...appliedBy[1]!].sort()).toEqual(Object.keys(migrations));
      const recorded = await withConnection(
        database.url,
        async (c) => (await c.query<RowDataPacket[]>('SELECT name FROM kysely_migration ORDER BY name'))[0],
      );
      expect(recorded.map((r) => r.name)).toEqual(Object.keys(migrations));
    } finally {
      await database.drop();
    }
  });

  it('a failed migration exits non-zero and says why', async () => {
    const database = testDatabase('failing');
    try {
      await withConnection(database.url.replace(/\/[^/]+$/, ''), (c) => c.query(`CREATE DATABASE \`${database.name}\``));
      await withConnection(database.url, (c) => c.query('CREATE TABLE `Session` (x INT)'));
      const result = await migrate(database.url);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(/Migration \S+ failed: .*Session/);
    } finally {
      await database.drop();
    }
  });
});

describe('the server process', () => {
  it('refuses to start with invalid configuration, naming the setting', async () => {
    const result = await collect(spawnTs('server/src/main.ts', [], { PORT: 'eighty', DATABASE_URL: 'postgres://x' })).done;
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Invalid configuration: .*PORT/);
  });

  it('starts on a new database with an admin, then on SIGTERM finishes, flushes usage and exits 0', async () => {
    const database = testDatabase('lifecycle');
    const child = spawnTs('server/src/main.ts', [], {
      DATABASE_URL: database.url,
      PORT: '0',
      HOST: '127.0.0.1',
      BCRYPT_COST: '10',
      USAGE_FLUSH_INTERVAL_MS: '600000',
    });
    const { output, done } = collect(child);
    try {
      const [, apiKey] = await waitForOutput(() => output().stdout, /API key, shown only this once: (bak_\S+)/);
      const [, url] = await waitForOutput(() => output().stdout, /Server listening at (http:\/\/127\.0\.0\.1:\d+)/);
      const me = await request(`${url}/api/v1/me`, { headers: { 'x-api-key': apiKey! } });
      expect(me.statusCode).toBe(200);
      expect(await me.body.json()).toMatchObject({ email: 'admin@localhost', role: 'ADMIN' });
      expect(output().stdout).not.toContain(`"${apiKey}"`);

      child.kill('SIGTERM');
      const finished = await done;
      expect(finished.code).toBe(0);
      const usage = await withConnection(database.url, async (c) => (await c.query<RowDataPacket[]>('SELECT endpoint FROM ApiUsage'))[0]);
      expect(usage.map((r) => r.endpoint)).toEqual(['/api/v1/me']);
    } finally {
      child.kill('SIGKILL');
      await database.drop();
    }
  });
});
