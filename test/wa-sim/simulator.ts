import type { GroupMetadata } from '@whiskeysockets/baileys';
import { APP_STATE_COLLECTIONS, appStateVersion } from './app-state';
import type { AccountRecord, DeviceRef } from './directory';
import type { PreparedHistory } from './history-sync';
import { HostedDevice } from './hosted-device';
import { isGroupJid, normalizePhone, userJid } from './jid';
import { unlinkDevice } from './login';
import { type MemoryAuth, toJsonSafe } from './memory-auth';
import { provisionDevice, type ProvisionOptions } from './provision';
import type { SimServer, SimulatorStateData } from './server';
import {
  type AccountDetails,
  type AccountInfo,
  ControlError,
  type HistoryRequest,
  type HistoryResult,
  type InboxEntry,
  type LinkResult,
  type SendRequest,
} from './types';

/** A JSON-safe snapshot of the whole simulator (accounts, devices, keys, LIDs, groups, queues, media). */
export type SimulatorState = { version: 1 } & Record<string, unknown>;

export type ParticipantAction = 'add' | 'remove' | 'promote' | 'demote';
export type GroupSetting = 'announcement' | 'not_announcement' | 'locked' | 'unlocked';

/** Control surface of a running simulator; the HTTP control API maps onto these methods. */
export class Simulator {
  readonly port: number;
  readonly mediaPort: number;
  readonly wsUrl: string;
  readonly httpUrl: string;
  readonly rootPublicKey: Uint8Array;
  readonly rootPublicKeyBase64: string;
  readonly caCertPem: string;
  private readonly hosted = new Map<string, HostedDevice>();
  /** phones whose hosted device echoes texts; '*' for every account */
  private readonly echoing = new Set<string>();
  private stopped = false;

  constructor(
    private readonly server: SimServer,
    readonly caCertPath: string,
  ) {
    this.port = server.port;
    this.mediaPort = server.mediaPort;
    this.wsUrl = `ws://127.0.0.1:${server.port}/ws/chat`;
    this.httpUrl = `http://127.0.0.1:${server.port}`;
    this.rootPublicKey = new Uint8Array(server.identity.rootKeyPair.public);
    this.rootPublicKeyBase64 = Buffer.from(server.identity.rootKeyPair.public).toString('base64');
    this.caCertPem = server.mediaTls.caCertPem;
  }

  private get ctx() {
    return this.server.ctx;
  }

  /** The noise certificate chain the server presents and the static key its leaf certifies. */
  get noiseCertificates(): { certChain: Buffer; staticPublicKey: Uint8Array } {
    return { certChain: this.server.identity.certChain, staticPublicKey: this.server.identity.staticKeyPair.public };
  }

  /**
   * Server-side happenings, for assertions: 'device-linked', 'device-online', 'device-offline',
   * 'device-removed', 'device-conflict' (a second connection of a device replaced the first: the first
   * is closed with WhatsApp's 440 conflict), 'message-relayed', 'receipt', 'delivered', 'pairing-code-requested',
   * 'chatstate' (a one-to-one typing state: { from, to, state, at }).
   */
  get serverEvents() {
    return this.ctx.core.events;
  }

  /** Creates the account and brings its hosted companion device online. */
  async createAccount(phone: string, name = `User ${normalizePhone(phone)}`): Promise<AccountInfo> {
    let account: AccountRecord;
    try {
      account = this.ctx.core.directory.createAccount(phone, name);
    } catch (err) {
      if (err instanceof RangeError) throw new ControlError(400, err.message);
      throw new ControlError(409, (err as Error).message);
    }
    await this.startHosted(account);
    return this.info(account);
  }

  /** Restarts hosted devices from saved credentials (used when restoring a state). */
  async resumeHosted(saved: SimulatorStateData['hosted']): Promise<void> {
    await Promise.all(
      Object.entries(saved).map(async ([phone, auth]) => {
        const account = this.ctx.core.directory.getAccount(phone);
        if (account) this.hosted.set(phone, await HostedDevice.start(account, this.hostedEnv(), auth));
      }),
    );
  }

  accounts(): AccountDetails[] {
    return this.ctx.core.directory.all().map((account) => this.details(account));
  }

  account(phone: string): AccountDetails {
    return this.details(this.requireAccount(phone));
  }

