import { jidDecode, makeCacheableSignalKeyStore } from '@whiskeysockets/baileys';
import type { BaileysEventMap, ConnectionState } from '@whiskeysockets/baileys';
import type { Logger } from 'pino';
import type { Db, Queryable, Session, SessionStatus } from '../db/database';
import { fromJson } from '../db/json';
import { AuthStateLockedError, type AuthCodec } from './auth/auth-cipher';
import { redactingLogger } from './redacting-logger';
import { loadMysqlAuthState, wipeAuthState, type MysqlAuthState } from './auth/mysql-auth-state';
import { IngestQueue, type IngestFlowOptions, type IngestRetryOptions } from './ingest-queue';
import { ReconnectPolicy, type BackoffOptions } from './reconnect-policy';
import { SessionStateWriter, type SessionState } from './session-state';
import { SerialQueue } from './serial-queue';
import type { PreparedBatch } from './session-ingest';
import { isReadingPaused, pauseReading, resumeReading, settleBeforeEnd, type SocketFactory, type WASocket } from './socket-factory';
import { sessionIdentity, type SessionIdentity } from './session-identity';
import { PairingInProgressError } from './whatsapp-errors';
import { LeaseLostError, type Fence } from './ownership/lease-repository';

export interface RuntimeServices {
  db: Db;
  log: Logger;
  codec: AuthCodec;
  makeSocket: SocketFactory;
  backoff: BackoffOptions;
  /** How a batch the database refused is retried, and after how many refusals the session shows ERROR. */
  ingestRetry: IngestRetryOptions;
  /** How many batches may wait for the database before the socket stops reading, and until how few it stays stopped. */
  ingestFlow: IngestFlowOptions;
  statusIntervalMs: number;
  /** Stores batches of Baileys data events: prepared (CPU) on arrival, written later in arrival order. */
  ingest: {
    prepare(session: SessionIdentity, events: Partial<BaileysEventMap>, socket: WASocket): Promise<PreparedBatch>;
    write(session: SessionIdentity, batches: readonly PreparedBatch[], fence: Fence): Promise<unknown>;
  };
  /** Hears every written change of the session's state. */
  stateWritten(session: SessionIdentity, state: SessionState, previous: SessionState): void;
  /** Runs inside the transaction of every state write. */
  recordState?(trx: Queryable, session: SessionIdentity, state: SessionState, previous: SessionState): Promise<void>;
}

const FIRST_QR_TTL_MS = 60_000;
const NEXT_QR_TTL_MS = 20_000;
const PAIRING_CODE_TIMEOUT_MS = 20_000;
/** Longest a stop waits for Baileys to hand over the messages it already acknowledged. */
const SETTLE_MAX_MS = 5000;
const CONNECTION_EVENTS = new Set(['connection.update', 'creds.update']);

/**
 * One WhatsApp session: its Baileys socket, pairing, reconnects and event intake. Only the session
 * manager creates these; nothing else touches the socket.
 */
export class SessionRuntime {
  private socket: WASocket | undefined;
  private auth: MysqlAuthState | undefined;
  private readonly policy: ReconnectPolicy;
  private readonly writer: SessionStateWriter;
  private readonly log: Logger;
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = true;
  private qrCount = 0;
  private qrExpiresAt: Date | null = null;
  private pairingPhone: string | undefined;
  private pairingWaiters: { resolve(code: string): void; reject(error: Error): void }[] = [];
  /**
   * Every database write of this session (event batches, credentials, state) runs here one at a time:
   * an ingest transaction holds a shared lock on the Session row (the foreign key check) until it
   * commits, so a concurrent UPDATE of that row would queue behind it and block the next batch.
   */
  private readonly storage = new SerialQueue();
  /** Event batches Baileys has acknowledged to WhatsApp, until they are stored; see IngestQueue. */
  private readonly ingest: IngestQueue<PreparedBatch>;
  /** The socket reported open and has not closed since. */
  private open = false;
  /** Date.now() when the socket last emitted events (see settleBeforeEnd). */
  private lastEventAt = 0;
  /** The status to come back to once the events that made the session ERROR are stored. */
  private statusBeforeIngestError: SessionStatus | undefined;

