import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KeyPair } from '@whiskeysockets/baileys';
import { WebSocketServer } from 'ws';
import { createMediaTls, createNoiseIdentity, type MediaTls, type NoiseIdentity } from './certificates';
import { ClientConnection } from './connection';
import type { SimContext } from './context';
import { SimulatorCore } from './core';
import { type AccountRecord, Directory } from './directory';
import { type GroupRecord, GroupStore } from './group-store';
import { GroupService } from './groups';
import { HistorySync } from './history-sync';
import { MediaStore, startMediaServer, type MediaServer } from './media-server';
import type { SerializedAuth } from './memory-auth';
import { Pairing } from './pairing';
import { Presence } from './presence';
import { Receipts } from './receipts';
import { Relay } from './relay';
import { connectionHooks } from './router';
import type { SimLogger } from './types';

/** Everything a restarted simulator needs to carry on where the previous one stopped (JSON-safe after export). */
export interface SimulatorStateData {
  version: 1;
  rootKeyPair: KeyPair;
  staticKeyPair: KeyPair;
  certChain: Buffer;
  mediaTls: MediaTls;
  mediaPort: number;
  accounts: AccountRecord[];
  groups: GroupRecord[];
  media: { blobs: Record<string, Buffer>; tokens: string[] };
  hosted: Record<string, SerializedAuth>;
}

export interface ServerOptions {
  port?: number;
  mediaPort?: number;
  deliveryDelayMs?: number;
  state?: SimulatorStateData;
  logger: SimLogger;
  rootKeyPair?: KeyPair;
}

export interface SimServer {
  ctx: SimContext;
  port: number;
  mediaPort: number;
  identity: NoiseIdentity;
  mediaTls: MediaTls;
  /** the control API plugs in here */
  setRequestHandler(handler: http.RequestListener): void;
  close(): Promise<void>;
}

export async function startServer(options: ServerOptions): Promise<SimServer> {
  const { state, logger } = options;
  const identity: NoiseIdentity = state
    ? { rootKeyPair: state.rootKeyPair, staticKeyPair: state.staticKeyPair, certChain: state.certChain }
    : createNoiseIdentity(options.rootKeyPair);
  const mediaTls = state?.mediaTls ?? (await createMediaTls());
  const core = new SimulatorCore(new Directory(state?.accounts), identity, logger);
  core.deliveryDelayMs = options.deliveryDelayMs ?? 0;
  const media = new MediaStore(state?.media.blobs, state?.media.tokens);
  const mediaServer: MediaServer = await startMediaServer(media, mediaTls, options.mediaPort ?? state?.mediaPort ?? 0);
  const ctx: SimContext = {
    core,
    media,
    pairing: new Pairing(core),
    relay: new Relay(() => ctx),
    receipts: new Receipts(() => ctx),
    groups: new GroupService(core, new GroupStore(state?.groups)),
    presence: new Presence(() => ctx),
    history: new HistorySync(() => ctx),
    mediaHost: () => `127.0.0.1:${mediaServer.port}`,
  };
  const hooks = connectionHooks(ctx);
  let requestHandler: http.RequestListener = (_req, res) => {
    res.writeHead(503);
    res.end();
  };
  const httpServer = http.createServer((req, res) => requestHandler(req, res));
  httpServer.keepAliveTimeout = 1000;
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 * 1024 });
  httpServer.on('upgrade', (req, socket, head) => {
    if (core.stopping) {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const conn = new ClientConnection(ws, identity, hooks, logger);
      core.connections.add(conn);
    });
  });
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  return {
    ctx,
    port: (httpServer.address() as AddressInfo).port,
    mediaPort: mediaServer.port,
    identity,
    mediaTls,
    setRequestHandler: (handler) => (requestHandler = handler),
    close: async () => {
      core.stopping = true;
      core.settleDelayed();
      for (const conn of [...core.connections]) conn.terminate();
      wss.close();
      httpServer.closeAllConnections();
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
      await mediaServer.close();
    },
  };
}
