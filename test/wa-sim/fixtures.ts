import { type TestClient, type TestClientOptions, linkWithQr } from './client';
import { type Simulator, type StartOptions, startSimulator, trustSimulator } from './index';

export interface SimFixture {
  sim: Simulator;
  /** links a fresh client to `phone` by QR; ended automatically after the suite */
  link(phone: string, options?: TestClientOptions): Promise<TestClient>;
  /** registers a client for cleanup */
  track<T extends TestClient>(client: T): T;
}

/** Starts one simulator for the describe block, trusts it, and cleans up every client and the server. */
export function useSimulator(options?: StartOptions): SimFixture {
  const clients: TestClient[] = [];
  const fixture: SimFixture = {
    sim: undefined as unknown as Simulator,
    link: async (phone, clientOptions) => fixture.track(await linkWithQr(fixture.sim, phone, clientOptions)),
    track: (client) => {
      clients.push(client);
      return client;
    },
  };
  let restoreConsole: () => void;
  beforeAll(async () => {
    restoreConsole = quietLibsignal();
    fixture.sim = await startSimulator(options);
    trustSimulator(fixture.sim);
  });
  afterAll(async () => {
    for (const client of clients) client.end();
    await fixture.sim?.stop();
    restoreConsole();
  });
  return fixture;
}

export const waitUntil = async (condition: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

/** libsignal reports routine session housekeeping straight to the console; keep test output readable. */
const LIBSIGNAL_NOISE =
  /^(Closing session|Closing open session|Session already closed|Removing old closed session|Decrypted message with closed session|Migrating session to)/;

export function quietLibsignal(): () => void {
  const { info, warn, error } = console;
  const filter =
    (original: (...args: unknown[]) => void) =>
    (...args: unknown[]) => {
      if (typeof args[0] === 'string' && LIBSIGNAL_NOISE.test(args[0])) return;
      original.apply(console, args);
    };
  console.info = filter(info);
  console.warn = filter(warn);
  console.error = filter(error);
  return () => Object.assign(console, { info, warn, error });
}
