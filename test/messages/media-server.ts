import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface MediaServer {
  url(path: string): string;
  /** How many times each path was requested. */
  hits: Map<string, number>;
  /** Paths in the order their requests arrived. */
  arrivals: string[];
  /** Answers the requests held so far under /held/ (and those that come later, until `hold()`). */
  release(): void;
  /** Holds requests under /held/ again. */
  hold(): void;
  close(): Promise<void>;
}

export interface MediaFile {
  body: Buffer;
  type?: string;
  /** Sent as Content-Disposition. */
  disposition?: string;
  /** Leave out Content-Length (chunked), to test the limit on what actually arrives. */
  chunked?: boolean;
}

/**
 * A local HTTP server for media URLs: serves `files` by path, answers 404 for anything else, never
 * answers /slow (for fetch timeouts), and answers /held/<path> with the file at /<path> once released.
 */
export async function startMediaServer(files: Record<string, MediaFile>): Promise<MediaServer> {
  const hits = new Map<string, number>();
  const arrivals: string[] = [];
  const hanging = new Set<http.ServerResponse>();
  let held: (() => void)[] | undefined = [];
  const server = http.createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0]!;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    arrivals.push(path);
    if (path === '/slow') {
      hanging.add(response);
      return;
    }
    if (path.startsWith('/held/')) {
      const answer = () => serve(path.slice('/held'.length), response);
      if (held) {
        hanging.add(response);
        held.push(() => (hanging.delete(response), answer()));
      } else answer();
      return;
    }
    serve(path, response);
  });
  const serve = (path: string, response: http.ServerResponse) => {
    const file = files[path];
    if (!file) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not here');
      return;
    }
    const headers: Record<string, string> = { 'content-type': file.type ?? 'application/octet-stream' };
    if (file.disposition) headers['content-disposition'] = file.disposition;
    if (!file.chunked) headers['content-length'] = String(file.body.length);
    response.writeHead(200, headers);
    if (file.chunked) {
      for (let offset = 0; offset < file.body.length; offset += 1024) response.write(file.body.subarray(offset, offset + 1024));
      response.end();
    } else response.end(file.body);
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    hits,
    arrivals,
    release() {
      const waiting = held ?? [];
      held = undefined;
      for (const answer of waiting) answer();
    },
    hold() {
      held ??= [];
    },
    async close() {
      for (const response of hanging) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Bytes that start like the given format, then random filler: enough for WhatsApp, which never looks inside. */
export function fakeMedia(kind: 'mp4' | 'ogg' | 'webp' | 'pdf', size = 2000): Buffer {
  const filler = Buffer.alloc(size);
  for (let i = 0; i < size; i++) filler[i] = (i * 7919 + 13) % 251;
  const header = {
    mp4: Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypmp42')]),
    ogg: Buffer.from('OggS'),
    webp: Buffer.concat([Buffer.from('RIFF'), Buffer.from([0x10, 0, 0, 0]), Buffer.from('WEBPVP8 ')]),
    pdf: Buffer.from('%PDF-1.4\n'),
  }[kind];
  return Buffer.concat([header, filler]);
}
