import https from 'node:https';
import makeWASocket, { DisconnectReason, downloadMediaMessage, generateMessageIDV2 } from '@whiskeysockets/baileys';
import type { AnyMessageContent, WAMessageKey } from '@whiskeysockets/baileys';
import { Agent } from 'undici';
import { endSocket, type WASocket } from './baileys-socket';
import type { AccountRecord, Directory } from './directory';
import { Inbox } from './inbox';
import { isGroupJid, isUserJid, normalizePhone, userJid } from './jid';
import { type MemoryAuth, memoryAuthState, type SerializedAuth } from './memory-auth';
import { ControlError, type InboxEntry, type SendRequest, type SimLogger } from './types';

export interface HostedDeviceEnv {
  wsUrl: string;
  caCertPem: string;
  directory: Directory;
  logger: SimLogger;
  /** credentials of a companion the phone linked for itself */
  provision(account: AccountRecord): Promise<MemoryAuth>;
  /** whether the account answers every text it receives (the echo bot) */
  echoes(phone: string): boolean;
}

/** What the echo bot puts before the text it answers; texts starting with it are never echoed (no loops). */
export const ECHO_PREFIX = 'Echo: ';

const RECONNECT_DELAY_MS = 250;

/**
 * The account's own companion: a real Baileys client hosted in the simulator process with
 * in-memory credentials. Control-API sends go through it, and what it decrypts is its inbox.
 */
export class HostedDevice {
  readonly inbox: Inbox;
  private sock?: WASocket;
  private stopped = false;
  private open = false;
  private openWaiters: (() => void)[] = [];
  private readonly mediaCache = new Map<string, Buffer>();
  /** ids this device sent itself: kept for quotes and retries, but not inbox entries */
  private readonly sentHere = new Set<string>();
  private readonly uploadAgent: https.Agent;
  private readonly downloadAgent: Agent;

  private constructor(
    readonly account: AccountRecord,
    private readonly env: HostedDeviceEnv,
    private readonly auth: MemoryAuth,
  ) {
    this.inbox = new Inbox(env.directory, () => userJid(account.phone, 'pn'));
    this.uploadAgent = new https.Agent({ ca: env.caCertPem, keepAlive: false });
    this.downloadAgent = new Agent({ connect: { ca: env.caCertPem } });
  }

  /** Starts from saved credentials, or has the phone link a new companion first. */
  static async start(account: AccountRecord, env: HostedDeviceEnv, saved?: SerializedAuth): Promise<HostedDevice> {
    const auth = saved ? memoryAuthState(saved) : await env.provision(account);
    const device = new HostedDevice(account, env, auth);
    device.connect();
    await device.waitOpen(15_000);
    return device;
  }

  get isOpen(): boolean {
    return this.open;
  }

  exportAuth(): SerializedAuth {
    return this.auth.export();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.open = false;
    if (this.sock) endSocket(this.sock);
    this.sock = undefined;
    await this.downloadAgent.close().catch(() => undefined);
    this.uploadAgent.destroy();
  }

