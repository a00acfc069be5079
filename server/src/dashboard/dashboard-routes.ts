import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { notFound } from '../http/errors';

/** No inline script or style anywhere: the page's code and styles come from /assets only. */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  // blob: for the QR code, fetched with the login token and shown from memory.
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};
/** Asset names as the build writes them: no dot-files, no `..`, nothing outside assets/. */
const ASSET_NAME = /^(?:[A-Za-z0-9_-][A-Za-z0-9._-]*\/)*[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

export const NOT_BUILT_MESSAGE =
  'The dashboard is not built. Run `npm run build:dashboard` (`npm start` builds it when it can), then reload this page.\n';

/** server/dist/dashboard, found from this file both as TypeScript source and compiled into dist/. */
export function builtDashboardDir(): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return path.join(dir, 'dist', 'dashboard');
}

function securityHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', DASHBOARD_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('x-frame-options', 'DENY')
    .header('cross-origin-opener-policy', 'same-origin');
}

/**
 * The web dashboard (a single page built by `npm run build:dashboard`): `/` and `/assets/*` from the
 * built folder, read on each request so a rebuild needs no restart. Outside /api/v1: not metered,
 * not rate-limited, no credential needed (the page itself logs in against the API).
 */
export function dashboardRoutes(dir = builtDashboardDir()): FastifyPluginAsync {
  return async (app) => {
    app.get('/', { schema: { hide: true } }, async (_request, reply) => {
      securityHeaders(reply).header('cache-control', 'no-store');
      const html = await readFile(path.join(dir, 'index.html')).catch(() => undefined);
      if (!html) return reply.status(503).type('text/plain; charset=utf-8').send(NOT_BUILT_MESSAGE);
      return reply.type('text/html; charset=utf-8').send(html);
    });

    app.get<{ Params: { '*': string } }>('/assets/*', { schema: { hide: true } }, async (request, reply) => {
      const name = request.params['*'];
      const type = CONTENT_TYPES[path.extname(name)];
      if (!type || !ASSET_NAME.test(name)) throw notFound('No such asset');
      const file = path.join(dir, 'assets', name);
      const info = await stat(file).catch(() => undefined);
      if (!info?.isFile()) throw notFound('No such asset');
      const etag = `"${info.size.toString(36)}-${Math.floor(info.mtimeMs).toString(36)}"`;
      securityHeaders(reply).header('cache-control', 'no-cache').header('etag', etag);
      if (request.headers['if-none-match'] === etag) return reply.status(304).send();
      return reply.type(type).send(await readFile(file));
    });
  };
}
