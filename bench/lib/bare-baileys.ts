import makeWASocket, { Browsers, DisconnectReason, WA_CERT_DETAILS } from '@whiskeysockets/baileys';
import pino from 'pino';
import { endSocket, type WASocket } from '../../test/wa-sim/baileys-socket';
import { memoryAuthState, type MemoryAuth } from '../../test/wa-sim/memory-auth';
import { forEachConcurrently, retrying } from './wait';

// The baseline: bare Baileys sockets with in-memory auth in one process, no gateway, against the
// simulator (WHATSAPP_WS_URL, WHATSAPP_ROOT_KEY; SIM_HTTP_URL for its control API). Configured like
// the gateway's sockets. Driven over IPC by the benches: each request { id, cmd, ...args } gets one
// reply { id, result | error } (see bare-driver.ts).

type Request = { id: number; cmd: string; [arg: string]: unknown };

WA_CERT_DETAILS.PUBLIC_KEY = Buffer.from(process.env.WHATSAPP_ROOT_KEY!, 'base64');
const WS_URL = process.env.WHATSAPP_WS_URL!;
const SIM_HTTP_URL = process.env.SIM_HTTP_URL!;
const logger = pino({ level: 'silent' });

/** One linked device: reconnects with the same credentials after the 515 that follows pairing. */
class BareClient {
  sock!: WASocket;
  readonly auth: MemoryAuth = memoryAuthState();
  private opened!: Promise<void>;
  private qrSeen: ((qr: string) => void) | undefined;
  ended = false;

  constructor() {
    this.connect();
  }

  open(): Promise<void> {
    return this.opened;
  }

  firstQr(): Promise<string> {
    return new Promise((resolve) => (this.qrSeen = resolve));
  }

  private connect() {
    const sock = makeWASocket({
      auth: this.auth.state,
      logger,
      waWebSocketUrl: WS_URL,
      browser: Browsers.ubuntu('Chrome'),
      markOnlineOnConnect: false,
      syncFullHistory: true,
      shouldSyncHistoryMessage: () => true,
      generateHighQualityLinkPreview: false,
      getMessage: async () => undefined,
    });
    this.sock = sock;
    this.opened = new Promise((resolve, reject) => {
      sock.ev.on('creds.update', () => {});
      sock.ev.on('connection.update', (update) => {
        if (update.qr && this.qrSeen) {
          this.qrSeen(update.qr);
          this.qrSeen = undefined;
        }
        if (update.connection === 'open') resolve();
        if (update.connection === 'close') {
          const code = (update.lastDisconnect?.error as { output?: { statusCode?: number } } | undefined)?.output?.statusCode;
          if (code === DisconnectReason.loggedOut || code === DisconnectReason.connectionReplaced || this.ended) {
            reject(new Error(`closed with ${code}`));
            return;
          }
          // 515 after pairing at once; anything else (a dropped connection on a loaded machine) after a
          // moment, with the same credentials, as apps do.
          const again = () => {
            this.connect();
            this.opened.then(resolve, reject);
          };
          if (code === DisconnectReason.restartRequired) again();
          else setTimeout(again, 250);
        }
      });
    });
    this.opened.catch(() => {});
  }
}

const clients: BareClient[] = [];
const retries = { count: 0 };
const retried = <T>(send: () => Promise<T>) => retrying(send, () => void retries.count++);

async function scan(phone: string, qr: string): Promise<void> {
  const response = await fetch(`${SIM_HTTP_URL}/control/accounts/${phone}/scan`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ qr }),
  });
  if (!response.ok) throw new Error(`scan for ${phone}: ${response.status} ${await response.text()}`);
}

const commands: Record<string, (request: Request) => Promise<unknown>> = {
  /** Links one new device to each phone by QR, `concurrency` at a time; resolves when all are open. */
  async link(request) {
    const phones = request.phones as string[];
    await forEachConcurrently(phones, request.concurrency as number, async (phone) => {
      const client = new BareClient();
      await scan(phone, await client.firstQr());
      await client.open();
      clients.push(client);
    });
    return { linked: clients.length };
  },
  /**
   * Client i sends `perClient` texts to `to[i]`, `inFlight` awaited sends at a time per client, as
   * fast as it can; returns each message's id and when its send was called (Date.now()).
   */
  async send(request) {
    const to = request.to as string[];
    const perClient = request.perClient as number;
    const inFlight = request.inFlight as number;
    const label = request.label as string;
    const sent: [string, number][] = [];
    await Promise.all(
      to.map(async (phone, i) => {
        const client = clients[i]!;
        const jid = `${phone}@s.whatsapp.net`;
        await forEachConcurrently(
          Array.from({ length: perClient }, (_, n) => n),
          inFlight,
          async (n) => {
            const at = Date.now();
            const message = await retried(async () => {
              await client.open();
              return client.sock.sendMessage(jid, { text: `${label} ${i} ${n}` });
            });
            sent.push([message!.key.id!, at]);
          },
        );
      }),
    );
    return { sent, retries: retries.count };
  },
  async stop() {
    for (const client of clients) {
      client.ended = true;
      endSocket(client.sock);
    }
    setTimeout(() => process.exit(0), 200);
    return {};
  },
};

process.on('message', (request: Request) => {
  const command = commands[request.cmd];
  if (!command) return void process.send!({ id: request.id, error: `unknown command ${request.cmd}` });
  command(request).then(
    (result) => process.send!({ id: request.id, result }),
    (error: Error) => process.send!({ id: request.id, error: String(error?.stack ?? error) }),
  );
});
process.on('disconnect', () => process.exit(0));
process.send!({ ready: true });
