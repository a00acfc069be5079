import type { Session, SessionStatus } from '../db/database';
import { deleteSession, listSessionsOfUser } from './store/session-repository';
import { wipeAuthState } from './auth/mysql-auth-state';
import type { HeldFence, RunningSessions, SessionOwnership } from './ownership/session-ownership';
import { SessionRuntime, stateOf, type RuntimeServices } from './session-runtime';
import type { SessionState } from './session-state';
import { SerialQueue } from './serial-queue';
import type { WASocket } from './socket-factory';
import { SessionNotConnectedError, SessionOwnedElsewhereError } from './whatsapp-errors';

/** How long a stopped session keeps its lease for event batches the database still refuses. */
const UNSTORED_EVENTS_GRACE_MS = 5000;

export type SessionManagerServices = RuntimeServices & { ownership: SessionOwnership };

/** Hears runtimes start and stop (the send workers: a process sends only for sessions it runs). */
export interface RuntimeObserver {
  started(sessionRowId: string): void;
  /** Called before the runtime stops; the runtime waits for the promise. */
  stopped(sessionRowId: string): Promise<void>;
}

/**
 * Owns one runtime (one Baileys socket) per session this process runs, each under a lease (see
 * SessionOwnership). The rest of the server asks it to start, stop, log out or remove a session, and
 * reaches WhatsApp only through `whenConnected`. Starting, stopping, logging out and removing one
 * session run one at a time, so a start that arrives while a stop is closing the socket waits for it.
 */
export class SessionManager implements RunningSessions {
  private readonly runtimes = new Map<string, SessionRuntime>();
  private readonly lifecycles = new Map<string, SerialQueue>();
  private observer: RuntimeObserver | undefined;

  constructor(private readonly services: SessionManagerServices) {}

  /** The one observer of runtimes coming and going (the send workers). */
  observe(observer: RuntimeObserver): void {
    this.observer = observer;
  }

  /** Joins the other processes (if any) and starts this process's share of the paired, active sessions. */
  async restore(): Promise<number> {
    return this.services.ownership.start(this);
  }

  /** The user was disabled: closes their running sessions, keeping the credentials for when they are enabled again. */
  async stopUser(userId: string): Promise<void> {
    const sessions = await listSessionsOfUser(this.services.db, userId);
    await Promise.all(sessions.map((session) => this.stop(session, { release: true })));
  }

  /** The user was enabled again: their paired, active sessions are orphans now; claims them at once. */
  async resumeUser(userId: string): Promise<number> {
    const sessions = await listSessionsOfUser(this.services.db, userId);
    const restorable = sessions.filter((session) => session.isActive && session.authData !== null);
    for (const session of restorable) {
      if (this.runtimes.has(session.id)) continue;
      this.start(session).catch((error) => {
        if (!(error instanceof SessionOwnedElsewhereError))
          this.services.log.error({ err: error, sessionId: session.sessionId }, 'could not resume session');
      });
    }
    return restorable.length;
  }

  /** The user is being deleted: unlinks every one of their sessions from WhatsApp and forgets the credentials. */
  async logoutUser(userId: string): Promise<void> {
    const sessions = await listSessionsOfUser(this.services.db, userId);
    await Promise.all(
      sessions.map((session) =>
        this.logout(session).catch((error) => {
          this.services.log.warn({ err: error, sessionId: session.sessionId }, 'could not log out the session of a deleted user');
          return this.stop(session, { release: true });
        }),
      ),
    );
  }

  /** Runs the session here (taking its lease), or throws SessionOwnedElsewhereError. */
  async start(session: Session, options: { pairingPhone?: string } = {}): Promise<void> {
    await this.lifecycle(session.id, async () => {
      const runtime = await this.runtimeFor(session);
      this.observer?.started(session.id);
      await runtime.start(options);
    });
  }

  async requestPairingCode(session: Session, phone: string): Promise<string> {
    const runtime = await this.lifecycle(session.id, () => this.runtimeFor(session));
    this.observer?.started(session.id);
    return runtime.requestPairingCode(phone);
  }

  /**
   * Closes the session's socket. By default this process keeps holding the session (stopped), so no
   * process reconnects it until it is started again or its holder goes away; with `release`, the lease
   * is given up too (the session was deactivated, or its user disabled: nothing claims it meanwhile).
   */
  async stop(session: Pick<Session, 'id'>, options: { release?: boolean } = {}): Promise<void> {
    await this.lifecycle(session.id, async () => {
      const runtime = this.runtimes.get(session.id);
      if (!runtime) return;
      await this.observer?.stopped(session.id);
      await runtime.stop();
      if (options.release) await this.forget(runtime);
    });
  }

  /** Closes and reopens the session's connection, keeping its credentials. */
  async restart(session: Session): Promise<void> {
    await this.stop(session);
    await this.start(session);
  }

  /** Logs out of WhatsApp when connected and forgets the credentials either way. */
  async logout(session: Session): Promise<void> {
    await this.lifecycle(session.id, async () => {
      const runtime = this.runtimes.get(session.id);
      if (runtime) {
        await this.observer?.stopped(session.id);
        await runtime.logout();
        return this.forget(runtime);
      }
      const fence = await this.services.ownership.acquire(session.id);
      if (!fence) throw new SessionOwnedElsewhereError(session.id);
      try {
        await wipeAuthState(this.services.db, session.id);
      } finally {
        await this.services.ownership.release(fence);
      }
    });
  }

