import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateWebhookSecret, verifyWebhook } from '../server/src/webhooks/signing';

export interface WebhookEvent {
  id: string;
  event: string;
  sessionId?: string;
  data: any;
}

const header = (headers: IncomingHttpHeaders, name: string) => String(headers[name] ?? '');

/**
 * The demo's webhook endpoint: verifies each delivery's Standard Webhooks signature (401 when it does not
 * match) and hands the event on; it knows the secret because it made it.
 */
export class EventReceiver {
  readonly secret = generateWebhookSecret();
  private server?: Server;

  constructor(
    private readonly onEvent: (event: WebhookEvent) => void,
    private readonly onRejected: (reason: string) => void,
  ) {}

  async start(port: number): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const verified = verifyWebhook({
          id: header(req.headers, 'webhook-id'),
          timestamp: header(req.headers, 'webhook-timestamp'),
          signatureHeader: header(req.headers, 'webhook-signature'),
          body,
          secret: this.secret,
        });
        if (!verified) {
          this.onRejected(`a delivery to ${req.url} without a valid signature`);
          res.writeHead(401).end('bad signature');
          return;
        }
        res.writeHead(204).end();
        try {
          this.onEvent(JSON.parse(body) as WebhookEvent);
        } catch (error) {
          this.onRejected(`an event that could not be read: ${(error as Error).message}`);
        }
      });
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', resolve);
    });
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/events`;
  }

  async stop(): Promise<void> {
    if (!this.server?.listening) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}
