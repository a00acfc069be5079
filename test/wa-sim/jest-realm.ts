import vm from 'node:vm';

type CurveModule = Record<string, unknown>;
const LONG_TIMER_MS = 20_000;
let prepared = false;

/**
 * Two adjustments for Baileys running inside Jest's vm context; outside Jest this does nothing.
 *
 * 1. The pure-JS curve25519-js (XEdDSA signatures behind Baileys' certificate, ADV and signed
 *    pre-key checks) runs about 10x slower in a vm context than in the main realm: ~85 ms per
 *    signature instead of ~8 ms, i.e. 170 ms per handshake. The copy Baileys and libsignal use is
 *    pointed at the same library loaded in the main realm (Jest's `module.createRequire` only
 *    hands out registry requires, hence `vm.runInThisContext`). Same code, same results.
 * 2. Baileys never clears the 30 s timeout it races every pre-key upload against, so each fresh
 *    login would keep the test process alive for 30 s after its socket ended. Timers of 20 s and
 *    more that Baileys itself creates (a frame of its own files is on the stack at creation) are
 *    unref'd: they still fire while the process runs, they just do not hold it open. Every other
 *    timer, the gateway's and the simulator's included, is left alone, so a leak there still keeps
 *    Jest from exiting and shows.
 */
export function prepareJestRealm(): void {
  if (prepared || process.env.JEST_WORKER_ID === undefined) return;
  prepared = true;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const inRegistry = require('curve25519-js') as CurveModule;
  const hostCreateRequire = vm.runInThisContext('process.getBuiltinModule("node:module").createRequire') as (
    path: string,
  ) => NodeJS.Require;
  const hostRealm = hostCreateRequire(__filename)('curve25519-js') as CurveModule;
  if (inRegistry !== hostRealm) {
    for (const name of ['sharedKey', 'signMessage', 'openMessage', 'sign', 'verify', 'generateKeyPair']) {
      if (typeof hostRealm[name] === 'function') inRegistry[name] = hostRealm[name];
    }
  }
  const originalSetTimeout = globalThis.setTimeout;
  const unrefBaileysLongTimers = ((handler: (...args: unknown[]) => void, delay?: number, ...args: unknown[]) => {
    const timer = originalSetTimeout(() => handler(...args), delay);
    if ((delay ?? 0) >= LONG_TIMER_MS && createdByBaileys()) timer.unref?.();
    return timer;
  }) as typeof setTimeout;
  globalThis.setTimeout = Object.assign(unrefBaileysLongTimers, originalSetTimeout);
}

const BAILEYS_FILE = /[\\/]node_modules[\\/]@whiskeysockets[\\/]baileys[\\/]/;

/** Whether the caller of setTimeout is Baileys' own code (this frame, the wrapper's, then the caller's). */
function createdByBaileys(): boolean {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 4;
  const stack = new Error().stack ?? '';
  Error.stackTraceLimit = limit;
  return BAILEYS_FILE.test(stack);
}
