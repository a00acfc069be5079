import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { Curve, WA_CERT_DETAILS } from '@whiskeysockets/baileys';
import type { KeyPair } from '@whiskeysockets/baileys';
import pino from 'pino';
import { prepareJestRealm } from './jest-realm';
import { controlApi } from './control-api';
import { fromJsonSafe } from './memory-auth';
import { startServer, type SimulatorStateData } from './server';
import { Simulator, type SimulatorState } from './simulator';
import type { SimLogger } from './types';

prepareJestRealm();

export { Simulator } from './simulator';
export type { GroupSetting, ParticipantAction, SimulatorState } from './simulator';
export type { ProvisionOptions } from './provision';
export type { MemoryAuth, SerializedAuth } from './memory-auth';
export { memoryAuthState } from './memory-auth';
export * from './types';

export interface StartOptions {
  /** websocket + control API port (default: a free one) */
  port?: number;
  /** HTTPS media port (default: the one in `state`, else a free one) */
  mediaPort?: number;
  /** delay every delivery to a device by this many ms */
  deliveryDelayMs?: number;
  /** a snapshot from `exportState()`: accounts, devices, keys, LIDs, groups and queues carry over */
  state?: SimulatorState;
  logger?: SimLogger;
  /** every account's hosted device answers the texts it receives with `Echo: <text>` (see `Simulator.setEcho`) */
  echo?: boolean;
}

/** One root key per process: every Baileys client in it checks the noise chain against a single global. */
let processRootKey: KeyPair | undefined;

export async function startSimulator(options: StartOptions = {}): Promise<Simulator> {
  const logger = options.logger ?? (pino({ level: process.env.WA_SIM_LOG ?? 'silent' }) as unknown as SimLogger);
  const state = options.state ? reviveState(options.state) : undefined;
  processRootKey ??= state?.rootKeyPair ?? Curve.generateKeyPair();
  const server = await startServer({
    port: options.port,
    mediaPort: options.mediaPort,
    deliveryDelayMs: options.deliveryDelayMs,
    state,
    logger,
    rootKeyPair: processRootKey,
  });
  // the simulator's own hosted devices are Baileys clients in this process: they must trust its root
  installRootKey(server.identity.rootKeyPair.public);
  const simulator = new Simulator(server, writeCaFile(server.mediaTls.caCertPem));
  server.setRequestHandler(controlApi(simulator));
  if (options.echo) simulator.setEcho('all', true);
  if (state) await simulator.resumeHosted(state.hosted);
  return simulator;
}

/**
 * Makes Baileys in this process accept the simulator: its noise root key and its media CA
 * (for node https uploads and fetch/undici downloads). Opt-in, for tests.
 */
export function trustSimulator(sim: Pick<Simulator, 'rootPublicKey' | 'caCertPem'>): void {
  installRootKey(sim.rootPublicKey);
  const current = tls.getCACertificates('default');
  if (!current.some((pem) => pem.trim() === sim.caCertPem.trim())) tls.setDefaultCACertificates([...current, sim.caCertPem]);
}

function installRootKey(publicKey: Uint8Array) {
  WA_CERT_DETAILS.PUBLIC_KEY = Buffer.from(publicKey);
}

function reviveState(state: SimulatorState): SimulatorStateData {
  const data = fromJsonSafe<SimulatorStateData>(state);
  if (data.version !== 1) throw new Error(`unsupported simulator state version ${String(data.version)}`);
  return data;
}

function writeCaFile(pem: string): string {
  const dir = path.join(tmpdir(), 'wa-sim');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `media-ca-${createHash('sha256').update(pem).digest('hex').slice(0, 16)}.pem`);
  writeFileSync(file, pem);
  return file;
}
