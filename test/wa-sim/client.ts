import makeWASocket, { DisconnectReason } from '@whiskeysockets/baileys';
import type { BaileysEventMap, UserFacingSocketConfig, WAMessage } from '@whiskeysockets/baileys';
import pino from 'pino';
import { endSocket, type WASocket } from './baileys-socket';
import { prepareJestRealm } from './jest-realm';
import { type MemoryAuth, memoryAuthState } from './memory-auth';

export { endSocket, type WASocket };

prepareJestRealm();

type EventName = keyof BaileysEventMap;

export interface RecordedEvent<E extends EventName = EventName> {
  name: E;
  data: BaileysEventMap[E];
  at: number;
}

export interface TestClientOptions {
  /** existing credentials (e.g. from `sim.provisionDevice`); fresh ones otherwise */
  auth?: MemoryAuth;
  /** reconnect after a close that is not a logout, conflict or explicit `end()` (default true) */
  autoReconnect?: boolean;
  /** extra Baileys socket config */
  config?: Partial<UserFacingSocketConfig>;
}

/** Closes Baileys reports, by status code. */
export const CLOSE = {
  loggedOut: DisconnectReason.loggedOut,
  restartRequired: DisconnectReason.restartRequired,
  connectionReplaced: DisconnectReason.connectionReplaced,
  connectionClosed: DisconnectReason.connectionClosed,
};

const NO_RECONNECT = new Set<number>([DisconnectReason.loggedOut, DisconnectReason.connectionReplaced, DisconnectReason.forbidden]);

/**
 * A plain Baileys client against the simulator, with in-memory auth, every event recorded, and
 * the restart after pairing (515) done the way apps do it: a new socket with the same credentials.
 */
export class TestClient {
  sock!: WASocket;
  readonly auth: MemoryAuth;
  readonly events: RecordedEvent[] = [];
  /** status codes of every close, in order */
  readonly closes: number[] = [];
  /** received and sent messages by id (also answers Baileys' getMessage for retries) */
  readonly messages = new Map<string, WAMessage>();
  /** state of the current socket */
  connection: 'connecting' | 'open' | 'close' = 'connecting';
  private ended = false;
  private listeners = new Set<() => void>();

  constructor(
    readonly wsUrl: string,
    private readonly options: TestClientOptions = {},
  ) {
    this.auth = options.auth ?? memoryAuthState();
    this.connect();
  }

  get me() {
    return this.auth.state.creds.me;
  }

