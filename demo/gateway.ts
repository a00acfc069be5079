import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';

const REPO_ROOT = path.join(__dirname, '..');
const ADMIN_KEY_LINE = /API key, shown only this once: (bak_\S+)/;
const STOP_GRACE_MS = 15_000;

export interface GatewayChild {
  child: ChildProcess;
  /** The first admin's API key, which the gateway prints once when it creates that admin. */
  adminKey: Promise<string>;
  exited: Promise<number | null>;
  /** Rejects when the gateway exits without being told to stop (for racing the demo's steps against). */
  crashed: Promise<never>;
  stop(): Promise<void>;
}

/**
 * The gateway as its own process (`server/src/main.ts`), as `npm start` runs it. It gets its own process
 * group, so a Ctrl-C in the terminal reaches only the demo, which then stops it once and waits.
 */
export function spawnGateway(env: Record<string, string>, print: (line: string) => void): GatewayChild {
  const child = spawn(
    process.execPath,
    ['-r', '@swc-node/register', '-r', path.join(__dirname, 'exit-with-parent.ts'), path.join(REPO_ROOT, 'server/src/main.ts')],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, SWC_NODE_PROJECT: path.join(REPO_ROOT, 'tsconfig.check.json'), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    },
  );
  let stopping = false;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const crashed = exited.then((code): never => {
    const how = child.signalCode ? `was killed (${child.signalCode})` : `exited with code ${code}`;
    throw new Error(stopping ? 'the gateway was stopped' : `the gateway ${how}`);
  });
  crashed.catch(() => undefined);
  let foundKey: (key: string) => void;
  const adminKey = new Promise<string>((resolve, reject) => {
    foundKey = resolve;
    crashed.catch(reject);
  });
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on('line', (line) => {
      const key = ADMIN_KEY_LINE.exec(line);
      if (key) foundKey(key[1]!);
      else if (!line.startsWith('Created the first admin')) print(readableLogLine(line));
    });
  }
  const stop = async () => {
    stopping = true;
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  };
  // a last resort if the demo dies of an error: never leave the gateway running on its own
  process.once('exit', () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return { child, adminKey, exited, crashed, stop };
}

const LEVELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

/** A pino JSON line as `level: message (error)`; anything else as it is. */
function readableLogLine(line: string): string {
  let entry: { level?: number; msg?: string; err?: { message?: string } };
  try {
    entry = JSON.parse(line);
  } catch {
    return line;
  }
  if (typeof entry?.level !== 'number' || typeof entry.msg !== 'string') return line;
  return `${LEVELS[entry.level] ?? entry.level}: ${entry.msg}${entry.err?.message ? ` (${entry.err.message})` : ''}`;
}