  /** Logs out and deletes the session with everything stored for it. */
  async remove(session: Session): Promise<void> {
    await this.logout(session);
    await deleteSession(this.services.db, session.id);
  }

  /** The row changed through the API (name, workflow). */
  identityChanged(session: Session): void {
    this.runtimes.get(session.id)?.refresh(session);
  }

  /** The live state of a running session (fresher than its row, which is written at a bounded rate). */
  liveState(sessionRowId: string): SessionState | undefined {
    return this.runtimes.get(sessionRowId)?.state;
  }

  /** The live status of every session this process runs. */
  liveStatuses(): SessionStatus[] {
    return [...this.runtimes.values()].map((runtime) => runtime.state.status);
  }

  /** A running session's event batches waiting for the database, and whether its socket is paused meanwhile. */
  ingestBacklog(sessionRowId: string) {
    return this.runtimes.get(sessionRowId)?.ingestBacklog;
  }

  qr(sessionRowId: string) {
    return this.runtimes.get(sessionRowId)?.qr ?? null;
  }

  isConnected(sessionRowId: string): boolean {
    return this.runtimes.get(sessionRowId)?.connectedSocket !== undefined;
  }

  /** Runs `use` with the session's open socket; throws SessionNotConnectedError when it is not CONNECTED. */
  async whenConnected<T>(sessionRowId: string, use: (socket: WASocket) => Promise<T>): Promise<T> {
    const socket = this.runtimes.get(sessionRowId)?.connectedSocket;
    if (!socket) throw new SessionNotConnectedError('the session is not connected');
    return use(socket);
  }

  /**
   * Waits until the events received so far are stored: those of the one session given (by row id),
   * or of every running session when none is.
   */
  async drained(sessionRowId?: string): Promise<void> {
    if (sessionRowId !== undefined) {
      await this.runtimes.get(sessionRowId)?.drained();
      return;
    }
    await Promise.all([...this.runtimes.values()].map((runtime) => runtime.drained()));
  }

  /**
   * Closes every socket cleanly, without logging out, for a shutdown, and hands each session over:
   * its lease is released as soon as it is closed, so another process can open it at once.
   */
  async shutdown(): Promise<void> {
    await this.services.ownership.beginShutdown();
    await Promise.all([...this.runtimes.values()].map((runtime) => this.stop(runtime.session, { release: true })));
    await this.services.ownership.close();
  }

  holds(sessionId: string): boolean {
    for (const runtime of this.runtimes.values()) if (runtime.session.sessionId === sessionId) return true;
    return false;
  }

  fences(): HeldFence[] {
    return [...this.runtimes.values()].map((runtime) => runtime.fence as HeldFence);
  }

  lost(sessionRowIds: string[]): void {
    for (const id of sessionRowIds) {
      const runtime = this.runtimes.get(id);
      if (!runtime) continue;
      this.runtimes.delete(id);
      void this.observer?.stopped(id);
      runtime.abandon();
    }
  }

  deactivated(sessionRowIds: string[]): void {
    for (const id of sessionRowIds) {
      this.stop({ id }, { release: true }).catch((error) =>
        this.services.log.error({ err: error, sessionRowId: id }, 'could not stop a deactivated session'),
      );
    }
  }

  adopt(session: Session, fence: HeldFence): void {
    void this.lifecycle(session.id, async () => {
      if (this.runtimes.has(session.id)) return;
      const runtime = this.createRuntime(session, fence);
      this.observer?.started(session.id);
      try {
        await runtime.start();
      } catch (error) {
        this.services.log.error({ err: error, sessionId: session.sessionId }, 'could not start a session taken over');
        await this.forget(runtime);
      }
    });
  }

  /** Runs `task` after every earlier lifecycle task of the same session has finished. */
  private lifecycle<T>(sessionRowId: string, task: () => Promise<T>): Promise<T> {
    let queue = this.lifecycles.get(sessionRowId);
    if (!queue) this.lifecycles.set(sessionRowId, (queue = new SerialQueue()));
    return queue.run(task).finally(() => {
      if (queue.pending === 0 && this.lifecycles.get(sessionRowId) === queue) this.lifecycles.delete(sessionRowId);
    });
  }

  private async runtimeFor(session: Session): Promise<SessionRuntime> {
    const running = this.runtimes.get(session.id);
    if (running) return running;
    const fence = await this.services.ownership.acquire(session.id);
    if (!fence) throw new SessionOwnedElsewhereError(session.id);
    return this.createRuntime(session, fence);
  }

  private createRuntime(session: Session, fence: HeldFence): SessionRuntime {
    const runtime = new SessionRuntime(session, stateOf(session), fence, this.services, () => this.lost([session.id]));
    this.runtimes.set(session.id, runtime);
    return runtime;
  }

  /**
   * Lets a stopped runtime go: waits a little for the events it still has to store (only the lease holder
   * may write them), then releases the lease so any process can run the session next.
   */
  private async forget(runtime: SessionRuntime): Promise<void> {
    await this.observer?.stopped(runtime.session.id);
    if (this.runtimes.get(runtime.session.id) === runtime) this.runtimes.delete(runtime.session.id);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([runtime.drained(), new Promise((resolve) => (timer = setTimeout(resolve, UNSTORED_EVENTS_GRACE_MS)))]);
    clearTimeout(timer);
    runtime.abandon();
    await this.services.ownership.release(runtime.fence);
  }
}
