import type { ChildProcess } from 'node:child_process';
import { ApiClient } from './http';
import { collect, spawnTs, waitForOutput, type Finished } from './processes';

/** A gateway running as its own Node process (`server/src/main.ts`), as in production. */
export interface GatewayProcess {
  child: ChildProcess;
  url: string;
  api: ApiClient;
  /** The first admin's API key, when this process created the first admin. */
  adminKey?: string;
  output(): { stdout: string; stderr: string };
  done: Promise<Finished>;
}

export async function spawnGateway(env: Record<string, string>, options: { expectAdmin?: boolean } = {}): Promise<GatewayProcess> {
  const child = spawnTs('server/src/main.ts', [], { PORT: '0', HOST: '127.0.0.1', BCRYPT_COST: '10', LOG_LEVEL: 'info', ...env });
  const { output, done } = collect(child);
  if (process.env.GATEWAY_LOG_DIR) {
    const { createWriteStream } = await import('node:fs');
    const file = createWriteStream(`${process.env.GATEWAY_LOG_DIR}/gateway-${child.pid}.log`);
    child.stdout?.pipe(file);
    child.stderr?.pipe(file);
  }
  try {
    const adminKey = options.expectAdmin
      ? (await waitForOutput(() => output().stdout, /API key, shown only this once: (bak_\S+)/, 60_000))[1]
      : undefined;
    const [, url] = await waitForOutput(() => output().stdout, /Server listening at (http:\/\/127\.0\.0\.1:\d+)/, 60_000);
    return { child, url: url!, api: new ApiClient(url!), adminKey, output, done };
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
}

/** SIGTERM, then the exit; SIGKILL after `graceMs`. */
export async function stopGateway(gateway: GatewayProcess, graceMs = 20_000): Promise<Finished> {
  if (gateway.child.exitCode !== null || gateway.child.signalCode !== null) return gateway.done;
  gateway.child.kill('SIGTERM');
  const timer = setTimeout(() => gateway.child.kill('SIGKILL'), graceMs);
  try {
    return await gateway.done;
  } finally {
    clearTimeout(timer);
  }
}
