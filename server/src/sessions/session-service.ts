import { isAdmin, type Principal } from '../auth/principal';
import type { Db, Queryable, Session } from '../db/database';
import { isDuplicateKey } from '../db/errors';
import { fromJson } from '../db/json';
import { conflict, HttpError, notFound } from '../http/errors';
import type { SessionManager } from '../whatsapp/session-manager';
import { countConflicts } from '../whatsapp/store/conflict-store';
import { PairingInProgressError } from '../whatsapp/whatsapp-errors';
import type { WASocket } from '../whatsapp/socket-factory';
import { toHttpError } from '../http/whatsapp-errors';
import { normalizePhoneNumber } from './phone-numbers';
import * as sessions from '../whatsapp/store/session-repository';

export interface SessionView {
  sessionId: string;
  name: string | null;
  status: Session['status'];
  qrCode: string | null;
  pairingCode: string | null;
  phoneNumber: string | null;
  lastSeen: Date | null;
  isActive: boolean;
  workflowId: string | null;
  metadata: Record<string, unknown> | null;
  userId: string;
  createdAt: Date;
  updatedAt: Date;
  /** On GET of one session: messages kept aside because their id was taken, and refused edits and revokes. */
  conflictingMessages?: number;
}

const scopeOf = (principal: Principal): sessions.SessionScope => (isAdmin(principal) ? {} : { userId: principal.id });

/** Sessions as the REST API sees them: scoped to their owner, backed by the session manager. */
export class SessionService {
  constructor(
    private readonly db: Db,
    private readonly manager: SessionManager,
  ) {}

  /** The caller's session, or 404 (also for someone else's). */
  async find(principal: Principal, sessionId: string): Promise<Session> {
    const session = await sessions.findSession(this.db, sessionId, scopeOf(principal));
    if (!session) throw notFound(`Session "${sessionId}" not found`);
    return session;
  }

  /**
   * Runs `use` with the open socket of the caller's session. Not connected → 409; WhatsApp's
   * refusals and failures → 422/502/504 with its reason.
   */
  async withSocket<T>(principal: Principal, sessionId: string, use: (socket: WASocket, session: Session) => Promise<T>): Promise<T> {
    const session = await this.find(principal, sessionId);
    try {
      return await this.manager.whenConnected(session.id, (socket) => use(socket, session));
    } catch (error) {
      throw toHttpError(error);
    }
  }

  async create(
    principal: Principal,
    input: { sessionId: string; name?: string | null; workflowId?: string | null; phoneNumber?: string },
    limits: { maxSessionsPerUser: number } = { maxSessionsPerUser: 0 },
  ): Promise<SessionView> {
    const phone = input.phoneNumber === undefined ? undefined : normalizePhoneNumber(input.phoneNumber);
    let session: Session;
    try {
      session = await this.db.transaction().execute(async (trx) => {
        await this.checkSessionLimit(trx, principal, limits.maxSessionsPerUser);
        return sessions.insertSession(trx, { ...input, phoneNumber: phone ?? null, userId: principal.id });
      });
    } catch (error) {
      if (isDuplicateKey(error))
        throw conflict(`The sessionId "${input.sessionId}" is already taken; sessionIds are unique across all users, choose another`);
      throw error;
    }
    await this.manager.start(session, { pairingPhone: phone });
    return this.view(session);
  }

  /**
   * MAX_SESSIONS_PER_USER (0: no limit; admins exempt). The user's row is locked first, so concurrent
   * creations by the same user are counted one after the other and cannot overshoot together.
   */
  private async checkSessionLimit(trx: Queryable, principal: Principal, max: number): Promise<void> {
    if (max === 0 || isAdmin(principal)) return;
    await trx.selectFrom('User').select('id').where('id', '=', principal.id).forUpdate().execute();
    const { count } = await trx
      .selectFrom('Session')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('userId', '=', principal.id)
      .executeTakeFirstOrThrow();
    if (Number(count) >= max)
      throw conflict(`You already have ${Number(count)} sessions, the most a user may have (${max}); delete one before creating another`);
  }

