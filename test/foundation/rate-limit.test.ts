import { startGateway, type TestGateway } from '../helpers/gateway';

let gw: TestGateway;

beforeAll(async () => {
  gw = await startGateway('ratelimit', { RATE_LIMIT_MAX: '5', AUTH_RATE_LIMIT_MAX: '3' });
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
