import { startGateway, type TestGateway } from '../helpers/gateway';

let gw: TestGateway;
let alice: { id: string; key: string; email: string };
let bob: { id: string; key: string; email: string };

const userCount = async () => (await gw.ctx.db.selectFrom('User').select('id').execute()).length;

beforeAll(async () => {
  gw = await startGateway('users');
  alice = await gw.createUser('alice@test.local');
  bob = await gw.createUser('bob@test.local');
});
afterAll(() => gw?.close());

describe('admin user management', () => {
  it('creates a user with a one-time key; the email is unique regardless of case', async () => {
    const res = await gw.api.post('/api/v1/users', {
      key: gw.adminKey,
      body: { email: 'Carol@Test.Local', password: 'carol-password', name: 'Carol', role: 'ADMIN' },
    });
    expect(res.status).toBe(201);
    expect(res.body.user).toMatchObject({ email: 'carol@test.local', name: 'Carol', role: 'ADMIN', isActive: true });
    expect(res.body.apiKey).toMatch(/^bak_/);
    const dup = await gw.api.post('/api/v1/users', { key: gw.adminKey, body: { email: 'carol@test.local', password: 'carol-password' } });
    expect(dup.status).toBe(409);
  });

  it('lists users in pages with a cursor', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?limit=2&cursor=${cursor}` : '?limit=2';
      const page = await gw.api.get(`/api/v1/users${query}`, { key: gw.adminKey });
      expect(page.status).toBe(200);
      expect(page.body.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.data.map((u: { email: string }) => u.email));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(expect.arrayContaining(['admin@test.local', 'alice@test.local', 'bob@test.local', 'carol@test.local']));
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBe(await userCount());
  });

  it('reads, updates and deletes one user', async () => {
    const temp = await gw.createUser('temp@test.local');
    expect((await gw.api.get(`/api/v1/users/${temp.id}`, { key: gw.adminKey })).body.email).toBe('temp@test.local');
    const patched = await gw.api.patch(`/api/v1/users/${temp.id}`, { key: gw.adminKey, body: { name: 'Temp', role: 'ADMIN' } });
    expect(patched.body).toMatchObject({ name: 'Temp', role: 'ADMIN' });
    expect((await gw.api.delete(`/api/v1/users/${temp.id}`, { key: gw.adminKey })).status).toBe(204);
    expect((await gw.api.get(`/api/v1/users/${temp.id}`, { key: gw.adminKey })).status).toBe(404);
    expect((await gw.api.get('/api/v1/me', { key: temp.key })).status).toBe(401);
  });

  it("rotates a user's key: the new key is shown once, the old one stops at once, the password and tokens stay", async () => {
    const temp = await gw.createUser('rotated@test.local');
    const token = await gw.api.post('/api/v1/auth/login', { body: { email: temp.email, password: 'user-password-1' } });
    expect(token.status).toBe(200);
    const rotated = await gw.api.post(`/api/v1/users/${temp.id}/api-key`, { key: gw.adminKey });
    expect(rotated.status).toBe(200);
    expect(Object.keys(rotated.body)).toEqual(['apiKey']);
    expect(rotated.body.apiKey).toMatch(/^bak_/);
    expect(rotated.body.apiKey).not.toBe(temp.key);
    expect((await gw.api.get('/api/v1/me', { key: temp.key })).status).toBe(401);
    expect((await gw.api.get('/api/v1/me', { key: rotated.body.apiKey })).body.email).toBe(temp.email);
    expect((await gw.api.get('/api/v1/me', { key: token.body.token })).status).toBe(200);
    const withEmptyBody = await gw.api.post(`/api/v1/users/${temp.id}/api-key`, { key: gw.adminKey, body: {} });
    expect(withEmptyBody.status).toBe(200);
    expect((await gw.api.get('/api/v1/me', { key: rotated.body.apiKey })).status).toBe(401);
  });

  it('keeps at least one active admin', async () => {
    const solo = await startGateway('last_admin');
    try {
      const me = await solo.api.get('/api/v1/me', { key: solo.adminKey });
      for (const body of [{ role: 'USER' }, { isActive: false }]) {
        const res = await solo.api.patch(`/api/v1/users/${me.body.id}`, { key: solo.adminKey, body });
        expect(res.status).toBe(409);
      }
      expect((await solo.api.delete(`/api/v1/users/${me.body.id}`, { key: solo.adminKey })).status).toBe(409);
      expect((await solo.api.get('/api/v1/me', { key: solo.adminKey })).body.role).toBe('ADMIN');
    } finally {
      await solo.close();
    }
  });
});

describe('roles and isolation', () => {
  it.each([
    ['POST', '/api/v1/users', { email: 'x@test.local', password: 'x-password' }],
    ['GET', '/api/v1/users', undefined],
    ['GET', '/api/v1/users/:bob', undefined],
    ['PATCH', '/api/v1/users/:bob', { name: 'Hacked' }],
    ['DELETE', '/api/v1/users/:bob', undefined],
    ['POST', '/api/v1/users/:bob/api-key', undefined],
    ['PATCH', '/api/v1/users/:alice', { role: 'ADMIN' }],
    ['GET', '/api/v1/usage', undefined],
  ])('a USER gets 403 on %s %s and nothing changes', async (method, path, body) => {
    const before = await gw.ctx.db.selectFrom('User').selectAll().orderBy('id').execute();
    const res = await gw.api.call(method, path.replace(':bob', bob.id).replace(':alice', alice.id), { key: alice.key, body });
    expect(res.status).toBe(403);
    expect(await gw.ctx.db.selectFrom('User').selectAll().orderBy('id').execute()).toEqual(before);
  });

  it('/me is always the caller: no query or body field can point it at someone else', async () => {
    const me = await gw.api.get(`/api/v1/me?id=${bob.id}&userId=${bob.id}`, { key: alice.key });
    expect(me.body.email).toBe('alice@test.local');
    const patch = await gw.api.patch('/api/v1/me', { key: alice.key, body: { name: 'Alice', userId: bob.id } });
    expect(patch.status).toBe(400);
    const usage = await gw.api.get(`/api/v1/me/usage?userId=${bob.id}`, { key: alice.key });
    expect(usage.status).toBe(400);
  });

  it('a USER can change their own name and password, but not their role', async () => {
    const renamed = await gw.api.patch('/api/v1/me', { key: alice.key, body: { name: 'Alice A.' } });
    expect(renamed.body).toMatchObject({ name: 'Alice A.', role: 'USER' });
    const role = await gw.api.patch('/api/v1/me', { key: alice.key, body: { role: 'ADMIN' } });
    expect(role.status).toBe(400);
    const password = await gw.api.patch('/api/v1/me', {
      key: alice.key,
      body: { password: 'new-alice-password', currentPassword: 'user-password-1' },
    });
    expect(password.status).toBe(200);
    const login = await gw.api.post('/api/v1/auth/login', { body: { email: alice.email, password: 'new-alice-password' } });
    expect(login.status).toBe(200);
  });
});

describe('bad input changes nothing', () => {
  it.each([
    ['POST', '/api/v1/users', { email: 'bad@test.local' }],
    ['POST', '/api/v1/users', { email: 'bad@test.local', password: 'short' }],
    ['POST', '/api/v1/users', { email: 'bad@test.local', password: 'long-enough', role: 'ROOT' }],
    ['POST', '/api/v1/users', { email: 'bad@test.local', password: 'long-enough', isActive: 'yes' }],
    ['POST', '/api/v1/users', { email: ['bad@test.local'], password: 'long-enough' }],
    ['POST', '/api/v1/users', 'not json at all'],
    ['PATCH', '/api/v1/users/:alice', {}],
    ['PATCH', '/api/v1/users/:alice', { isActive: 'false' }],
    ['PATCH', '/api/v1/users/:alice', { name: 42 }],
    ['PATCH', '/api/v1/users/:alice', { email: 'new@test.local' }],
    ['POST', '/api/v1/users/:alice/api-key', { apiKey: 'bak_chosen' }],
    ['POST', '/api/v1/users/:alice/api-key', []],
    ['PATCH', '/api/v1/me', {}],
    ['PATCH', '/api/v1/me', { password: 'x' }],
    ['PATCH', '/api/v1/me', { name: '' }],
    ['GET', '/api/v1/users?limit=0', undefined],
    ['GET', '/api/v1/users?limit=abc', undefined],
    ['GET', '/api/v1/users?cursor=%%%', undefined],
    ['GET', '/api/v1/users?cursor=WzEsMiwzXQ', undefined],
    ['GET', '/api/v1/me/usage?from=yesterday', undefined],
    ['GET', '/api/v1/me/usage?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z', undefined],
  ])('%s %s %j → 400', async (method, path, body) => {
    const before = await gw.ctx.db.selectFrom('User').selectAll().orderBy('id').execute();
    const res = await gw.api.call(method, path.replace(':alice', alice.id), { key: gw.adminKey, body });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request', message: expect.any(String) });
    expect(await gw.ctx.db.selectFrom('User').selectAll().orderBy('id').execute()).toEqual(before);
  });

  it('unknown users and unknown routes answer 404 in the same body shape', async () => {
    for (const [method, path] of [
      ['GET', '/api/v1/users/nope'],
      ['PATCH', '/api/v1/users/nope'],
      ['DELETE', '/api/v1/users/nope'],
      ['POST', '/api/v1/users/nope/api-key'],
    ] as const) {
      const res = await gw.api.call(method, path, {
        key: gw.adminKey,
        body: method === 'PATCH' ? { name: 'x' } : undefined,
      });
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ statusCode: 404, error: 'Not Found', message: 'User not found' });
    }
    const missing = await gw.api.get('/api/v1/nothing-here', { key: gw.adminKey });
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
  });
});
