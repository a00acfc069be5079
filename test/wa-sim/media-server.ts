import { randomBytes } from 'node:crypto';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MediaTls } from './certificates';

const MAX_UPLOAD_BYTES = 128 * 1024 * 1024;

/** Encrypted media blobs by direct path, exactly as uploaded. */
export class MediaStore {
  readonly maxBytes = MAX_UPLOAD_BYTES;
  private readonly blobs = new Map<string, Buffer>();
  private readonly tokens = new Set<string>();

  constructor(blobs: Record<string, Buffer> = {}, tokens: string[] = []) {
    for (const [path, blob] of Object.entries(blobs)) this.blobs.set(path, blob);
    for (const token of tokens) this.tokens.add(token);
  }

  issueToken(): string {
    const token = randomBytes(24).toString('base64url');
    this.tokens.add(token);
    return token;
  }

  isValidToken(token: string | null): boolean {
    return !!token && this.tokens.has(token);
  }

  /** Stores a blob; returns its direct path (query string included, like WhatsApp's). */
  put(kind: string, blob: Buffer): string {
    const path = `/v/t62.${kind}/${randomBytes(12).toString('hex')}.enc?ccb=11-4&oh=${randomBytes(8).toString('hex')}&oe=${Math.floor(Date.now() / 1000 + 30 * 86400).toString(16)}`;
    this.blobs.set(path.split('?')[0]!, blob);
    return path;
  }

  putPicture(jpeg: Buffer): string {
    const path = `/pps/${randomBytes(12).toString('hex')}.jpg`;
    this.blobs.set(path, jpeg);
    return path;
  }

  get(path: string): Buffer | undefined {
    return this.blobs.get(path.split('?')[0]!);
  }

  export(): { blobs: Record<string, Buffer>; tokens: string[] } {
    return { blobs: Object.fromEntries(this.blobs), tokens: [...this.tokens] };
  }
}

export interface MediaServer {
  port: number;
  close(): Promise<void>;
}

/**
 * HTTPS under the simulator's own CA: `POST /mms/<type>/<encSha256>?auth=…` stores the body and
 * answers `{url, direct_path}`; `GET <direct path>` returns the stored bytes (Range supported).
 */
export async function startMediaServer(store: MediaStore, tls: MediaTls, port = 0): Promise<MediaServer> {
  const server = https.createServer({ key: tls.keyPem, cert: tls.certPem }, (req, res) => {
    handle(store, req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function handle(store: MediaStore, req: IncomingMessage, res: ServerResponse) {
  const url = new URL(req.url ?? '/', 'https://127.0.0.1');
  if (req.method === 'POST' && /^\/(mms|product|pps)\//.test(url.pathname)) {
    if (!store.isValidToken(url.searchParams.get('auth'))) return json(res, 401, { error: 'invalid media auth token' });
    const body = await readBody(req, store.maxBytes);
    if (!body) return json(res, 413, { error: 'upload too large' });
    const kind = url.pathname.split('/')[2] ?? 'media';
    const directPath = store.put(kind, body);
    return json(res, 200, { url: `https://${req.headers.host}${directPath}`, direct_path: directPath });
  }
  if (req.method === 'GET' || req.method === 'HEAD') {
    const blob = store.get(url.pathname);
    if (!blob) return json(res, 404, { error: 'not found' });
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    if (range) {
      const start = Math.min(+range[1]!, blob.length);
      const end = range[2] ? Math.min(+range[2], blob.length - 1) : blob.length - 1;
      res.writeHead(206, {
        'content-type': 'application/octet-stream',
        'content-length': String(Math.max(0, end - start + 1)),
        'content-range': `bytes ${start}-${end}/${blob.length}`,
      });
      return res.end(req.method === 'HEAD' ? undefined : blob.subarray(start, end + 1));
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(blob.length) });
    return res.end(req.method === 'HEAD' ? undefined : blob);
  }
  return json(res, 405, { error: 'method not allowed' });
}

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.destroy();
        resolve(undefined);
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
