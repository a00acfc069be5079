import { createSigner } from 'fast-jwt';
import { startGateway, TEST_ADMIN, type TestGateway } from '../helpers/gateway';

let gw: TestGateway;

beforeAll(async () => {
  gw = await startGateway('auth');
});
afterAll(() => gw?.close());

describe('first start', () => {
  it('created an ADMIN from ADMIN_EMAIL/ADMIN_PASSWORD and printed a working one-time key', async () => {
    expect(gw.adminKey).toMatch(/^bak_[A-Za-z0-9_-]{43}$/);
    const me = await gw.api.get('/api/v1/me', { key: gw.adminKey });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ email: TEST_ADMIN.email, role: 'ADMIN', isActive: true });
    expect(me.body).not.toHaveProperty('password');
    expect(me.body).not.toHaveProperty('apiKey');
  });

  it('stores only the SHA-256 of the key', async () => {
    const row = await gw.ctx.db
      .selectFrom('User')
      .select(['apiKey', 'password'])
      .where('email', '=', TEST_ADMIN.email)
      .executeTakeFirstOrThrow();
    expect(row.apiKey).toMatch(/^[0-9a-f]{64}$/);
    expect(row.apiKey).not.toContain(gw.adminKey);
    expect(row.password).toMatch(/^\$2[aby]\$10\$/);
  });
});

describe('credentials', () => {
  it('accepts the key as Bearer and as X-API-Key', async () => {
    expect((await gw.api.get('/api/v1/me', { headers: { 'x-api-key': gw.adminKey } })).status).toBe(200);
    expect((await gw.api.get('/api/v1/me', { headers: { authorization: `bearer ${gw.adminKey}` } })).status).toBe(200);
  });

  it.each([
    ['no credentials', {}],
    ['a wrong key', { authorization: 'Bearer bak_wrongwrongwrongwrongwrongwrongwrongwrongwro' }],
    ['a malformed Authorization header', { authorization: 'Basic YWRtaW46cGFzcw==' }],
    ['garbage as a token', { authorization: 'Bearer not-a-token' }],
    ['a token in X-API-Key', { 'x-api-key': 'eyJhbGciOiJIUzI1NiJ9.e30.x' }],
  ])('answers 401 with one error body for %s', async (_label, headers) => {
    const res = await gw.api.get('/api/v1/me', { headers: headers as Record<string, string> });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: expect.any(String) });
  });

  it('never reads the key from the query string', async () => {
    const res = await gw.api.get(`/api/v1/me?apiKey=${gw.adminKey}&api_key=${gw.adminKey}`);
    expect(res.status).toBe(401);
  });

  it('stops accepting a rotated key at once, and accepts the new one', async () => {
    const user = await gw.createUser('rotate@test.local');
    const rotated = await gw.api.post('/api/v1/me/api-key', { key: user.key });
    expect(rotated.status).toBe(200);
    expect(rotated.body.apiKey).toMatch(/^bak_/);
    expect(rotated.body.apiKey).not.toBe(user.key);
    expect((await gw.api.get('/api/v1/me', { key: user.key })).status).toBe(401);
    expect((await gw.api.get('/api/v1/me', { key: rotated.body.apiKey })).status).toBe(200);
  });

  it("refuses an inactive user's key and tokens, and accepts them again once reactivated", async () => {
    const user = await gw.createUser('inactive@test.local');
    const login = await gw.api.post('/api/v1/auth/login', { body: { email: user.email, password: 'user-password-1' } });
    expect(login.status).toBe(200);
    expect((await gw.api.get('/api/v1/me', { key: login.body.token })).status).toBe(200);

    const off = await gw.api.patch(`/api/v1/users/${user.id}`, { key: gw.adminKey, body: { isActive: false } });
    expect(off.status).toBe(200);
    expect((await gw.api.get('/api/v1/me', { key: user.key })).status).toBe(401);
    expect((await gw.api.get('/api/v1/me', { key: login.body.token })).status).toBe(401);
    expect((await gw.api.post('/api/v1/auth/login', { body: { email: user.email, password: 'user-password-1' } })).status).toBe(401);

    await gw.api.patch(`/api/v1/users/${user.id}`, { key: gw.adminKey, body: { isActive: true } });
    expect((await gw.api.get('/api/v1/me', { key: user.key })).status).toBe(200);
  });
});

