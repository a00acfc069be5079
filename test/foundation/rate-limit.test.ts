import { startGateway, type TestGateway } from '../helpers/gateway';

let gw: TestGateway;

beforeAll(async () => {
  gw = await startGateway('ratelimit', { RATE_LIMIT_MAX: '5', AUTH_RATE_LIMIT_MAX: '3', AUTH_FAILURES_PER_ADDRESS: '4' });
});
afterAll(() => gw?.close());

it('limits each key separately and answers 429 with Retry-After', async () => {
  const user = await gw.createUser('limited@test.local');
  const statuses = [];
  for (let i = 0; i < 6; i++) statuses.push((await gw.api.get('/api/v1/me', { key: user.key })).status);
  expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);

  const limited = await gw.api.get('/api/v1/me', { key: user.key });
  expect(limited.status).toBe(429);
  expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  expect(limited.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests', message: expect.stringContaining('Rate limit') });

  expect((await gw.api.get('/api/v1/me', { key: gw.adminKey })).status).toBe(200);
});

it('limits login attempts per client address', async () => {
  const attempts = [];
  for (let i = 0; i < 4; i++) {
    attempts.push((await gw.api.post('/api/v1/auth/login', { body: { email: 'x@test.local', password: 'wrong-password' } })).status);
  }
  expect(attempts).toEqual([401, 401, 401, 429]);
});

it('counts requests refused as malformed or invalid against the key too', async () => {
  const user = await gw.createUser('invalid-requests@test.local');
  const statuses = [];
  for (let i = 0; i < 3; i++) statuses.push((await gw.api.patch('/api/v1/me', { key: user.key, body: { name: 42 } })).status);
  for (let i = 0; i < 2; i++) {
    const res = await gw.app.inject({
      method: 'PATCH',
      url: '/api/v1/me',
      headers: { 'x-api-key': user.key, 'content-type': 'application/json' },
      payload: '{not json',
    });
    statuses.push(res.statusCode);
  }
  expect(statuses).toEqual([400, 400, 400, 400, 400]);
  expect((await gw.api.get('/api/v1/me', { key: user.key })).status).toBe(429);
});

// Last: it blocks this test's client address (every request here comes from the same one).
it('limits failed authentications per client address, without looking at the credential once blocked', async () => {
  const wrong = [];
  for (let i = 0; i < 4; i++) wrong.push((await gw.api.get('/api/v1/me', { key: `bk_wrong${i}` })).status);
  expect(wrong).toEqual([401, 401, 401, 401]);
  const blocked = await gw.api.get('/api/v1/me', { key: 'bk_wrong-again' });
  expect(blocked.status).toBe(429);
  expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
  expect(blocked.body.message).toMatch(/^Too many failed authentications from this address; retry in \d+ seconds$/);
  expect((await gw.api.get('/api/v1/me', { key: gw.adminKey })).status).toBe(429);
});
