import type { Session } from '../db/database';
import { deleteSession, listRestorableSessions, listSessionsOfUser } from '../sessions/session-repository';
import { wipeAuthState } from './auth/mysql-auth-state';
import { SessionRuntime, stateOf, type RuntimeServices } from './session-runtime';
import type { SessionState } from './session-state';
import type { WASocket } from './socket-factory';

export type SessionManagerServices = RuntimeServices;

export class SessionNotConnectedError extends Error {}

/** Hears when this process starts holding a session's runtime and when it lets go of it. */
export interface RuntimeObserver {
  started(sessionRowId: string): void;
  /** Called before the runtime stops; the runtime waits for the promise. */
  stopped(sessionRowId: string): Promise<void>;
}

/**
 * Owns one runtime (one Baileys socket) per running session. The rest of the server asks it to
 * start, stop, log out or remove a session, and reaches WhatsApp only through `whenConnected`.
 */
export class SessionManager {
  private readonly runtimes = new Map<string, SessionRuntime>();
  private observer: RuntimeObserver | undefined;

  constructor(private readonly services: SessionManagerServices) {}

  /** The one observer of runtimes coming and going (the send workers). */
  observe(observer: RuntimeObserver): void {
    this.observer = observer;
  }

  /** Reconnects every active session that was paired before, without a new QR. */
  async restore(): Promise<number> {
    const sessions = await listRestorableSessions(this.services.db);
    for (const session of sessions) {
      this.start(session).catch((error) =>
        this.services.log.error({ err: error, sessionId: session.sessionId }, 'could not restore session'),
      );
    }
    return sessions.length;
  }

  /** The user was disabled: closes their running sessions, keeping the credentials for when they are enabled again. */
  async stopUser(userId: string): Promise<void> {
    const sessions = await listSessionsOfUser(this.services.db, userId);
    await Promise.all(sessions.map((session) => this.stop(session)));
  }

  /** The user was enabled again: reconnects their paired, active sessions (as a start would). */
  async resumeUser(userId: string): Promise<number> {
    const sessions = await listRestorableSessions(this.services.db, userId);
    for (const session of sessions) {
      if (this.runtimes.has(session.id)) continue;
      this.start(session).catch((error) =>
        this.services.log.error({ err: error, sessionId: session.sessionId }, 'could not resume session'),
      );
    }
    return sessions.length;
  }

  /** The user is being deleted: unlinks every one of their sessions from WhatsApp and forgets the credentials. */
  async logoutUser(userId: string): Promise<void> {
    const sessions = await listSessionsOfUser(this.services.db, userId);
    await Promise.all(
      sessions.map((session) =>
        this.logout(session).catch((error) => {
          this.services.log.warn({ err: error, sessionId: session.sessionId }, 'could not log out the session of a deleted user');
          return this.stop(session);
        }),
      ),
    );
  }

  async start(session: Session, options: { pairingPhone?: string } = {}): Promise<void> {
    await this.runtimeFor(session).start(options);
  }

  async requestPairingCode(session: Session, phone: string): Promise<string> {
    return this.runtimeFor(session).requestPairingCode(phone);
  }

  async stop(session: Session): Promise<void> {
    await this.letGo(session.id);
    await this.runtimes.get(session.id)?.stop();
    this.runtimes.delete(session.id);
  }

  /** Closes and reopens the session's connection, keeping its credentials. */
  async restart(session: Session): Promise<void> {
    await this.stop(session);
    await this.start(session);
  }

  /** Logs out of WhatsApp when connected and forgets the credentials either way. */
  async logout(session: Session): Promise<void> {
    const runtime = this.runtimes.get(session.id);
    await this.letGo(session.id);
    if (runtime) await runtime.logout();
    else await wipeAuthState(this.services.db, session.id);
    this.runtimes.delete(session.id);
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

  qr(sessionRowId: string) {
    return this.runtimes.get(sessionRowId)?.qr ?? null;
  }

  /** Whether this process holds the session and it is CONNECTED. */
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

  /** Closes every socket cleanly, without logging out, for a shutdown. */
  async shutdown(): Promise<void> {
    await Promise.all([...this.runtimes.keys()].map((id) => this.letGo(id)));
    await Promise.all([...this.runtimes.values()].map((runtime) => runtime.stop()));
    this.runtimes.clear();
  }

  private async letGo(sessionRowId: string): Promise<void> {
    if (this.runtimes.has(sessionRowId)) await this.observer?.stopped(sessionRowId);
  }

  private runtimeFor(session: Session): SessionRuntime {
    let runtime = this.runtimes.get(session.id);
    if (!runtime) {
      runtime = new SessionRuntime(session, stateOf(session), this.services);
      this.runtimes.set(session.id, runtime);
      this.observer?.started(session.id);
    }
    return runtime;
  }
}