describe('login', () => {
  it('returns a signed, expiring token usable as a Bearer credential', async () => {
    const res = await gw.api.post('/api/v1/auth/login', { body: { email: TEST_ADMIN.email.toUpperCase(), password: TEST_ADMIN.password } });
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ email: TEST_ADMIN.email, role: 'ADMIN' });
    expect(new Date(res.body.expiresAt).getTime()).toBeGreaterThan(Date.now());
    const me = await gw.api.get('/api/v1/me', { key: res.body.token });
    expect(me.status).toBe(200);
    expect(me.body.email).toBe(TEST_ADMIN.email);
  });

  it('refuses an expired token and a token signed with another secret', async () => {
    const me = await gw.api.get('/api/v1/me', { key: gw.adminKey });
    const issuedLongAgo = createSigner({
      key: 'test-secret-test-secret-test-secret-42',
      iss: 'baileys-api',
      expiresIn: 60_000,
      clockTimestamp: Date.now() - 3_600_000,
    })({ sub: me.body.id });
    const expired = await gw.api.get('/api/v1/me', { key: issuedLongAgo });
    expect(expired.status).toBe(401);
    expect(expired.body.message).toBe('Token expired');

    const forged = createSigner({ key: 'another-secret-another-secret-another', iss: 'baileys-api' })({ sub: me.body.id });
    expect((await gw.api.get('/api/v1/me', { key: forged })).status).toBe(401);
  });

  it('gives the same generic 401 for an unknown email and a wrong password, at a similar cost', async () => {
    const time = async (body: object) => {
      const started = performance.now();
      const res = await gw.api.post('/api/v1/auth/login', { body });
      return { res, ms: performance.now() - started };
    };
    const unknown = await time({ email: 'nobody@test.local', password: 'whatever-password' });
    const wrong = await time({ email: TEST_ADMIN.email, password: 'wrong-password' });
    expect(unknown.res.status).toBe(401);
    expect(wrong.res.status).toBe(401);
    expect(unknown.res.body).toEqual(wrong.res.body);
    // Both paths run one bcrypt comparison at the configured cost (tens of ms at cost 10).
    expect(unknown.ms).toBeGreaterThan(wrong.ms / 4);
  });

  it('rejects passwords over 72 bytes with 400, even when the characters are fewer', async () => {
    const longInBytes = 'é'.repeat(40); // 40 characters, 80 bytes
    const res = await gw.api.post('/api/v1/auth/login', { body: { email: TEST_ADMIN.email, password: longInBytes } });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/72 bytes/);
    const tooLong = await gw.api.post('/api/v1/users', {
      key: gw.adminKey,
      body: { email: 'long@test.local', password: longInBytes },
    });
    expect(tooLong.status).toBe(400);
    expect(await gw.ctx.db.selectFrom('User').select('id').where('email', '=', 'long@test.local').executeTakeFirst()).toBeUndefined();
  });

  it.each([
    [{}],
    [{ email: TEST_ADMIN.email }],
    [{ email: 'not-an-email', password: 'x1234567' }],
    [{ email: TEST_ADMIN.email, password: 12345678 }],
    [{ email: TEST_ADMIN.email, password: TEST_ADMIN.password, extra: true }],
  ])('rejects a malformed login body %j with 400', async (body) => {
    const res = await gw.api.post('/api/v1/auth/login', { body });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request', message: expect.any(String) });
  });

  it('rejects a body that is not JSON with 400', async () => {
    const res = await gw.api.post('/api/v1/auth/login', { body: '{"email":', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
  });
});

describe('registration', () => {
  it('is refused unless ALLOW_REGISTRATION=true', async () => {
    const res = await gw.api.post('/api/v1/auth/register', { body: { email: 'self@test.local', password: 'self-password-1' } });
    expect(res.status).toBe(403);
    expect(await gw.ctx.db.selectFrom('User').select('id').where('email', '=', 'self@test.local').executeTakeFirst()).toBeUndefined();
  });

  it('creates a USER with a one-time key when allowed, and never an ADMIN', async () => {
    const open = await startGateway('register', { ALLOW_REGISTRATION: 'true' });
    try {
      const res = await open.api.post('/api/v1/auth/register', {
        body: { email: 'self@test.local', password: 'self-password-1', name: 'Self' },
      });
      expect(res.status).toBe(201);
      expect(res.body.user).toMatchObject({ email: 'self@test.local', role: 'USER', name: 'Self' });
      expect((await open.api.get('/api/v1/me', { key: res.body.apiKey })).body.email).toBe('self@test.local');
      const sneaky = await open.api.post('/api/v1/auth/register', {
        body: { email: 'boss@test.local', password: 'boss-password-1', role: 'ADMIN' },
      });
      expect(sneaky.status).toBe(400);
      const again = await open.api.post('/api/v1/auth/register', { body: { email: 'SELF@test.local', password: 'self-password-1' } });
      expect(again.status).toBe(409);
    } finally {
      await open.close();
    }
  });
});

