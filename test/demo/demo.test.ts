import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { dropDatabase, MYSQL_ROOT_URL, withConnection } from '../helpers/database';
import { childrenOf, isAlive } from './proc';
import { collect, spawnTs, waitForOutput } from '../helpers/processes';

/** A port nobody listens on right now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The request the printed curl makes: URL, API key and JSON body. */
function parseCurl(banner: string) {
  const command = /curl -X POST (\S+) \\\n\s+-H 'X-API-Key: (\S+)' -H 'Content-Type: application\/json' \\\n\s+-d '(.+)'/.exec(banner);
  if (!command) throw new Error(`no curl in:\n${banner}`);
  return { url: command[1]!, key: command[2]!, body: command[3]! };
}

describe('npm run demo', () => {
  const database = `baileys_demo_test_${randomBytes(4).toString('hex')}`;
  afterAll(() => dropDatabase(database));

  test('starts everything, its curl gets an echo back as a printed webhook event, and Ctrl-C stops it all with exit 0', async () => {
    const port = await freePort();
    const demo = spawnTs('demo/run.ts', ['--port', String(port)], { DATABASE_URL: `${MYSQL_ROOT_URL}/${database}` });
    const { output, done } = collect(demo);
    try {
      await waitForOutput(() => output().stdout, /Every webhook event prints below/, 120_000);
      const stdout = output().stdout;
      expect(stdout).toContain(`Dashboard:  http://localhost:${port}/   (log in as demo@example.com / demo-password`);
      const login = await fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'demo@example.com', password: 'demo-password' }),
      });
      expect(login.status).toBe(200);
      const curl = parseCurl(stdout);
      expect(curl.url).toBe(`http://localhost:${port}/api/v1/sessions/demo/messages`);

      const sent = await fetch(curl.url, {
        method: 'POST',
        headers: { 'x-api-key': curl.key, 'content-type': 'application/json' },
        body: curl.body,
      });
      expect([201, 202]).toContain(sent.status);
      await waitForOutput(() => output().stdout, /\[webhook\] message from Alice \(\+15550100001\): "Echo: Hello Alice!"/, 30_000);

      const stored = await fetch(`http://127.0.0.1:${port}/api/v1/sessions/demo/messages?chatId=15550100001`, {
        headers: { 'x-api-key': curl.key },
      });
      const texts = ((await stored.json()) as { data: { content: any; fromMe: boolean }[] }).data.map((m) => [
        m.fromMe,
        m.content.conversation ?? m.content.extendedTextMessage?.text,
      ]);
      expect(texts).toEqual(
        expect.arrayContaining([
          [true, 'Hello Alice!'],
          [false, 'Echo: Hello Alice!'],
        ]),
      );
      expect(stdout).not.toContain('REJECTED');

      const children = childrenOf(demo.pid!);
      expect(children.length).toBeGreaterThan(0);
      demo.kill('SIGINT');
      const finished = await done;
      expect(finished).toMatchObject({ code: 0, signal: null });
      expect(finished.stdout).toContain('Stopped.');
      expect(children.filter(isAlive)).toEqual([]);
      await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
    } finally {
      if (demo.exitCode === null) for (const pid of [demo.pid!, ...childrenOf(demo.pid!)]) process.kill(pid, 'SIGKILL');
    }
  }, 240_000);

  test('refuses to reset a database that is not a demo one unless told, and leaves it alone', async () => {
    const other = `test_demo_guard_${randomBytes(4).toString('hex')}`;
    await withConnection(MYSQL_ROOT_URL, (c) => c.query(`CREATE DATABASE \`${other}\``));
    try {
      const demo = spawnTs('demo/run.ts', [], { DATABASE_URL: `${MYSQL_ROOT_URL}/${other}` });
      const finished = await collect(demo).done;
      expect(finished.code).toBe(2);
      expect(finished.stderr).toContain(`DATABASE_URL names "${other}", not baileys_demo`);
      expect(finished.stderr).toContain('--reset-any-database');
      const [rows] = await withConnection(MYSQL_ROOT_URL, (c) => c.query(`SHOW DATABASES LIKE '${other}'`));
      expect(rows).toHaveLength(1);
    } finally {
      await dropDatabase(other);
    }
  }, 60_000);
});