  async list(principal: Principal, limit: number, before?: { createdAt: Date; id: string }) {
    const rows = await sessions.listSessions(this.db, scopeOf(principal), limit, before);
    return rows.map((row) => ({ row, view: this.view(row) }));
  }

  async get(principal: Principal, sessionId: string): Promise<SessionView> {
    const session = await this.find(principal, sessionId);
    return { ...this.view(session), conflictingMessages: await countConflicts(this.db, session.id) };
  }

  async update(principal: Principal, sessionId: string, changes: { name?: string | null; workflowId?: string | null; isActive?: boolean }) {
    const session = await this.find(principal, sessionId);
    await sessions.updateSession(this.db, session.id, changes);
    const updated = (await sessions.findSessionByRowId(this.db, session.id))!;
    if (changes.isActive === false) await this.manager.stop(updated, { release: true });
    if (changes.isActive === true && !session.isActive && updated.authData !== null) await this.manager.start(updated);
    this.manager.identityChanged(updated);
    return this.view((await sessions.findSessionByRowId(this.db, session.id))!);
  }

  async connect(principal: Principal, sessionId: string): Promise<SessionView> {
    const session = await this.find(principal, sessionId);
    if (!session.isActive) await sessions.updateSession(this.db, session.id, { isActive: true });
    await this.manager.start({ ...session, isActive: true });
    return this.view((await sessions.findSessionByRowId(this.db, session.id))!);
  }

  async disconnect(principal: Principal, sessionId: string): Promise<SessionView> {
    const session = await this.find(principal, sessionId);
    await this.manager.stop(session);
    return this.view((await sessions.findSessionByRowId(this.db, session.id))!);
  }

  async logout(principal: Principal, sessionId: string): Promise<SessionView> {
    const session = await this.find(principal, sessionId);
    await this.manager.logout(session);
    return this.view((await sessions.findSessionByRowId(this.db, session.id))!);
  }

  async remove(principal: Principal, sessionId: string): Promise<void> {
    await this.manager.remove(await this.find(principal, sessionId));
  }

  async qr(principal: Principal, sessionId: string): Promise<{ qr: string; expiresAt: Date }> {
    const session = await this.find(principal, sessionId);
    const qr = this.manager.qr(session.id);
    if (!qr) {
      const { status } = this.view(session);
      throw conflict(
        status === 'CONNECTED'
          ? 'The session is already connected; there is no QR code to scan'
          : `No QR code is waiting (status ${status}); POST .../connect to get one`,
      );
    }
    return qr;
  }

  async pairingCode(principal: Principal, sessionId: string, phoneNumber: string): Promise<string> {
    const session = await this.find(principal, sessionId);
    const phone = normalizePhoneNumber(phoneNumber);
    if (this.view(session).status === 'CONNECTED') throw conflict('The session is already paired and connected');
    try {
      return await this.manager.requestPairingCode(session, phone);
    } catch (error) {
      if (error instanceof PairingInProgressError)
        throw conflict(`A pairing code for +${error.phone} is waiting to be entered; POST .../disconnect first to pair another number`);
      throw new HttpError(502, `WhatsApp did not give a pairing code: ${(error as Error).message}`);
    }
  }

  /** The row, with the running session's live state over the (rate-limited) stored one. */
  view(session: Session): SessionView {
    const live = this.manager.liveState(session.id);
    return {
      sessionId: session.sessionId,
      name: session.name ?? live?.name ?? null,
      status: live?.status ?? session.status,
      qrCode: live ? live.qrCode : session.qrCode,
      pairingCode: live ? live.pairingCode : session.pairingCode,
      phoneNumber: live?.phoneNumber ?? session.phoneNumber,
      lastSeen: live ? live.lastSeen : session.lastSeen,
      isActive: session.isActive,
      workflowId: session.workflowId,
      metadata: live ? live.metadata : fromJson<Record<string, unknown> | null>(session.metadata),
      userId: session.userId,
      createdAt: session.createdAt,
      updatedAt: session.updatedAt,
    };
  }
}
