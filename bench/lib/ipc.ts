import { startTs, type Child, type StartOptions } from './child';

/** A benchmark helper in a process of its own, driven by commands: each `call` gets one reply. */
export interface IpcChild<Ready = unknown> {
  child: Child;
  /** What the child sent in its `{ ready }` message. */
  ready: Ready;
  call<T = any>(cmd: string, args?: Record<string, unknown>): Promise<T>;
  /** SIGTERM, then SIGKILL after 5 s. */
  stop(): Promise<void>;
}

/**
 * Starts `entry`, which answers `{ id, cmd, ...args }` messages with `{ id, result }` or `{ id, error }`
 * and announces itself with `{ ready }`.
 */
export async function startIpcChild<Ready = unknown>(
  entry: string,
  env: Record<string, string> = {},
  options: Omit<StartOptions, 'ipc'> = {},
): Promise<IpcChild<Ready>> {
  const child = startTs(entry, env, { ...options, ipc: true });
  const waiting = new Map<number, { resolve(value: any): void; reject(error: Error): void }>();
  let nextId = 1;
  const ready = await new Promise<Ready>((resolve, reject) => {
    child.process.on('message', (message: any) => {
      if (message.ready) return resolve(message.ready);
      const pending = waiting.get(message.id);
      waiting.delete(message.id);
      if (message.error) pending?.reject(new Error(`${entry}: ${message.error}`));
      else pending?.resolve(message.result);
    });
    child.process.once('exit', (code) => {
      const error = new Error(`${entry} exited (${code}):\n${child.output().slice(-4000)}`);
      reject(error);
      for (const pending of waiting.values()) pending.reject(error);
    });
  });
  return {
    child,
    ready,
    call(cmd, args = {}) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        child.process.send!({ id, cmd, ...args });
      });
    },
    stop: () =>
      new Promise<void>((resolve) => {
        const { process: proc } = child;
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
        const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
        proc.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        proc.kill('SIGTERM');
      }),
  };
}