describe('password changes and login tokens (issue 10)', () => {
  const login = (email: string, password: string) => gw.api.post('/api/v1/auth/login', { body: { email, password } });

  it('needs the current password to set a new one: 400 without it, 401 when wrong', async () => {
    const user = await gw.createUser('pw-change@test.local');
    const token = (await login(user.email, 'user-password-1')).body.token;
    const missing = await gw.api.patch('/api/v1/me', { key: token, body: { password: 'stolen-new-password' } });
    expect(missing.status).toBe(400);
    expect(missing.body.message).toMatch(/currentPassword is required/);
    const wrong = await gw.api.patch('/api/v1/me', {
      key: user.key,
      body: { password: 'stolen-new-password', currentPassword: 'not-the-password' },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body.message).toBe('Current password is incorrect');
    expect((await login(user.email, 'stolen-new-password')).status).toBe(401);
    expect((await login(user.email, 'user-password-1')).status).toBe(200);
    const alone = await gw.api.patch('/api/v1/me', { key: user.key, body: { name: 'X', currentPassword: 'user-password-1' } });
    expect(alone.status).toBe(400);
  });

  it('a password change ends every login token issued before it; the API key and new logins work', async () => {
    const user = await gw.createUser('pw-tokens@test.local');
    const before = (await login(user.email, 'user-password-1')).body.token;
    const other = (await login(user.email, 'user-password-1')).body.token;
    expect((await gw.api.get('/api/v1/me', { key: before })).status).toBe(200);
    expect((await gw.api.get('/api/v1/me', { key: other })).status).toBe(200);

    const changed = await gw.api.patch('/api/v1/me', {
      key: before,
      body: { password: 'brand-new-password', currentPassword: 'user-password-1' },
    });
    expect(changed.status).toBe(200);
    for (const token of [before, other]) {
      const res = await gw.api.get('/api/v1/me', { key: token });
      expect(res.status).toBe(401);
      expect(res.body.message).toMatch(/log in again/);
    }
    expect((await gw.api.get('/api/v1/me', { key: user.key })).status).toBe(200);
    const after = (await login(user.email, 'brand-new-password')).body.token;
    expect((await gw.api.get('/api/v1/me', { key: after })).status).toBe(200);
  });

  it('disabling a user ends their login tokens for good, even after re-enabling', async () => {
    const user = await gw.createUser('disable-tokens@test.local');
    const token = (await login(user.email, 'user-password-1')).body.token;
    expect((await gw.api.get('/api/v1/me', { key: token })).status).toBe(200);
    await gw.api.patch(`/api/v1/users/${user.id}`, { key: gw.adminKey, body: { isActive: false } });
    await gw.api.patch(`/api/v1/users/${user.id}`, { key: gw.adminKey, body: { isActive: true } });
    expect((await gw.api.get('/api/v1/me', { key: token })).status).toBe(401);
    expect((await gw.api.get('/api/v1/me', { key: user.key })).status).toBe(200);
  });

  it('a login token mints an API key only with the current password; an API key needs none', async () => {
    const user = await gw.createUser('mint@test.local');
    const token = (await login(user.email, 'user-password-1')).body.token;
    const bare = await gw.api.post('/api/v1/me/api-key', { key: token });
    expect(bare.status).toBe(400);
    expect(bare.body.message).toMatch(/currentPassword is required/);
    const wrong = await gw.api.post('/api/v1/me/api-key', { key: token, body: { currentPassword: 'guess-guess' } });
    expect(wrong.status).toBe(401);
    expect((await gw.api.get('/api/v1/me', { key: user.key })).status).toBe(200);

    const minted = await gw.api.post('/api/v1/me/api-key', { key: token, body: { currentPassword: 'user-password-1' } });
    expect(minted.status).toBe(200);
    expect((await gw.api.get('/api/v1/me', { key: minted.body.apiKey })).status).toBe(200);
    const byKey = await gw.api.post('/api/v1/me/api-key', { key: minted.body.apiKey });
    expect(byKey.status).toBe(200);
    expect((await gw.api.get('/api/v1/me', { key: byKey.body.apiKey })).status).toBe(200);
  });
});
