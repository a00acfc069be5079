import { withConnection } from '../helpers/database';
import { startGateway, type TestGateway } from '../helpers/gateway';

let gw: TestGateway;

const usageRows = (userId: string) =>
  gw.ctx.db.selectFrom('ApiUsage').selectAll().where('userId', '=', userId).orderBy('timestamp').execute();

async function eventually<T>(read: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (accept(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 25));
  }
}

beforeAll(async () => {
  gw = await startGateway('usage', { USAGE_FLUSH_INTERVAL_MS: '600000', USAGE_FLUSH_SIZE: '3' });
});
afterAll(() => gw?.close());

it('buffers usage rows and writes them as one batch when the buffer fills', async () => {
  const user = await gw.createUser('metered@test.local');
  await gw.ctx.usage.flush();
  await gw.api.get('/api/v1/me', { key: user.key });
  await gw.api.get('/api/v1/me', { key: user.key });
  expect(await usageRows(user.id)).toHaveLength(0);

  await gw.api.get(`/api/v1/users/${user.id}`, { key: user.key }); // third row fills the batch (403)
  const rows = await eventually(
    () => usageRows(user.id),
    (r) => r.length === 3,
  );
  expect(rows.map((r) => [r.method, r.endpoint, r.status])).toEqual(
    expect.arrayContaining([
      ['GET', '/api/v1/me', 200],
      ['GET', '/api/v1/users/:id', 403],
    ]),
  );
  for (const row of rows) {
    expect(row.duration).toBeGreaterThanOrEqual(0);
    expect(row.endpoint).not.toContain(user.id);
  }
});

it('records route patterns, never raw URLs, for every authenticated outcome', async () => {
  const user = await gw.createUser('patterns@test.local');
  await gw.api.get('/api/v1/me?x=1', { key: user.key });
  await gw.api.patch('/api/v1/me', { key: user.key, body: { bogus: 1 } });
  await gw.api.get('/api/v1/me', { headers: { authorization: 'Bearer bak_wrong' } });
  await gw.ctx.usage.flush();
  const rows = await usageRows(user.id);
  expect(rows.map((r) => `${r.method} ${r.endpoint} ${r.status}`).sort()).toEqual(['GET /api/v1/me 200', 'PATCH /api/v1/me 400']);
});

it('flushes what is buffered when the server closes', async () => {
  const other = await startGateway('usage_close', { USAGE_FLUSH_INTERVAL_MS: '600000', USAGE_FLUSH_SIZE: '1000' });
  const me = await other.api.get('/api/v1/me', { key: other.adminKey });
  await other.app.close();
  const [rows] = await withConnection(other.database.url, (c) => c.query('SELECT endpoint FROM ApiUsage WHERE userId = ?', [me.body.id]));
  expect(rows).toEqual([{ endpoint: '/api/v1/me' }]);
  await other.database.drop();
});

it('keeps the rows of other users when a user is deleted before the flush', async () => {
  const doomed = await gw.createUser('doomed@test.local');
  const survivor = await gw.createUser('survivor@test.local');
  await gw.api.get('/api/v1/me', { key: doomed.key });
  await gw.api.delete(`/api/v1/users/${doomed.id}`, { key: gw.adminKey });
  await gw.api.get('/api/v1/me', { key: survivor.key });
  await gw.ctx.usage.flush();
  expect(await usageRows(doomed.id)).toHaveLength(0);
  expect((await usageRows(survivor.id)).map((r) => r.endpoint)).toEqual(['/api/v1/me']);
});

describe('aggregates', () => {
  it('reports count and p50/p95 duration per endpoint and status for the caller', async () => {
    const user = await gw.createUser('report@test.local');
    const durations = Array.from({ length: 20 }, (_, i) => i + 1);
    await gw.ctx.db
      .insertInto('ApiUsage')
      .values(
        durations.map((duration, i) => ({
          id: `seed${i}`,
          endpoint: '/api/v1/sessions/:sessionId',
          method: 'GET',
          status: 200,
          duration,
          userId: user.id,
          timestamp: new Date(Date.now() - 60_000),
        })),
      )
      .execute();
    const res = await gw.api.get('/api/v1/me/usage', { key: user.key });
    expect(res.status).toBe(200);
    const bucket = res.body.endpoints.find((e: { endpoint: string }) => e.endpoint === '/api/v1/sessions/:sessionId');
    expect(bucket).toEqual({ endpoint: '/api/v1/sessions/:sessionId', method: 'GET', status: 200, count: 20, p50: 10, p95: 19 });
    expect(res.body.total).toBeGreaterThanOrEqual(20);

    const old = await gw.api.get(`/api/v1/me/usage?to=${new Date(Date.now() - 120_000).toISOString()}`, { key: user.key });
    expect(old.body.total).toBe(0);
  });

  it.each([
    ['/api/v1/me/usage', 'user'],
    ['/api/v1/usage', 'admin'],
  ])('%s refuses a range over 366 days or backwards with 400, and defaults from to 24 hours before to', async (path, who) => {
    const key = who === 'admin' ? gw.adminKey : (await gw.createUser(`range-${who}@test.local`)).key;
    const to = new Date('2026-06-01T00:00:00.000Z');
    const at = (days: number) => new Date(to.getTime() - days * 86_400_000).toISOString();
    const tooLong = await gw.api.get(`${path}?from=${at(367)}&to=${to.toISOString()}`, { key });
    expect({ status: tooLong.status, message: tooLong.body.message }).toEqual({
      status: 400,
      message: 'The range from..to may span at most 366 days; ask for longer periods in parts',
    });
    const backwards = await gw.api.get(`${path}?from=${to.toISOString()}&to=${at(1)}`, { key });
    expect({ status: backwards.status, message: backwards.body.message }).toEqual({ status: 400, message: 'from must be before to' });
    const longest = await gw.api.get(`${path}?from=${at(366)}&to=${to.toISOString()}`, { key });
    expect(longest.status).toBe(200);
    const defaulted = await gw.api.get(`${path}?to=${to.toISOString()}`, { key });
    expect(defaulted.body).toMatchObject({ from: at(1), to: to.toISOString() });
  });

  it('lets an admin see everyone, or one user', async () => {
    const user = await gw.createUser('watched@test.local');
    await gw.api.get('/api/v1/me', { key: user.key });
    const all = await gw.api.get('/api/v1/usage', { key: gw.adminKey });
    const one = await gw.api.get(`/api/v1/usage?userId=${user.id}`, { key: gw.adminKey });
    expect(all.status).toBe(200);
    expect(one.body.endpoints).toEqual([expect.objectContaining({ endpoint: '/api/v1/me', method: 'GET', status: 200, count: 1 })]);
    expect(all.body.total).toBeGreaterThan(one.body.total);
  });
});
