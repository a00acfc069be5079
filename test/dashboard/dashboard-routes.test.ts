import Fastify, { type FastifyInstance } from 'fastify';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { builtDashboardDir, dashboardRoutes } from '../../server/src/dashboard/dashboard-routes';
import { errorHandling } from '../../server/src/http/errors';
import { startGateway, type TestGateway } from '../helpers/gateway';

/** The directives of a CSP header, by name. */
function directives(header: unknown): Map<string, string[]> {
  return new Map(
    String(header)
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .map(([name, ...values]) => [name!, values]),
  );
}

function expectStrictPolicy(header: unknown) {
  const policy = directives(header);
  expect(policy.get('script-src')).toEqual(["'self'"]);
  expect(policy.get('style-src')).toEqual(["'self'"]);
  expect(policy.get('default-src')).toEqual(["'none'"]);
  expect(policy.get('connect-src')).toEqual(["'self'"]);
  expect(policy.get('frame-ancestors')).toEqual(["'none'"]);
  expect(String(header)).not.toMatch(/unsafe-inline|unsafe-eval/);
}

async function appServing(dir: string): Promise<FastifyInstance> {
  const app = Fastify();
  await app.register(errorHandling);
  await app.register(dashboardRoutes(dir));
  return app;
}

describe('dashboard serving', () => {
  let built: string;
  let app: FastifyInstance;

  beforeAll(async () => {
    built = mkdtempSync(path.join(tmpdir(), 'dashboard-'));
    mkdirSync(path.join(built, 'assets', 'nested'), { recursive: true });
    writeFileSync(path.join(built, 'index.html'), '<!doctype html><script type="module" src="/assets/main.js"></script>');
    writeFileSync(path.join(built, 'assets', 'main.js'), 'console.log("dashboard")');
    writeFileSync(path.join(built, 'assets', 'nested', 'app.css'), 'body{}');
    writeFileSync(path.join(built, 'assets', '.secret.js'), 'hidden');
    writeFileSync(path.join(built, 'assets', 'notes.txt'), 'not an asset type');
    writeFileSync(path.join(built, 'secret.js'), 'outside assets/');
    app = await appServing(built);
  });
  afterAll(async () => {
    await app.close();
    rmSync(built, { recursive: true, force: true });
  });

  it('serves index.html at / with a strict CSP, nosniff and no caching', async () => {
    const res = await app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.body).toContain('/assets/main.js');
    expectStrictPolicy(res.headers['content-security-policy']);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-frame-options']).toBe('DENY');
  });

  it('serves assets with their type and an ETag that answers 304 when unchanged', async () => {
    const js = await app.inject({ method: 'GET', url: '/assets/main.js' });
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.body).toBe('console.log("dashboard")');
    expectStrictPolicy(js.headers['content-security-policy']);
    expect(js.headers['x-content-type-options']).toBe('nosniff');
    expect(js.headers['cache-control']).toBe('no-cache');

    const again = await app.inject({ method: 'GET', url: '/assets/main.js', headers: { 'if-none-match': String(js.headers.etag) } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');

    const css = await app.inject({ method: 'GET', url: '/assets/nested/app.css' });
    expect(css.statusCode).toBe(200);
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
  });

  it.each([
    '/assets/missing.js',
    '/assets/.secret.js',
    '/assets/notes.txt',
    '/assets/../secret.js',
    '/assets/%2e%2e/secret.js',
    '/assets/nested/..%2F..%2Fsecret.js',
    '/assets/',
    '/assets/nested',
  ])('answers 404 for %s', async (url) => {
    const res = await app.inject({ method: 'GET', url });
    expect(res.statusCode).toBe(404);
    expect(res.body).not.toContain('outside assets/');
    expect(res.body).not.toContain('hidden');
  });

  it('answers / with 503 and how to build it when the dashboard is not built', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'dashboard-empty-'));
    const bare = await appServing(path.join(empty, 'missing'));
    try {
      const res = await bare.inject({ method: 'GET', url: '/' });
      expect(res.statusCode).toBe(503);
      expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(res.body).toContain('npm run build:dashboard');
      expectStrictPolicy(res.headers['content-security-policy']);
      expect((await bare.inject({ method: 'GET', url: '/assets/main.js' })).statusCode).toBe(404);
    } finally {
      await bare.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('finds the built folder as server/dist/dashboard', () => {
    expect(path.relative(path.join(__dirname, '../..'), builtDashboardDir())).toBe(path.join('server', 'dist', 'dashboard'));
  });
});

describe('dashboard in the gateway', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startGateway('dashboard_routes');
  });
  afterAll(() => gw.close());

  it('answers / (built or not) beside the API, the docs and the health check, none of them changed', async () => {
    const home = await gw.api.get('/');
    expect([200, 503]).toContain(home.status);
    expectStrictPolicy(home.headers['content-security-policy']);
    expect((await gw.api.get('/health')).body).toEqual({ status: 'ok' });
    expect((await gw.api.get('/docs/json')).status).toBe(200);
    expect(JSON.stringify((await gw.api.get('/docs/json')).body.paths)).not.toContain('/assets');
    expect((await gw.api.get('/api/v1/sessions')).status).toBe(401);
    expect((await gw.api.get('/api/v1/sessions', { key: gw.adminKey })).status).toBe(200);
    const qrPage = await gw.api.get('/api/v1/sessions/nobody/qr/page');
    expect(qrPage.status).toBe(200);
    expect(String(qrPage.headers['content-type'])).toContain('text/html');
  });
});