  constructor(
    public session: SessionIdentity,
    initial: SessionState,
    /** The lease this runtime runs under: every write it makes is refused once another process holds the session. */
    readonly fence: Fence,
    private readonly services: RuntimeServices,
    /** Told once when a write finds the lease gone; the owner then abandons this runtime. */
    private readonly leaseLost: () => void,
  ) {
    this.log = services.log.child({ sessionId: session.sessionId });
    this.policy = new ReconnectPolicy(services.backoff);
    this.writer = new SessionStateWriter(
      services.db,
      fence,
      initial,
      services.statusIntervalMs,
      this.storage,
      this.log,
      (state, previous) => services.stateWritten(this.session, state, previous),
      services.recordState && ((trx, state, previous) => services.recordState!(trx, this.session, state, previous)),
    );
    this.ingest = new IngestQueue(
      this.storage,
      { ...services.ingestRetry, ...services.ingestFlow },
      {
        write: (batches) => this.fenced(services.ingest.write(this.session, batches, fence)),
        stuck: (error) => this.onIngestStuck(error),
        recovered: () => this.onIngestRecovered(),
        pause: () => this.socket && pauseReading(this.socket),
        resume: () => this.socket && resumeReading(this.socket),
      },
      this.log,
    );
  }

  get state(): SessionState {
    return this.writer.state;
  }

  get running(): boolean {
    return !this.stopped;
  }

  /** Event batches waiting for the database, and whether reading from WhatsApp is paused until fewer wait. */
  get ingestBacklog(): { batches: number; paused: boolean } {
    return { batches: this.ingest.size, paused: this.socket ? isReadingPaused(this.socket) : false };
  }

  /** The open socket, for sending and querying; undefined unless CONNECTED. */
  get connectedSocket(): WASocket | undefined {
    return this.state.status === 'CONNECTED' ? this.socket : undefined;
  }

  get qr(): { qr: string; expiresAt: Date } | null {
    const { qrCode, status } = this.state;
    return status === 'QR_REQUIRED' && qrCode && this.qrExpiresAt ? { qr: qrCode, expiresAt: this.qrExpiresAt } : null;
  }

  /** Starts connecting (no-op when already running); with a phone number, pairs by code instead of QR. */
  async start(options: { pairingPhone?: string } = {}): Promise<void> {
    if (options.pairingPhone) this.pairingPhone = options.pairingPhone;
    if (!this.stopped) return;
    this.stopped = false;
    await this.connect();
  }

  /**
   * Closes the socket without logging out; credentials stay for the next start. Returns without waiting
   * for event batches the database keeps refusing: those stay queued and are retried in the background
   * for as long as the manager keeps this runtime's lease (see SessionManager.stop).
   */
  async stop(status: 'DISCONNECTED' | 'ERROR' = 'DISCONNECTED', metadata: Record<string, unknown> = {}): Promise<void> {
    if (this.socket && this.open) await settleBeforeEnd(this.socket, SETTLE_MAX_MS, () => this.lastEventAt);
    this.closeSocket(new Error('the session stopped before a pairing code was issued'));
    await this.storage.idle();
    if (this.ingest.size > 0) {
      this.log.error(
        { unwritten: this.ingest.size },
        `session stopped with ${this.ingest.size} batches of WhatsApp events not stored yet: still retrying while the process holds the session`,
      );
    }
    this.writer.change({ status, qrCode: null, pairingCode: null, metadata });
    await this.writer.flush();
  }

  /**
   * The session is no longer this process's (taken over, or released after a stop): closes the socket,
   * writes nothing more, and drops the event batches not stored yet, which only the lease holder may
   * write (they are logged as lost).
   */
  abandon(): void {
    this.closeSocket(new Error('the session moved to another gateway process'));
    this.writer.discard();
    const dropped = this.ingest.abandon();
    if (dropped > 0)
      this.log.error({ dropped }, 'batches of WhatsApp events lost: the session left this process before they could be stored');
  }

  private closeSocket(reason: Error): void {
    this.stopped = true;
    this.open = false;
    clearTimeout(this.retryTimer);
    this.failPairingWaiters(reason);
    const socket = this.socket;
    this.socket = undefined;
    socket?.end(undefined);
  }

  /** Logs the device out of WhatsApp (when connected) and forgets its credentials. */
  async logout(): Promise<void> {
    const socket = this.connectedSocket;
    if (socket) {
      try {
        await socket.logout();
      } catch (error) {
        this.log.warn({ err: error }, 'logout request failed; forgetting the credentials anyway');
      }
    }
    await this.stop('DISCONNECTED', { lastDisconnect: { reason: 'logged out', at: new Date().toISOString() } });
    await wipeAuthState(this.services.db, this.session.id);
  }