  /** The version of each app-state collection of the account (the number of patches its devices uploaded). */
  appStateVersions(phone: string): Record<string, number> {
    const account = this.requireAccount(phone);
    return Object.fromEntries(APP_STATE_COLLECTIONS.map((name) => [name, appStateVersion(account, name)]));
  }

  async scan(phone: string, qr: string): Promise<LinkResult> {
    if (typeof qr !== 'string' || !qr) throw new ControlError(400, 'qr must be the QR string the device shows');
    return this.ctx.pairing.scanQr(this.requireAccount(phone), qr);
  }

  async enterPairingCode(phone: string, code: string): Promise<LinkResult> {
    if (typeof code !== 'string') throw new ControlError(400, 'code must be the 8-character pairing code');
    return this.ctx.pairing.enterCode(this.requireAccount(phone), code);
  }

  /** Credentials of a companion that is already linked and logged in once (skips pairing). */
  async provisionDevice(phone: string, options?: ProvisionOptions): Promise<MemoryAuth> {
    return provisionDevice(this.ctx.core, this.requireAccount(phone), options);
  }

  /** Phone-side "log out this linked device": it gets 401 now and on every later login. */
  removeDevice(jid: string): void {
    unlinkDevice(this.ctx, this.requireDevice(jid), 'phone');
  }

  /** Drops a device's connection without any goodbye, as a network failure would. */
  dropDevice(jid: string): boolean {
    const conn = this.ctx.core.connectionOf(this.requireDevice(jid));
    conn?.terminate();
    return !!conn;
  }

  /** Drops every linked (non-hosted) device connection of the account; returns how many. */
  disconnect(phone: string, options: { includeHosted?: boolean } = {}): number {
    const account = this.requireAccount(phone);
    let dropped = 0;
    for (const device of this.ctx.core.directory.devicesOf(account)) {
      if (device.hosted && !options.includeHosted) continue;
      const conn = this.ctx.core.connectionOf({ account, device });
      if (conn) {
        conn.terminate();
        dropped++;
      }
    }
    return dropped;
  }

  setDeliveryDelay(ms: number): void {
    if (!(ms >= 0)) throw new ControlError(400, 'delay must be a non-negative number of milliseconds');
    this.ctx.core.deliveryDelayMs = ms;
  }

  /** Answers logins of `phone` (or of everyone with 'all') with `<failure reason>` while on. */
  refuseLogins(phoneOrAll: string, on: boolean, reason = 503): void {
    const key = phoneOrAll === 'all' || phoneOrAll === '*' ? '*' : normalizePhone(phoneOrAll);
    if (on) this.ctx.core.refusedLogins.set(key, reason);
    else this.ctx.core.refusedLogins.delete(key);
  }

  /** Answers the next `count` app-state uploads of `phone`'s devices with a 409 conflict (0 lifts it). */
  conflictAppStateUploads(phone: string, count = 1): void {
    const account = this.requireAccount(phone);
    if (!Number.isInteger(count) || count < 0) throw new ControlError(400, 'count must be a non-negative integer');
    if (count) this.ctx.core.appStateConflicts.set(account.phone, count);
    else this.ctx.core.appStateConflicts.delete(account.phone);
  }

  /**
   * The echo bot: while on, the hosted device of `phone` (or of every account, with 'all', also those
   * created later) answers each text it receives in a one-to-one chat with `Echo: <text>`, quoting it.
   */
  setEcho(phoneOrAll: string, on: boolean): { phone: string; on: boolean } {
    if (typeof on !== 'boolean') throw new ControlError(400, '"on" must be true or false');
    const key = phoneOrAll === 'all' || phoneOrAll === '*' ? '*' : this.requireAccount(phoneOrAll).phone;
    if (on) this.echoing.add(key);
    else this.echoing.delete(key);
    return { phone: key === '*' ? 'all' : key, on };
  }

  /** Whether the account's hosted device answers texts (see `setEcho`). */
  echoes(phone: string): boolean {
    return this.echoing.has('*') || this.echoing.has(normalizePhone(phone));
  }

  async send(phone: string, request: SendRequest): Promise<{ id: string }> {
    if (!request || typeof request.to !== 'string' || !request.to) throw new ControlError(400, '"to" is required');
    return this.hostedOf(phone).send(request);
  }

  inbox(phone: string): InboxEntry[] {
    return [...this.hostedOf(phone).inbox.entries];
  }

  clearInbox(phone: string): void {
    this.hostedOf(phone).inbox.clear();
  }