  /** Resolves with the first recorded event (from index `since`, past or future) that matches. */
  waitFor<E extends EventName>(
    name: E,
    predicate: (data: BaileysEventMap[E]) => boolean = () => true,
    timeoutMs = 5000,
    since = 0,
  ): Promise<BaileysEventMap[E]> {
    return new Promise((resolve, reject) => {
      let checked = since;
      const check = () => {
        for (; checked < this.events.length; checked++) {
          const event = this.events[checked]!;
          if (event.name === name && predicate(event.data as BaileysEventMap[E])) {
            cleanup();
            resolve(event.data as BaileysEventMap[E]);
            return;
          }
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${name}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.listeners.delete(check);
      };
      this.listeners.add(check);
      check();
    });
  }

  /** Resolves once the current socket is open. */
  async waitForOpen(timeoutMs = 5000): Promise<void> {
    if (this.connection === 'open') return;
    await this.waitFor('connection.update', (u) => u.connection === 'open', timeoutMs, this.events.length);
  }

  waitForQr(timeoutMs = 5000): Promise<string> {
    return this.waitFor('connection.update', (u) => !!u.qr, timeoutMs).then((u) => u.qr!);
  }

  /** Resolves with a received or sent message matching the predicate. */
  async waitForMessage(predicate: (message: WAMessage) => boolean, timeoutMs = 5000): Promise<WAMessage> {
    let found: WAMessage | undefined;
    await this.waitFor('messages.upsert', ({ messages }) => !!(found = messages.find(predicate)), timeoutMs);
    return found!;
  }

  /**
   * The latest status Baileys reported for message `id`, whether as a messages.update or folded
   * into the message's own upsert (receipts that arrive while it is still buffered end up there).
   */
  statusOf(id: string): number | undefined {
    let status: number | undefined;
    for (const event of this.events) {
      if (event.name === 'messages.upsert') {
        const message = (event.data as BaileysEventMap['messages.upsert']).messages.find((m) => m.key.id === id);
        if (message && typeof message.status === 'number') status = message.status;
      } else if (event.name === 'messages.update') {
        for (const u of event.data as BaileysEventMap['messages.update']) {
          if (u.key.id === id && typeof u.update.status === 'number') status = u.update.status;
        }
      }
    }
    return status;
  }

  /** Resolves once message `id` reached `status` (3 delivered, 4 read); 0 (ERROR) must match exactly. */
  async waitForStatus(id: string, status: number, timeoutMs = 5000): Promise<void> {
    const reached = () => {
      const current = this.statusOf(id);
      return current !== undefined && (status === 0 ? current === 0 : current >= status);
    };
    await this.waitForCondition(reached, timeoutMs, `status ${status} of ${id}`);
  }

  /** Per-user receipts of a group message: message-receipt.update events and receipts folded into its upsert. */
  receiptsOf(id: string): { userJid: string; read: boolean }[] {
    const receipts: { userJid: string; read: boolean }[] = [];
    for (const event of this.events) {
      if (event.name === 'message-receipt.update') {
        for (const u of event.data as BaileysEventMap['message-receipt.update']) {
          if (u.key.id === id) receipts.push({ userJid: u.receipt.userJid!, read: !!u.receipt.readTimestamp });
        }
      } else if (event.name === 'messages.upsert') {
        const message = (event.data as BaileysEventMap['messages.upsert']).messages.find((m) => m.key.id === id);
        for (const r of message?.userReceipt ?? []) receipts.push({ userJid: r.userJid!, read: !!r.readTimestamp });
      }
    }
    return receipts;
  }

  /** Resolves once `condition` holds, re-checking after every recorded event. */
  waitForCondition(condition: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!condition()) return;
        cleanup();
        resolve();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.listeners.delete(check);
      };
      this.listeners.add(check);
    });
  }

  /** Resolves with the status code of the next close. */
  async waitForClose(timeoutMs = 5000): Promise<number> {
    const seen = this.closes.length;
    await this.waitFor('connection.update', (u) => u.connection === 'close', timeoutMs, this.events.length);
    return this.closes[seen]!;
  }

  /** Opens a fresh socket with the same credentials (what an app does after a close). */
  reconnect(): void {
    this.ended = false;
    if (this.sock) endSocket(this.sock);
    this.connect();
  }

  /** Closes for good: no reconnect. */
  end(): void {
    this.ended = true;
    if (this.sock) endSocket(this.sock);
  }

  private connect() {
    this.connection = 'connecting';
    const sock = makeWASocket({
      auth: this.auth.state,
      waWebSocketUrl: this.wsUrl,
      logger: pino({ level: process.env.WA_SIM_CLIENT_LOG ?? 'silent' }),
      browser: ['Sim Test', 'Chrome', '1.0'],
      markOnlineOnConnect: false,
      connectTimeoutMs: 10_000,
      defaultQueryTimeoutMs: 10_000,
      retryRequestDelayMs: 50,
      getMessage: async (key) => (key.id ? (this.messages.get(key.id)?.message ?? undefined) : undefined),
      ...this.options.config,
    });
    this.sock = sock;
    sock.ev.process((events) => {
      for (const [name, data] of Object.entries(events)) this.record(sock, name as EventName, data);
    });
  }

  private record(sock: WASocket, name: EventName, data: unknown) {
    if (name === 'messages.upsert') {
      for (const message of (data as BaileysEventMap['messages.upsert']).messages) {
        if (message.key.id) this.messages.set(message.key.id, message);
      }
    }
    if (name === 'connection.update') {
      const update = data as BaileysEventMap['connection.update'];
      if (sock === this.sock && update.connection) this.connection = update.connection;
      if (update.connection === 'close') this.onClose(sock, update);
    }
    this.events.push({ name, data, at: Date.now() } as RecordedEvent);
    for (const listener of [...this.listeners]) listener();
  }

  private onClose(sock: WASocket, update: BaileysEventMap['connection.update']) {
    const code = (update.lastDisconnect?.error as { output?: { statusCode?: number } } | undefined)?.output?.statusCode ?? 0;
    this.closes.push(code);
    if (sock !== this.sock || this.ended) return;
    if (code === DisconnectReason.restartRequired) {
      setImmediate(() => this.connect());
    } else if (this.options.autoReconnect !== false && !NO_RECONNECT.has(code)) {
      setTimeout(() => !this.ended && this.sock === sock && this.connect(), 100);
    }
  }
}

/** Connects a fresh client, links it to the account by QR and waits until it is open. */
export async function linkWithQr(
  sim: { wsUrl: string; scan(phone: string, qr: string): Promise<unknown> },
  phone: string,
  options?: TestClientOptions,
): Promise<TestClient> {
  const client = new TestClient(sim.wsUrl, options);
  const qr = await client.waitForQr();
  await sim.scan(phone, qr);
  await client.waitForOpen();
  return client;
}

/** Connects a fresh client, requests a pairing code for `phone`, has the phone enter it, waits for open. */
export async function linkWithPairingCode(
  sim: { wsUrl: string; enterPairingCode(phone: string, code: string): Promise<unknown> },
  phone: string,
  options?: TestClientOptions,
): Promise<TestClient> {
  const client = new TestClient(sim.wsUrl, options);
  await client.waitForQr();
  const code = await client.sock.requestPairingCode(phone);
  await sim.enterPairingCode(phone, code);
  await client.waitForOpen();
  return client;
}

/** A client with pre-made credentials of an already linked device; waits until it is open. */
export async function connectProvisioned(
  sim: { wsUrl: string; provisionDevice(phone: string, options?: { preKeys?: number }): Promise<MemoryAuth> },
  phone: string,
  options?: TestClientOptions & { preKeys?: number },
): Promise<TestClient> {
  const client = new TestClient(sim.wsUrl, { ...options, auth: await sim.provisionDevice(phone, { preKeys: options?.preKeys }) });
  await client.waitForOpen();
  return client;
}
