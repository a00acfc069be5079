import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import path from 'node:path';

export const REPO_ROOT = path.join(__dirname, '../..');

export interface Child {
  process: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Node options before the entry point (e.g. `--expose-gc`, further `-r` preloads). */
  nodeArgs?: string[];
  /** An IPC channel to the child (`process.send` there, `child.process.send` here). */
  ipc?: boolean;
}

/**
 * Runs a TypeScript entry point in its own Node process, so servers under test don't share a core
 * with the load generator. BENCH_PROFILE_DIR=dir writes a CPU profile of it there.
 */
export function startTs(entry: string, env: Record<string, string>, options: StartOptions = {}): Child {
  const profile = process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [];
  const args = [...profile, '-r', '@swc-node/register', ...(options.nodeArgs ?? []), path.join(REPO_ROOT, entry)];
  const child = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, SWC_NODE_PROJECT: path.join(REPO_ROOT, 'tsconfig.check.json'), ...env },
    stdio: ['ignore', 'pipe', 'pipe', ...(options.ipc ? (['ipc'] as const) : [])],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  return {
    process: child,
    output: () => output,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export async function waitFor(child: Child, pattern: RegExp, timeoutMs = 30_000): Promise<RegExpExecArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = pattern.exec(child.output());
    if (match) return match;
    if (child.process.exitCode !== null || Date.now() > deadline) throw new Error(`no ${pattern} in output:\n${child.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A port that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
