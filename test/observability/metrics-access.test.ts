import { ConfigError, loadConfig } from '../../server/src/config';
import { testDatabase, type TestDatabase } from '../helpers/database';
import { startGateway, type TestGateway } from '../helpers/gateway';

jest.setTimeout(60_000);

const TOKEN = 'metrics-token-0123456789';

let database: TestDatabase;
let gateway: TestGateway | undefined;

/** A gateway with `env` on the shared database (the first one creates and migrates it). */
async function gatewayWith(env: Record<string, string>): Promise<TestGateway> {
  await gateway?.stop();
  gateway = await startGateway('metrics_access', env, { database });
  return gateway;
}
const scrape = (headers: Record<string, string> = {}) => gateway!.api.get('/metrics', { headers });

beforeAll(() => {
  database = testDatabase('metrics_access');
});
afterAll(async () => {
  await gateway?.stop();
  await database.drop();
});

it('is open to loopback by default, not to requests that came through a proxy, and is neither metered nor rate limited', async () => {
  const { api, adminKey, ctx } = await gatewayWith({ RATE_LIMIT_MAX: '2' });
  for (let i = 0; i < 4; i++) expect((await scrape()).status).toBe(200);
  const forwarded = await scrape({ 'x-forwarded-for': '203.0.113.9' });
  expect(forwarded.status).toBe(403);
  expect(forwarded.body.message).toMatch(/loopback only.*METRICS_TOKEN or METRICS_ALLOW/);
  expect((await scrape({ forwarded: 'for=203.0.113.9' })).status).toBe(403);

  const calls = [];
  for (let i = 0; i < 3; i++) calls.push((await api.get('/api/v1/me', { key: adminKey })).status);
  expect(calls).toEqual([200, 200, 429]);
  expect((await scrape()).status).toBe(200);
  await ctx.usage.flush();
  const metered = await ctx.db.selectFrom('ApiUsage').select('endpoint').distinct().execute();
  expect(metered.map((row) => row.endpoint)).toEqual(['/api/v1/me']);
});

it('with METRICS_TOKEN, needs the bearer token from any address', async () => {
  await gatewayWith({ METRICS_TOKEN: TOKEN });
  const refused: Record<string, string>[] = [
    {},
    { authorization: `Bearer ${TOKEN}x` },
    { authorization: `Bearer ${TOKEN.slice(0, -1)}` },
    { authorization: TOKEN },
  ];
  for (const headers of refused) {
    const res = await scrape(headers);
    expect(res.status).toBe(401);
    expect(res.body.message).toBe('A valid metrics bearer token is required');
  }
  const res = await scrape({ authorization: `Bearer ${TOKEN}` });
  expect(res.status).toBe(200);
  expect(res.body).toContain('baileys_api_http_request_duration_seconds');
  expect((await scrape({ authorization: `bearer ${TOKEN}`, 'x-forwarded-for': '203.0.113.9' })).status).toBe(200);
});

it('with METRICS_ALLOW, admits only those client addresses (as TRUST_PROXY resolves them), and the token too when both are set', async () => {
  await gatewayWith({ METRICS_ALLOW: '10.0.0.0/8, 192.0.2.7' });
  expect((await scrape()).status).toBe(403);

  await gatewayWith({ METRICS_ALLOW: '10.0.0.0/8, 192.0.2.7', TRUST_PROXY: '127.0.0.1' });
  expect((await scrape({ 'x-forwarded-for': '10.20.30.40' })).status).toBe(200);
  expect((await scrape({ 'x-forwarded-for': '192.0.2.7' })).status).toBe(200);
  expect((await scrape({ 'x-forwarded-for': '192.0.2.8' })).status).toBe(403);

  await gatewayWith({ METRICS_ALLOW: '127.0.0.1/32,::1', METRICS_TOKEN: TOKEN });
  expect((await scrape()).status).toBe(401);
  expect((await scrape({ authorization: `Bearer ${TOKEN}` })).status).toBe(200);
});

it('refuses a malformed METRICS_ALLOW or a short METRICS_TOKEN at start', () => {
  expect(() => loadConfig({ METRICS_ALLOW: '10.0.0.0/33' })).toThrow(ConfigError);
  expect(() => loadConfig({ METRICS_ALLOW: '127.0.0.1,example.com' })).toThrow(
    /METRICS_ALLOW: "example.com" is not an IP address or CIDR range/,
  );
  expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN/);
});
