import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

// The loopback webhook receiver both sides of the benchmark post to: a plain node:http server that
// reads the body and answers 200 at once, noting each request's webhook-id and arrival time
// (Date.now(), the clock MariaDB's CURRENT_TIMESTAMP(3) reads too). Runs in its own process (the
// default) or in the caller's. Control routes, for the benchmark only:
//   GET /__stats     {count, first, last}   first/last arrival (ms since the epoch)
//   GET /__arrivals  [[webhook-id, at], ...]
//   POST /__reset    forgets everything

export interface Receiver {
  url: string;
  stop(): Promise<void>;
}

export function startReceiver(): Promise<Receiver> {
  let arrivals: [string, number][] = [];
  let first = 0;
  let last = 0;
  const server: Server = createServer((req, res) => {
    if (req.url!.startsWith('/__')) {
      if (req.url === '/__reset') {
        arrivals = [];
        first = last = 0;
      }
      const body = req.url === '/__arrivals' ? arrivals : { count: arrivals.length, first, last };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
      return;
    }
    let bytes = 0;
    req.on('data', (chunk: Buffer) => (bytes += chunk.length));
    req.on('end', () => {
      const at = Date.now();
      if (arrivals.length === 0) first = at;
      last = at;
      arrivals.push([String(req.headers['webhook-id']), at]);
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(bytes > 0 ? 'ok' : 'empty');
    });
  });
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        stop: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      }),
    ),
  );
}

if (require.main === module) {
  const parent = process.ppid;
  void startReceiver().then((receiver) => {
    process.stdout.write(`listening ${receiver.url}\n`);
    process.on('SIGTERM', () => void receiver.stop().then(() => process.exit(0)));
    // Gone with the benchmark, even when it could not stop us.
    setInterval(() => process.ppid !== parent && process.exit(0), 1000).unref();
  });
}
