import type { Simulator } from '../../test/wa-sim';
import { startIpcChild, type IpcChild } from './ipc';
import { GC_PROBE_ARGS } from './memory';
import { forEachConcurrently } from './wait';

/** What points a gateway (or any Baileys process) at the simulator; the Baileys log is silent. */
export const simulatorEnv = (sim: Simulator): Record<string, string> => ({
  WHATSAPP_WS_URL: sim.wsUrl,
  WHATSAPP_ROOT_KEY: sim.rootPublicKeyBase64,
  WHATSAPP_MEDIA_HOSTS: `127.0.0.1:${sim.mediaPort}`,
  NODE_EXTRA_CA_CERTS: sim.caCertPath,
  BAILEYS_LOG_LEVEL: 'silent',
});

/** The bare-Baileys baseline process (bare-baileys.ts), pointed at the simulator, collectable by settledMemory. */
export function startBareBaileys(sim: Simulator): Promise<IpcChild> {
  return startIpcChild('bench/lib/bare-baileys.ts', { ...simulatorEnv(sim), SIM_HTTP_URL: sim.httpUrl }, { nodeArgs: GC_PROBE_ARGS });
}

/** Creates the accounts that do not exist yet, `concurrency` at a time (each brings its hosted device online). */
export async function ensureAccounts(sim: Simulator, phones: string[], concurrency = 4): Promise<void> {
  const existing = new Set(sim.accounts().map((a) => a.phone));
  const missing = phones.filter((phone) => !existing.has(phone));
  await forEachConcurrently(missing, concurrency, async (phone) => void (await sim.createAccount(phone, `Bench ${phone.slice(-4)}`)));
}