  async waitForInbox(phone: string, predicate: (entry: InboxEntry) => boolean = () => true, timeoutMs = 5000): Promise<InboxEntry> {
    const inbox = this.hostedOf(phone).inbox;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = inbox.entries.find(predicate);
      if (found) return found;
      if (Date.now() > deadline) throw new ControlError(404, `no matching inbox entry for ${phone} within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  async inboxMedia(phone: string, id: string): Promise<{ bytes: Buffer; mimetype?: string }> {
    return this.hostedOf(phone).media(id);
  }

  async read(phone: string, chat: string, ids: string[]): Promise<void> {
    if (!isStringArray(ids) || !ids.length) throw new ControlError(400, 'ids must be a non-empty array of message ids');
    return this.hostedOf(phone).read(chat, ids);
  }

  /** A retry receipt from `phone`'s hosted device asking device `to` (a device JID) to send message `id` again. */
  async retryReceipt(phone: string, to: string, id: string): Promise<void> {
    if (typeof to !== 'string' || !to.includes('@') || typeof id !== 'string' || !id) {
      throw new ControlError(400, '"to" (a device JID) and "id" are required');
    }
    return this.hostedOf(phone).retryReceipt(to, id);
  }

  async presence(phone: string, type: string, to?: string): Promise<void> {
    const sock = await this.hostedOf(phone).waitOpen();
    const allowed = ['available', 'unavailable', 'composing', 'recording', 'paused'];
    if (!allowed.includes(type)) throw new ControlError(400, `type must be one of ${allowed.join(', ')}`);
    if (type !== 'available' && type !== 'unavailable' && !to) throw new ControlError(400, '"to" is required for chatstates');
    await sock.sendPresenceUpdate(type as 'available', to ? this.chatJid(to) : undefined);
  }

  history(phone: string, request: HistoryRequest): HistoryResult {
    return this.ctx.history.push(this.requireAccount(phone), request);
  }

  /** The phone's work of a history sync done ahead of time; `send()` pushes it (for benchmarks). */
  prepareHistory(phone: string, request: HistoryRequest): PreparedHistory {
    return this.ctx.history.prepare(this.requireAccount(phone), request);
  }

  async createGroup(phone: string, subject: string, participants: string[]): Promise<GroupMetadata> {
    if (typeof subject !== 'string' || !isStringArray(participants)) {
      throw new ControlError(400, 'subject and participants (phone numbers) are required');
    }
    const sock = await this.hostedOf(phone).waitOpen();
    return sock.groupCreate(
      subject,
      participants.map((p) => this.chatJid(p)),
    );
  }

  async groupParticipants(phone: string, group: string, action: ParticipantAction, participants: string[]) {
    if (!['add', 'remove', 'promote', 'demote'].includes(action) || !isStringArray(participants)) {
      throw new ControlError(400, 'action must be add, remove, promote or demote, with participants');
    }
    const sock = await this.hostedOf(phone).waitOpen();
    const results = await sock.groupParticipantsUpdate(
      this.groupJid(group),
      participants.map((p) => this.chatJid(p)),
      action,
    );
    return results.map(({ status, jid }) => ({ status, jid }));
  }

  async groupUpdate(
    phone: string,
    group: string,
    update: { subject?: string; description?: string; setting?: GroupSetting },
  ): Promise<void> {
    const sock = await this.hostedOf(phone).waitOpen();
    const jid = this.groupJid(group);
    if (typeof update.subject === 'string') await sock.groupUpdateSubject(jid, update.subject);
    if (typeof update.description === 'string') await sock.groupUpdateDescription(jid, update.description || undefined);
    if (update.setting) {
      if (!['announcement', 'not_announcement', 'locked', 'unlocked'].includes(update.setting)) {
        throw new ControlError(400, 'setting must be announcement, not_announcement, locked or unlocked');
      }
      await sock.groupSettingUpdate(jid, update.setting);
    }
  }

  async groupInviteCode(phone: string, group: string, revoke = false): Promise<string> {
    const sock = await this.hostedOf(phone).waitOpen();
    const code = revoke ? await sock.groupRevokeInvite(this.groupJid(group)) : await sock.groupInviteCode(this.groupJid(group));
    if (!code) throw new ControlError(500, 'no invite code returned');
    return code;
  }

  async joinGroup(phone: string, code: string): Promise<string> {
    const sock = await this.hostedOf(phone).waitOpen();
    const jid = await sock.groupAcceptInvite(code);
    if (!jid) throw new ControlError(404, 'invite code not found');
    return jid;
  }

  async leaveGroup(phone: string, group: string): Promise<void> {
    const sock = await this.hostedOf(phone).waitOpen();
    await sock.groupLeave(this.groupJid(group));
  }

  groups() {
    return this.ctx.groups.store.all().map((group) => this.ctx.groups.summary(group));
  }

  group(jid: string) {
    const group = this.ctx.groups.get(jid);
    if (!group) throw new ControlError(404, `no group ${jid}`);
    return this.ctx.groups.summary(group);
  }

  /** The hosted Baileys socket of an account, for tests that need more than the control API. */
  hostedSocket(phone: string) {
    return this.hostedOf(phone).socket();
  }

  exportState(): SimulatorState {
    const { core, groups, media } = this.ctx;
    const accounts = core.directory.all().map((account) => ({
      ...account,
      devices: Object.fromEntries(
        Object.entries(account.devices).map(([id, device]) => {
          const inFlight = core.connectionOf({ account, device })?.peekInFlight() ?? [];
          return [id, { ...device, queue: [...inFlight, ...device.queue] }];
        }),
      ),
    }));
    const data: SimulatorStateData = {
      version: 1,
      rootKeyPair: this.server.identity.rootKeyPair,
      staticKeyPair: this.server.identity.staticKeyPair,
      certChain: this.server.identity.certChain,
      mediaTls: this.server.mediaTls,
      mediaPort: this.mediaPort,
      accounts,
      groups: groups.store.all(),
      media: media.export(),
      hosted: Object.fromEntries([...this.hosted].map(([phone, device]) => [phone, device.exportAuth()])),
    };
    return toJsonSafe(data) as SimulatorState;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await Promise.all([...this.hosted.values()].map((device) => device.stop()));
    await this.server.close();
  }

  private async startHosted(account: AccountRecord) {
    try {
      this.hosted.set(account.phone, await HostedDevice.start(account, this.hostedEnv()));
    } catch (err) {
      throw new ControlError(500, `hosted device of ${account.phone} did not come online: ${(err as Error).message}`);
    }
  }

  private hostedEnv() {
    return {
      wsUrl: this.wsUrl,
      caCertPem: this.caCertPem,
      directory: this.ctx.core.directory,
      logger: this.ctx.core.logger,
      echoes: (phone: string) => this.echoes(phone),
      provision: (account: AccountRecord) =>
        provisionDevice(this.ctx.core, account, { hosted: true, preKeys: 50, platform: 'WA Simulator (CHROME)' }),
    };
  }

  private hostedOf(phone: string): HostedDevice {
    const account = this.requireAccount(phone);
    const device = this.hosted.get(account.phone);
    if (!device) throw new ControlError(409, `account ${account.phone} has no hosted device`);
    return device;
  }

  private requireAccount(phone: string): AccountRecord {
    const account = typeof phone === 'string' ? this.ctx.core.directory.getAccount(phone) : undefined;
    if (!account) throw new ControlError(404, `no account with phone ${phone}`);
    return account;
  }

  private requireDevice(jid: string): DeviceRef {
    const ref = this.ctx.core.directory.deviceForJid(jid);
    if (!ref) throw new ControlError(404, `no linked device ${jid}`);
    return ref;
  }

  private chatJid(to: string): string {
    if (isGroupJid(to) || to.includes('@')) return to;
    return userJid(normalizePhone(to), 'pn');
  }

  private groupJid(group: string): string {
    return group.includes('@') ? group : `${group}@g.us`;
  }

  private info(account: AccountRecord): AccountInfo {
    return { phone: account.phone, jid: userJid(account.phone, 'pn'), lid: userJid(account.lid, 'lid') };
  }

  private details(account: AccountRecord): AccountDetails {
    const { core } = this.ctx;
    return {
      ...this.info(account),
      name: account.name,
      devices: core.directory.devicesOf(account).map((device) => ({
        id: device.id,
        jid: core.directory.jidOf(account, 'pn', device.id),
        lid: core.directory.jidOf(account, 'lid', device.id),
        hosted: device.hosted,
        platform: device.platform,
        connected: !!core.connectionOf({ account, device })?.active,
        preKeys: core.directory.preKeyCount(device),
        queued: device.queue.length,
      })),
    };
  }
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}
