import { decodeBinaryNode, encodeBinaryNode } from '@whiskeysockets/baileys';
import type { BinaryNode, proto } from '@whiskeysockets/baileys';
import type WebSocket from 'ws';
import type { DeviceRef } from './directory';
import { encodeFrame, FrameReader, NoiseServerHandshake, type NoiseTransport } from './noise-server';
import type { NoiseIdentity } from './certificates';
import type { SimLogger } from './types';

export interface ConnectionHooks {
  /** the handshake finished; decide between registration and login */
  onClientPayload(conn: ClientConnection, payload: proto.ClientPayload): void;
  onStanza(conn: ClientConnection, node: BinaryNode): Promise<void> | void;
  onClose(conn: ClientConnection): void;
}

let connectionSeq = 0;

/** One websocket client: noise handshake, framing, stanza I/O and delivery bookkeeping. */
export class ClientConnection {
  readonly id = ++connectionSeq;
  clientStaticKey?: Buffer;
  /** set once the client logged in as a known device */
  ref?: DeviceRef;
  /** set while an unpaired client waits to be linked */
  registration?: proto.ClientPayload.IDevicePairingRegistrationData;
  /** the client sent `passive active`, so stanzas may flow */
  active = false;
  /**
   * Accounts (by phone) whose device list this connection asked for (usync): Baileys caches a list
   * per socket only after asking, so only these need `devices` notifications about them.
   */
  readonly deviceListsAsked = new Set<string>();
  closed = false;

  private readonly reader = new FrameReader();
  private handshake?: NoiseServerHandshake;
  private clientHelloSeen = false;
  private transport?: NoiseTransport;
  private inbound: Promise<void> = Promise.resolve();
  private readonly inFlight = new Map<string, BinaryNode>();
  private readonly replyWaiters = new Map<string, (node: BinaryNode) => void>();
  private iqSeq = 0;

  constructor(
    private readonly ws: WebSocket,
    identity: NoiseIdentity,
    private readonly hooks: ConnectionHooks,
    readonly logger: SimLogger,
  ) {
    this.handshake = new NoiseServerHandshake(identity.staticKeyPair, identity.certChain);
    ws.on('message', (data: Buffer) => {
      this.inbound = this.inbound.then(() => this.onData(data)).catch((err) => this.fail(err));
    });
    ws.on('close', () => this.handleClosed());
    ws.on('error', (err) => this.logger.debug({ err }, 'websocket error'));
  }

  send(node: BinaryNode): void {
    if (this.closed || !this.transport) return;
    this.ws.send(encodeFrame(this.transport.encrypt(encodeBinaryNode(node))));
  }

  /** Sends a stanza the client must acknowledge; it goes back to the offline queue if the link drops first. */
  sendTracked(node: BinaryNode): void {
    this.inFlight.set(`${node.tag}:${node.attrs.id}`, node);
    this.send(node);
  }

  /** The client acknowledged (ack or receipt) a stanza we delivered. */
  settle(tag: string, id: string | undefined): void {
    if (id) this.inFlight.delete(`${tag}:${id}`);
  }

  /** Unacknowledged stanzas, oldest first. */
  peekInFlight(): BinaryNode[] {
    return [...this.inFlight.values()];
  }

  /** Undelivered stanzas, oldest first; clears them. */
  takeInFlight(): BinaryNode[] {
    const nodes = [...this.inFlight.values()];
    this.inFlight.clear();
    return nodes;
  }

  /** A server-initiated iq; resolves with the client's result. */
  query(node: BinaryNode, timeoutMs = 10_000): Promise<BinaryNode> {
    const id = node.attrs.id ?? `sim-${this.id}-${++this.iqSeq}`;
    node.attrs.id = id;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.replyWaiters.delete(id);
        reject(new Error(`client did not answer iq ${id}`));
      }, timeoutMs);
      timer.unref?.();
      this.replyWaiters.set(id, (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      this.send(node);
    });
  }

  nextId(): string {
    return `sim-${this.id}-${++this.iqSeq}`;
  }

  /** `<stream:error>` then close: 515 restart, 401 removed device, conflict… */
  streamError(attrs: Record<string, string>, content?: BinaryNode[]): void {
    this.send({ tag: 'stream:error', attrs, content });
    this.closeSoon();
  }

  /** Closes from the server side shortly after the last stanza, like a real server ending the stream. */
  closeSoon(delayMs = 200): void {
    setTimeout(() => this.terminate(), delayMs).unref?.();
  }

  /** Drops the TCP connection without any goodbye (fault injection, shutdown). */
  terminate(): void {
    if (this.ws.readyState === this.ws.OPEN || this.ws.readyState === this.ws.CONNECTING) this.ws.terminate();
    this.handleClosed();
  }

  private handleClosed() {
    if (this.closed) return;
    this.closed = true;
    for (const waiter of this.replyWaiters.values()) waiter({ tag: 'iq', attrs: { type: 'error' } });
    this.replyWaiters.clear();
    this.hooks.onClose(this);
  }

  private fail(err: unknown) {
    this.logger.warn({ err, conn: this.id }, 'closing connection after protocol error');
    this.terminate();
  }

  private async onData(data: Buffer) {
    if (this.closed) return;
    for (const frame of this.reader.push(data)) {
      if (this.transport) {
        await this.onStanzaFrame(frame);
      } else {
        this.onHandshakeFrame(frame);
      }
    }
  }

  private onHandshakeFrame(frame: Buffer) {
    if (!this.handshake) return;
    if (!this.clientHelloSeen) {
      this.clientHelloSeen = true;
      this.ws.send(encodeFrame(this.handshake.respondToHello(frame)));
      return;
    }
    const { clientStaticKey, payload, transport } = this.handshake.finish(frame);
    this.handshake = undefined;
    this.transport = transport;
    this.clientStaticKey = clientStaticKey;
    this.hooks.onClientPayload(this, payload);
  }

  private async onStanzaFrame(frame: Buffer) {
    const node = await decodeBinaryNode(this.transport!.decrypt(frame));
    if (node.tag === 'iq' && (node.attrs.type === 'result' || node.attrs.type === 'error')) {
      const waiter = node.attrs.id ? this.replyWaiters.get(node.attrs.id) : undefined;
      if (waiter) {
        this.replyWaiters.delete(node.attrs.id!);
        waiter(node);
        return;
      }
    }
    await this.hooks.onStanza(this, node);
  }
}