  async waitOpen(timeoutMs = 5000): Promise<WASocket> {
    if (!this.open) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new ControlError(503, `hosted device of ${this.account.phone} is not connected`)), timeoutMs);
        this.openWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.sock!;
  }

  async send(request: SendRequest): Promise<{ id: string }> {
    const sock = await this.waitOpen();
    const jid = this.resolveTarget(request.to);
    const quoted = request.quotedId ? this.inbox.raw.get(request.quotedId) : undefined;
    if (request.quotedId && !quoted) throw new ControlError(404, `no message ${request.quotedId} to quote`);
    if (request.messageId !== undefined && (typeof request.messageId !== 'string' || !request.messageId)) {
      throw new ControlError(400, 'invalid messageId');
    }
    const messageId = request.messageId ?? generateMessageIDV2(sock.user?.id);
    this.sentHere.add(messageId);
    const sent = await sock.sendMessage(jid, this.content(request, jid), { quoted, messageId });
    if (!sent?.key.id) throw new ControlError(500, 'Baileys did not return a message id');
    this.inbox.rememberSent(sent);
    return { id: sent.key.id };
  }

  /**
   * A retry receipt, as Baileys sends one when it cannot decrypt a message, asking the device `to` (a
   * device JID) to send message `id` again; nothing checks that the message was ever sent to this account.
   */
  async retryReceipt(to: string, id: string): Promise<void> {
    const sock = await this.waitOpen();
    const registration = Buffer.alloc(4);
    registration.writeUInt32BE(this.auth.state.creds.registrationId);
    const t = String(Math.floor(Date.now() / 1000));
    await sock.sendNode({
      tag: 'receipt',
      attrs: { id, type: 'retry', to },
      content: [
        { tag: 'retry', attrs: { count: '1', id, t, v: '1' } },
        { tag: 'registration', attrs: {}, content: registration },
      ],
    });
  }

  async read(chat: string, ids: string[]): Promise<void> {
    const sock = await this.waitOpen();
    const keys = ids.map((id) => this.inbox.raw.get(id)?.key).filter((key): key is WAMessageKey => !!key);
    if (keys.length !== ids.length) throw new ControlError(404, `unknown message id in ${ids.join(', ')} for chat ${chat}`);
    await sock.readMessages(keys);
  }

  async media(id: string): Promise<{ bytes: Buffer; mimetype?: string }> {
    const entry = this.inbox.get(id);
    const message = this.inbox.raw.get(id);
    if (!entry?.hasMedia || !message) throw new ControlError(404, `inbox has no media message ${id}`);
    let bytes = this.mediaCache.get(id);
    if (!bytes) {
      bytes = (await downloadMediaMessage(message, 'buffer', { options: { dispatcher: this.downloadAgent } })) as Buffer;
      this.mediaCache.set(id, bytes);
    }
    return { bytes, mimetype: entry.mimetype };
  }

  socket(): WASocket | undefined {
    return this.sock;
  }

  private resolveTarget(to: string): string {
    if (isGroupJid(to) || isUserJid(to)) {
      if (isUserJid(to) && !this.env.directory.accountForJid(to)) throw new ControlError(404, `no account for ${to}`);
      return to;
    }
    const phone = normalizePhone(to);
    if (!this.env.directory.getAccount(phone)) throw new ControlError(404, `no account with phone ${phone}`);
    return userJid(phone, 'pn');
  }

  private content(request: SendRequest, jid: string): AnyMessageContent {
    const bad = (what: string): never => {
      throw new ControlError(400, `invalid ${what}`);
    };
    const str = (value: unknown, what: string) => (typeof value === 'string' ? value : bad(what));
    const optional = (value: unknown, what: string) => (value === undefined ? undefined : str(value, what));
    const num = (value: unknown, what: string) => (typeof value === 'number' && Number.isFinite(value) ? value : bad(what));
    const bytes = (value: unknown, what: string) => Buffer.from(str(value, `${what} (base64)`), 'base64');
    const keyOf = (id: unknown) => {
      const key = this.inbox.raw.get(str(id, 'message id'))?.key;
      if (!key) throw new ControlError(404, `no message ${String(id)} in chat ${jid}`);
      return key;
    };
    const caption = optional(request.caption, 'caption');
    const mimetype = optional(request.mimetype, 'mimetype');
    const fileName = optional(request.fileName, 'fileName');
    if (request.image !== undefined) return { image: bytes(request.image, 'image'), caption, mimetype };
    if (request.video !== undefined) return { video: bytes(request.video, 'video'), caption, mimetype };
    if (request.audio !== undefined) return { audio: bytes(request.audio, 'audio'), mimetype: mimetype ?? 'audio/ogg; codecs=opus' };
    if (request.sticker !== undefined) return { sticker: bytes(request.sticker, 'sticker'), mimetype };
    if (request.document !== undefined) {
      return { document: bytes(request.document, 'document'), mimetype: mimetype ?? 'application/octet-stream', fileName, caption };
    }
    if (request.location !== undefined) {
      const { latitude, longitude, name, address } = request.location ?? bad('location');
      return {
        location: {
          degreesLatitude: num(latitude, 'location.latitude'),
          degreesLongitude: num(longitude, 'location.longitude'),
          name: optional(name, 'location.name'),
          address: optional(address, 'location.address'),
        },
      };
    }
    if (request.contact !== undefined) {
      const displayName = str(request.contact?.displayName, 'contact.displayName');
      return { contacts: { displayName, contacts: [{ displayName, vcard: str(request.contact?.vcard, 'contact.vcard') }] } };
    }
    if (request.react !== undefined) return { react: { text: str(request.react?.emoji, 'react.emoji'), key: keyOf(request.react?.id) } };
    if (request.poll !== undefined) {
      const options = Array.isArray(request.poll?.options) ? request.poll.options.map((o) => str(o, 'poll option')) : bad('poll.options');
      const selectableCount = request.poll.selectableCount === undefined ? 1 : num(request.poll.selectableCount, 'poll.selectableCount');
      return { poll: { name: str(request.poll.name, 'poll.name'), values: options, selectableCount } };
    }
    if (request.edit !== undefined) return { text: str(request.edit?.text, 'edit.text'), edit: keyOf(request.edit?.id) };
    if (request.delete !== undefined) return { delete: keyOf(request.delete) };
    if (request.text !== undefined) return { text: str(request.text, 'text') };
    throw new ControlError(
      400,
      'nothing to send: give text, image, video, audio, document, sticker, location, contact, react, poll, edit or delete',
    );
  }

  /** The echo bot: answers a text received in a one-to-one chat with `Echo: <text>`, quoting it. */
  private async echo(entry: InboxEntry): Promise<void> {
    if (!this.env.echoes(this.account.phone)) return;
    if (entry.fromMe || entry.type !== 'text' || !entry.text || entry.text.startsWith(ECHO_PREFIX) || !isUserJid(entry.chat)) return;
    try {
      await this.send({ to: entry.chat, text: `${ECHO_PREFIX}${entry.text}`, quotedId: entry.id });
    } catch (err) {
      this.env.logger.warn({ err, phone: this.account.phone }, 'echo reply failed');
    }
  }

  private connect() {
    if (this.stopped) return;
    const sock = makeWASocket({
      auth: this.auth.state,
      waWebSocketUrl: this.env.wsUrl,
      logger: this.env.logger.child({ hosted: this.account.phone }) as never,
      browser: ['WA Simulator', 'Chrome', '1.0'],
      markOnlineOnConnect: false,
      syncFullHistory: false,
      fireInitQueries: true,
      connectTimeoutMs: 10_000,
      defaultQueryTimeoutMs: 15_000,
      retryRequestDelayMs: 50,
      fetchAgent: this.uploadAgent,
      options: { dispatcher: this.downloadAgent },
      getMessage: async (key) => (key.id ? (this.inbox.raw.get(key.id)?.message ?? undefined) : undefined),
    });
    this.sock = sock;
    sock.ev.on('creds.update', () => undefined);
    sock.ev.on('connection.update', (update) => {
      if (update.connection === 'open') {
        this.open = true;
        for (const waiter of this.openWaiters.splice(0)) waiter();
      }
      if (update.connection === 'close') {
        this.open = false;
        if (this.sock !== sock) return;
        const code = (update.lastDisconnect?.error as { output?: { statusCode?: number } } | undefined)?.output?.statusCode;
        if (code === DisconnectReason.loggedOut || this.stopped) return;
        setTimeout(() => this.connect(), code === DisconnectReason.restartRequired ? 0 : RECONNECT_DELAY_MS).unref?.();
      }
    });
    sock.ev.on('messages.upsert', ({ messages, type }) => {
      for (const message of messages) {
        if (message.key.fromMe && message.key.id && this.sentHere.has(message.key.id)) this.inbox.rememberSent(message);
        else {
          const entry = this.inbox.record(message, type);
          if (entry && type === 'notify') void this.echo(entry);
        }
      }
    });
  }
}
