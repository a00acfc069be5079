import pino from 'pino';
import { SessionManager, type SessionManagerServices } from '../../server/src/whatsapp/session-manager';
import type { SessionRuntime } from '../../server/src/whatsapp/session-runtime';

/*
 * A chat action waits for its own session's storage queue only: one session whose queue cannot drain
 * (a long history sync, a database refusing it) does not hold up another session's actions.
 */

function managerWith(runtimes: Record<string, Pick<SessionRuntime, 'drained'>>): SessionManager {
  const manager = new SessionManager({ log: pino({ level: 'silent' }) } as unknown as SessionManagerServices);
  const map = (manager as unknown as { runtimes: Map<string, unknown> }).runtimes;
  for (const [id, runtime] of Object.entries(runtimes)) map.set(id, runtime);
  return manager;
}

const settled = (promise: Promise<void>, ms = 200) =>
  Promise.race([promise.then(() => 'drained'), new Promise((resolve) => setTimeout(() => resolve('pending'), ms))]);

describe('SessionManager.drained', () => {
  const stuck = { drained: () => new Promise<void>(() => {}) };
  let bDrains = 0;
  const idle = { drained: async () => void bDrains++ };

  it('waits for the one session given, not for another whose queue cannot drain', async () => {
    const manager = managerWith({ a: stuck, b: idle });
    expect(await settled(manager.drained('b'))).toBe('drained');
    expect(bDrains).toBe(1);
  });

  it('resolves at once for a session that is not running', async () => {
    const manager = managerWith({ a: stuck });
    expect(await settled(manager.drained('absent'))).toBe('drained');
  });

  it('without a session, still waits for every running session', async () => {
    const manager = managerWith({ a: stuck, b: idle });
    expect(await settled(manager.drained())).toBe('pending');
  });
});
