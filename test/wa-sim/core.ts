import { EventEmitter } from 'node:events';
import type { BinaryNode } from '@whiskeysockets/baileys';
import type { NoiseIdentity } from './certificates';
import type { ClientConnection } from './connection';
import type { AccountRecord, DeviceRecord, DeviceRef, Directory } from './directory';
import { SERVER_JID } from './jid';
import { node } from './stanza';
import type { SimLogger } from './types';

export const deviceKey = (ref: DeviceRef) => `${ref.account.phone}:${ref.device.id}`;

/**
 * Shared server state and the one delivery path every stanza to a device takes:
 * straight to its live, active connection, else into its offline queue.
 */
export class SimulatorCore {
  deliveryDelayMs = 0;
  /** phone (or '*') → failure reason sent instead of `success` */
  readonly refusedLogins = new Map<string, number>();
  /** phone → how many more app-state uploads are answered with a 409 conflict */
  readonly appStateConflicts = new Map<string, number>();
  readonly connections = new Set<ClientConnection>();
  readonly events = new EventEmitter();
  stopping = false;

  private readonly online = new Map<string, ClientConnection>();
  private readonly delayed = new Set<{ timer: NodeJS.Timeout; ref: DeviceRef; stanza: BinaryNode }>();

  constructor(
    readonly directory: Directory,
    readonly identity: NoiseIdentity,
    readonly logger: SimLogger,
  ) {
    this.events.setMaxListeners(0);
  }

  connectionOf(ref: DeviceRef): ClientConnection | undefined {
    return this.online.get(deviceKey(ref));
  }

  isOnline(account: AccountRecord): boolean {
    return this.directory.devicesOf(account).some((device) => this.connectionOf({ account, device })?.active);
  }

  /** Binds a logged-in connection to its device; an older connection of the same device gets a conflict. */
  attach(conn: ClientConnection, ref: DeviceRef): void {
    const key = deviceKey(ref);
    const previous = this.online.get(key);
    conn.ref = ref;
    this.online.set(key, conn);
    if (previous && previous !== conn) {
      this.detach(previous);
      previous.streamError({}, [node('conflict', { type: 'replaced' })]);
      this.events.emit('device-conflict', ref);
    }
  }

  /**
   * Forgets a connection; what it had in flight goes back to the front of the device queue.
   * Returns whether it was the device's current connection.
   */
  detach(conn: ClientConnection): boolean {
    const ref = conn.ref;
    if (!ref) return false;
    const key = deviceKey(ref);
    const current = this.online.get(key) === conn;
    if (current) this.online.delete(key);
    const unacked = conn.takeInFlight();
    if (unacked.length && this.deviceExists(ref)) ref.device.queue.unshift(...unacked.map(stripOffline));
    conn.active = false;
    if (current) this.events.emit('device-offline', ref);
    return current;
  }

  deviceExists(ref: DeviceRef): boolean {
    return ref.account.devices[ref.device.id] === ref.device;
  }

  /** Queued (persistent) delivery: messages, receipts, notifications. */
  deliver(ref: DeviceRef, stanza: BinaryNode): void {
    if (this.deliveryDelayMs > 0 && !this.stopping) {
      const entry = { ref, stanza, timer: undefined as unknown as NodeJS.Timeout };
      entry.timer = setTimeout(() => {
        this.delayed.delete(entry);
        this.deliverNow(ref, stanza);
      }, this.deliveryDelayMs);
      this.delayed.add(entry);
      return;
    }
    this.deliverNow(ref, stanza);
  }

  /** Delivers to every companion device of an account, except `skip`. */
  deliverToAccount(account: AccountRecord, build: (device: DeviceRecord) => BinaryNode | undefined, skip?: DeviceRecord): void {
    for (const device of this.directory.devicesOf(account)) {
      if (device === skip) continue;
      const stanza = build(device);
      if (stanza) this.deliver({ account, device }, stanza);
    }
  }

  /** Ephemeral delivery (presence, chatstate): dropped when the device is offline. */
  sendIfOnline(ref: DeviceRef, stanza: BinaryNode): void {
    const conn = this.connectionOf(ref);
    if (conn?.active) conn.send(stanza);
  }

  /** Sends the device's offline queue with `offline` set, then `<ib><offline count/></ib>`. */
  flushQueue(conn: ClientConnection): void {
    const ref = conn.ref;
    if (!ref) return;
    const queued = ref.device.queue.splice(0);
    for (const stanza of queued) conn.sendTracked({ ...stanza, attrs: { ...stanza.attrs, offline: '1' } });
    conn.send(node('ib', { from: SERVER_JID }, [node('offline', { count: String(queued.length) })]));
  }

  /** On shutdown, delayed deliveries land in the queues so an exported state keeps them. */
  settleDelayed(): void {
    for (const entry of this.delayed) {
      clearTimeout(entry.timer);
      if (this.deviceExists(entry.ref)) entry.ref.device.queue.push(entry.stanza);
    }
    this.delayed.clear();
  }

  private deliverNow(ref: DeviceRef, stanza: BinaryNode) {
    if (!this.deviceExists(ref)) return;
    const conn = this.connectionOf(ref);
    if (conn?.active && !this.stopping) {
      conn.sendTracked(stanza);
    } else {
      ref.device.queue.push(stanza);
    }
    this.events.emit('delivered', ref, stanza);
  }
}

function stripOffline(stanza: BinaryNode): BinaryNode {
  if (!stanza.attrs.offline) return stanza;
  const attrs = { ...stanza.attrs };
  delete attrs.offline;
  return { ...stanza, attrs };
}
