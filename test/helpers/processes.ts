import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export const REPO_ROOT = path.join(__dirname, '../..');

/** Runs a TypeScript entry point of the repo in a child Node (the same Node 24 as the tests). */
export function spawnTs(
  entry: string,
  args: string[],
  env: Record<string, string>,
  options: { stdin?: 'pipe' | 'ignore' } = {},
): ChildProcess {
  return spawn(process.execPath, ['-r', '@swc-node/register', path.join(REPO_ROOT, entry), ...args], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', SWC_NODE_PROJECT: path.join(REPO_ROOT, 'tsconfig.check.json'), ...env },
    stdio: [options.stdin ?? 'ignore', 'pipe', 'pipe'],
  });
}

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function collect(child: ChildProcess): { output: () => { stdout: string; stderr: string }; done: Promise<Finished> } {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => (stdout += chunk));
  child.stderr?.on('data', (chunk) => (stderr += chunk));
  const done = new Promise<Finished>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { output: () => ({ stdout, stderr }), done };
}

export async function waitForOutput(read: () => string, pattern: RegExp, timeoutMs = 20_000): Promise<RegExpExecArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = pattern.exec(read());
    if (match) return match;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern} in:\n${read()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
