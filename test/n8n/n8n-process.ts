/**
 * A real n8n (the pinned version from the cache) as a child process: its own user folder and
 * SQLite database in a temporary directory, this package's built nodes loaded as custom
 * extensions, and a small client for its internal REST API (the one the editor uses).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface N8n {
  baseUrl: string;
  /** Everything n8n printed so far. */
  output(): string;
  /** Resolves once n8n serves its REST API; fails when n8n exits or the time is up. */
  ready(timeoutMs?: number): Promise<void>;
  /** The internal REST API (`/rest/...`) with the owner's session cookie once `setupOwner` ran. */
  rest<T = any>(method: string, route: string, body?: unknown): Promise<T>;
  setupOwner(owner: { email: string; password: string; firstName: string; lastName: string }): Promise<void>;
  /** SIGTERM, then SIGKILL after 10 s; removes the user folder (and so the database). */
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * Spawns n8n and answers at once, so the caller can register `stop` for cleanup before waiting for
 * `ready()`.
 */
export async function spawnN8n(options: { entry: string; customExtensions: string }): Promise<N8n> {
  const userFolder = await mkdtemp(path.join(os.tmpdir(), 'n8n-e2e-'));
  const port = await freePort();
  const brokerPort = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: userFolder,
    N8N_USER_FOLDER: userFolder,
    N8N_PORT: String(port),
    N8N_LISTEN_ADDRESS: '127.0.0.1',
    N8N_HOST: '127.0.0.1',
    N8N_PROTOCOL: 'http',
    // The URL n8n gives trigger nodes for their webhooks (and so the one the gateway calls).
    N8N_WEBHOOK_URL: `${baseUrl}/`,
    N8N_RUNNERS_BROKER_PORT: String(brokerPort),
    N8N_CUSTOM_EXTENSIONS: options.customExtensions,
    N8N_SECURE_COOKIE: 'false',
    N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
    N8N_DIAGNOSTICS_ENABLED: 'false',
    N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
    N8N_TEMPLATES_ENABLED: 'false',
    N8N_PERSONALIZATION_ENABLED: 'false',
    N8N_LOG_LEVEL: 'info',
    DB_TYPE: 'sqlite',
  };
  const child = spawn(process.execPath, [options.entry, 'start'], { cwd: userFolder, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  let cookie = '';

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited(child);
      clearTimeout(timer);
    }
    await rm(userFolder, { recursive: true, force: true });
  };

  const rest = async <T>(method: string, route: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${baseUrl}/rest${route}`, {
      method,
      headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`n8n ${method} /rest${route} answered ${response.status}: ${text.slice(0, 1000)}`);
    const setCookie = response.headers.getSetCookie().find((value) => value.startsWith('n8n-auth='));
    if (setCookie) cookie = setCookie.split(';')[0]!;
    const parsed = text ? JSON.parse(text) : undefined;
    return (parsed && typeof parsed === 'object' && 'data' in parsed ? parsed.data : parsed) as T;
  };

  /** Ready once the database is migrated (/healthz/readiness) and n8n says the editor is up. */
  const ready = async (timeoutMs = 120_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`n8n exited (${child.exitCode ?? child.signalCode})\n--- n8n output ---\n${output.slice(-8000)}`);
      }
      const answered = await fetch(`${baseUrl}/healthz/readiness`, { signal: AbortSignal.timeout(2_000) }).then(
        (response) => response.ok,
        () => false,
      );
      // The log line comes after the nodes are loaded and the REST API is mounted.
      if (answered && output.includes('Editor is now accessible')) return;
      if (Date.now() > deadline)
        throw new Error(`n8n did not become ready in ${timeoutMs / 1000} s\n--- n8n output ---\n${output.slice(-8000)}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  };

  return {
    baseUrl,
    ready,
    output: () => output,
    rest,
    async setupOwner(owner) {
      await rest('POST', '/owner/setup', owner);
    },
    stop,
  };
}
