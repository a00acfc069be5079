import { ConfigError, loadConfig } from '../../server/src/config';
import { parseTrustProxy } from '../../server/src/http/trust-proxy';
import { startGateway, type TestGateway } from '../helpers/gateway';

// Issue 10: TRUST_PROXY names which proxies to believe (so a client cannot pick its own address and
// escape the per-address login limit), and logins are throttled per account whatever the address.

const login = (gw: TestGateway, email: string, password: string, forwardedFor?: string) =>
  gw.api.post('/api/v1/auth/login', {
    body: { email, password },
    headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {},
  });

describe('TRUST_PROXY', () => {
  it('takes true/false, a hop count, or a comma-separated list of addresses and CIDR ranges', () => {
    expect(parseTrustProxy('true')).toBe(true);
    expect(parseTrustProxy('FALSE')).toBe(false);
    expect(parseTrustProxy('0')).toBe(false);
    const hops = parseTrustProxy('2') as (address: string, hop: number) => boolean;
    expect([0, 1, 2].map((hop) => hops('203.0.113.9', hop))).toEqual([true, true, false]);
    expect(parseTrustProxy(' 10.0.0.0/8, 127.0.0.1 ,::1, fd00::/8')).toEqual(['10.0.0.0/8', '127.0.0.1', '::1', 'fd00::/8']);
    expect(loadConfig({}).TRUST_PROXY).toBe('false');
    expect(loadConfig({ TRUST_PROXY: '10.0.0.1,10.0.0.2' }).TRUST_PROXY).toBe('10.0.0.1,10.0.0.2');
    for (const bad of ['yes-please', '10.0.0.0/33', '10.0.0.1,', '300.1.1.1', '::1/129', '1.2.3.4/8/9']) {
      expect(() => loadConfig({ TRUST_PROXY: bad })).toThrow(ConfigError);
      expect(() => loadConfig({ TRUST_PROXY: bad })).toThrow(/TRUST_PROXY/);
    }
  });

  it('believes X-Forwarded-For only from the listed proxies', async () => {
    const trusted = await startGateway('trust_listed', { TRUST_PROXY: '127.0.0.1', AUTH_RATE_LIMIT_MAX: '2' });
    const untrusted = await startGateway('trust_other', { TRUST_PROXY: '10.9.9.9', AUTH_RATE_LIMIT_MAX: '2' });
    try {
      // From a listed proxy each forwarded client has its own budget.
      const viaProxy = [];
      for (let i = 0; i < 4; i++) viaProxy.push((await login(trusted, `x${i}@test.local`, 'wrong-password', `198.51.100.${i}`)).status);
      expect(viaProxy).toEqual([401, 401, 401, 401]);
      // From anyone else the header is ignored: changing it buys nothing.
      const spoofed = [];
      for (let i = 0; i < 4; i++) spoofed.push((await login(untrusted, `x${i}@test.local`, 'wrong-password', `198.51.100.${i}`)).status);
      expect(spoofed).toEqual([401, 401, 429, 429]);
    } finally {
      await trusted.close();
      await untrusted.close();
    }
  });

  it('with a hop count, only the entries the trusted hops appended count', async () => {
    const gw = await startGateway('trust_hops', { TRUST_PROXY: '1', AUTH_RATE_LIMIT_MAX: '2' });
    try {
      const statuses = [];
      for (let i = 0; i < 4; i++)
        statuses.push((await login(gw, `h${i}@test.local`, 'wrong-password', `192.0.2.${i}, 203.0.113.7`)).status);
      expect(statuses).toEqual([401, 401, 429, 429]);
    } finally {
      await gw.close();
    }
  });
});

describe('per-account login throttle', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startGateway('login_throttle', { TRUST_PROXY: 'true', AUTH_RATE_LIMIT_MAX: '1000', LOGIN_FAILURES_PER_ACCOUNT: '3' });
  });
  afterAll(() => gw?.close());

  it('after N failures for one email, further attempts get 429 unchecked, from any address', async () => {
    const victim = await gw.createUser('victim@test.local');
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await login(gw, 'VICTIM@test.local', `guess-${i}-guess`, `198.51.100.${i}`)).status);
    expect(statuses).toEqual([401, 401, 401]);
    const refused = await login(gw, victim.email, 'user-password-1', '198.51.100.77');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.body.message).toMatch(/Too many failed password attempts for this account/);

    // Other accounts are unaffected; the API key still works.
    const other = await gw.createUser('bystander@test.local');
    expect((await login(gw, other.email, 'user-password-1')).status).toBe(200);
    expect((await gw.api.get('/api/v1/me', { key: victim.key })).status).toBe(200);
  });

  it('treats an unknown email the same way, so the answer reveals nothing', async () => {
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await login(gw, 'nobody@test.local', 'guess-guess', `203.0.113.${i}`)).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
  });

  it('wrong current passwords count against the account too', async () => {
    const user = await gw.createUser('confirm@test.local');
    const statuses = [];
    for (let i = 0; i < 4; i++) {
      const res = await gw.api.patch('/api/v1/me', { key: user.key, body: { password: 'a-new-password', currentPassword: `guess-${i}` } });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([401, 401, 401, 429]);
    expect((await login(gw, user.email, 'user-password-1')).status).toBe(429);
  });

  it('a successful login does not count as a failure', async () => {
    const user = await gw.createUser('regular@test.local');
    for (let i = 0; i < 5; i++) expect((await login(gw, user.email, 'user-password-1')).status).toBe(200);
  });
});