  /** Asks WhatsApp for an 8-character code to type on the phone (instead of scanning a QR). */
  async requestPairingCode(phone: string): Promise<string> {
    if (this.state.status === 'CONNECTED') throw new Error('the session is already paired and connected');
    // A code is already waiting to be typed: WhatsApp sends no new QR event while it waits, so a new
    // request would never be answered. The same number gets the waiting code again.
    const { status, pairingCode } = this.state;
    if (!this.stopped && status === 'PAIRING_REQUIRED' && pairingCode) {
      if (phone === this.pairingPhone) return pairingCode;
      throw new PairingInProgressError(this.pairingPhone ?? '');
    }
    this.pairingPhone = phone;
    const code = new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('WhatsApp did not issue a pairing code in time')), PAIRING_CODE_TIMEOUT_MS);
      this.pairingWaiters.push({
        resolve: (value) => (clearTimeout(timer), resolve(value)),
        reject: (error) => (clearTimeout(timer), reject(error)),
      });
    });
    if (this.stopped) await this.start({ pairingPhone: phone });
    else if (this.socket && this.state.status === 'QR_REQUIRED') void this.issuePairingCode(this.socket);
    return code;
  }

  /** The row was changed through the API: adopt its name and workflow. */
  refresh(session: Session): void {
    this.session = sessionIdentity(session);
    this.writer.adopt({ name: session.name });
  }

  /** Waits until every event received so far is persisted (however long the database refuses them). */
  async drained(): Promise<void> {
    await this.ingest.drained();
    await this.storage.idle();
  }

  private async connect(): Promise<void> {
    clearTimeout(this.retryTimer);
    try {
      this.auth = await loadMysqlAuthState(this.services.db, this.fence, this.services.codec);
    } catch (error) {
      if (!(error instanceof AuthStateLockedError)) throw error;
      this.log.error(error.message);
      this.stopped = true;
      this.writer.change({ status: 'ERROR', qrCode: null, pairingCode: null, metadata: { error: error.message } });
      return;
    }
    if (this.stopped) return;
    this.open = false;
    const stored = this.auth.state.keys;
    const fencedKeys = { ...stored, set: (data: Parameters<typeof stored.set>[0]) => this.fenced(Promise.resolve(stored.set(data))) };
    const keys = makeCacheableSignalKeyStore(fencedKeys, redactingLogger(this.log));
    const socket = this.services.makeSocket(this.session.id, { creds: this.auth.state.creds, keys }, this.log);
    this.socket = socket;
    this.qrCount = 0;
    socket.ev.process((events) => this.onEvents(socket, events));
    this.writer.change({ status: 'CONNECTING', qrCode: null, metadata: { error: undefined } });
  }

  private async reconnect(): Promise<void> {
    try {
      await this.connect();
    } catch (error) {
      this.log.error({ err: error }, 'reconnect failed');
      await this.onClose({ lastDisconnect: { error: error as Error, date: new Date() } });
    }
  }

  private async onEvents(socket: WASocket, events: Partial<BaileysEventMap>): Promise<void> {
    if (socket !== this.socket) return;
    this.lastEventAt = Date.now();
    if (events['creds.update']) this.saveCreds();
    if (events['connection.update']) this.onConnectionUpdate(socket, events['connection.update']);
    const data = Object.fromEntries(Object.entries(events).filter(([name]) => !CONNECTION_EVENTS.has(name))) as Partial<BaileysEventMap>;
    if (Object.keys(data).length > 0) {
      const history = data['messaging-history.set'];
      this.ingest.push(
        () => this.services.ingest.prepare(this.session, data, socket),
        history ? () => this.recordHistoryProgress(history) : undefined,
      );
    }
  }

  /**
   * The database keeps refusing this session's events: show ERROR with the reason (again after any other
   * status change, on every refusal) until they are stored. A stopped runtime leaves the state alone.
   */
  private onIngestStuck(error: unknown): void {
    if (this.stopped) return;
    const reason = `WhatsApp events could not be stored (${(error as Error)?.message ?? String(error)}); they are kept and retried`;
    if (this.state.status !== 'ERROR') this.statusBeforeIngestError = this.state.status;
    this.writer.change({ status: 'ERROR', metadata: { error: reason } });
  }

  /** Stored again: back to CONNECTED when the socket is open, otherwise to the status before ERROR. */
  private onIngestRecovered(): void {
    if (this.stopped || this.state.status !== 'ERROR') return;
    const status = this.open ? 'CONNECTED' : (this.statusBeforeIngestError ?? 'CONNECTING');
    this.writer.change({ status, metadata: { error: undefined } });
  }

  private recordHistoryProgress(history: BaileysEventMap['messaging-history.set']): void {
    if (this.stopped) return;
    const previous = (this.state.metadata.historySync ?? {}) as Record<string, number>;
    const historySync = {
      chunks: (previous.chunks ?? 0) + 1,
      messages: (previous.messages ?? 0) + history.messages.length,
      chats: (previous.chats ?? 0) + history.chats.length,
      contacts: (previous.contacts ?? 0) + history.contacts.length,
      progress: history.progress ?? null,
      syncType: history.syncType ?? null,
      isLatest: history.isLatest ?? null,
      updatedAt: new Date().toISOString(),
    };
    this.log.info(historySync, 'history sync chunk stored');
    this.writer.change({ metadata: { historySync } });
  }

  private saveCreds(): void {
    const auth = this.auth;
    void this.storage.run(
      async () => auth && this.fenced(auth.saveCreds()).catch((error) => this.log.error({ err: error }, 'could not save credentials')),
    );
  }

  /** Passes `write` through, noticing when it was refused because the lease is gone. */
  private fenced<T>(write: Promise<T>): Promise<T> {
    return write.catch((error: unknown) => {
      if (error instanceof LeaseLostError && !this.stopped) this.leaseLost();
      throw error;
    });
  }

  private onConnectionUpdate(socket: WASocket, update: Partial<ConnectionState>): void {
    if (update.qr) this.onQr(socket, update.qr);
    if (update.connection === 'open') this.onOpen(socket);
    if (update.connection === 'close') void this.onClose(update);
  }

  private onQr(socket: WASocket, qr: string): void {
    if (this.pairingPhone) {
      if (this.state.status !== 'PAIRING_REQUIRED') void this.issuePairingCode(socket);
      return;
    }
    this.qrExpiresAt = new Date(Date.now() + (this.qrCount++ === 0 ? FIRST_QR_TTL_MS : NEXT_QR_TTL_MS));
    this.writer.change({ status: 'QR_REQUIRED', qrCode: qr, pairingCode: null });
  }

  private async issuePairingCode(socket: WASocket): Promise<void> {
    try {
      const code = await socket.requestPairingCode(this.pairingPhone!);
      this.writer.change({ status: 'PAIRING_REQUIRED', pairingCode: code, qrCode: null, phoneNumber: this.pairingPhone! });
      for (const waiter of this.pairingWaiters.splice(0)) waiter.resolve(code);
    } catch (error) {
      this.failPairingWaiters(error as Error);
    }
  }

  private failPairingWaiters(error: Error): void {
    for (const waiter of this.pairingWaiters.splice(0)) waiter.reject(error);
  }

  private onOpen(socket: WASocket): void {
    this.open = true;
    this.policy.opened();
    this.pairingPhone = undefined;
    const me = socket.user ?? this.auth?.state.creds.me;
    const phone = me?.id ? (jidDecode(me.id)?.user ?? null) : null;
    const accountName = me?.name && me.name !== '~' ? me.name : (me?.notify ?? null);
    this.writer.change({
      status: 'CONNECTED',
      qrCode: null,
      pairingCode: null,
      phoneNumber: phone,
      name: this.state.name ?? accountName ?? null,
      lastSeen: new Date(),
      metadata: { me: { id: me?.id, lid: me?.lid, name: accountName }, error: undefined },
    });
  }

  private async onClose(update: Partial<ConnectionState>): Promise<void> {
    this.socket = undefined;
    this.open = false;
    if (this.stopped) return;
    const statusCode = (update.lastDisconnect?.error as { output?: { statusCode?: number } } | undefined)?.output?.statusCode;
    const reason = update.lastDisconnect?.error?.message ?? 'connection closed';
    const paired = Boolean(this.auth?.state.creds.account);
    const lastDisconnect = { code: statusCode ?? null, reason, at: new Date().toISOString() };
    const decision = this.policy.decide(statusCode, paired);
    this.log.info({ statusCode, reason, decision: decision.action }, 'connection closed');

    switch (decision.action) {
      case 'restart':
        await this.storage.idle();
        return this.connect();
      case 'retry':
        this.writer.change({
          status: 'CONNECTING',
          lastSeen: this.state.status === 'CONNECTED' ? new Date() : this.state.lastSeen,
          metadata: { lastDisconnect, nextRetryAt: new Date(Date.now() + decision.delayMs).toISOString() },
        });
        this.retryTimer = setTimeout(() => void this.reconnect(), decision.delayMs);
        return;
      case 'logged-out':
        await this.stop('DISCONNECTED', { lastDisconnect, nextRetryAt: undefined });
        await wipeAuthState(this.services.db, this.session.id);
        return;
      case 'stop':
        await this.stop(decision.error ? 'ERROR' : 'DISCONNECTED', {
          lastDisconnect,
          nextRetryAt: undefined,
          error: decision.error ? decision.reason : undefined,
        });
    }
  }
}

/** The runtime-owned columns of a stored session. */
export function stateOf(session: Session): SessionState {
  return {
    status: session.status,
    qrCode: session.qrCode,
    pairingCode: session.pairingCode,
    phoneNumber: session.phoneNumber,
    name: session.name,
    lastSeen: session.lastSeen,
    metadata: fromJson<Record<string, unknown> | null>(session.metadata) ?? {},
  };
}
