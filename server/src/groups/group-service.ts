import type { Principal } from '../auth/principal';
import type { Db, Session } from '../db/database';
import { badRequest, HttpError, notFound } from '../http/errors';
import { parseJid } from '../http/jid-param';
import type { SessionService } from '../sessions/session-service';
import { isGroupJid, normalizeJid } from '../whatsapp/jids';
import * as groups from '../whatsapp/operations/groups';
import type { SessionIngest } from '../whatsapp/session-ingest';
import type { WASocket } from '../whatsapp/socket-factory';
import { findGroup, listGroups, type Page } from '../whatsapp/store/read-queries';
import { groupView, ownJidsOf, type GroupView } from './group-view';
import type { CreateGroupBody, ParticipantsBody, UpdateGroupBody } from './group-schemas';
import { participantError } from './participant-errors';
import { sessionIdentity } from '../whatsapp/session-identity';

type Batch = Parameters<SessionIngest['apply']>[1];

export interface ParticipantResult {
  jid: string;
  status: number;
  error?: string;
}

export const inviteUrl = (code: string) => `https://chat.whatsapp.com/${code}`;

/** `120363…` or `120363…@g.us` (the route schema checked the digits). */
export const toGroupJid = (param: string) => (param.endsWith('@g.us') ? param : `${param}@g.us`);

/** Every participant as a user JID; all the bad ones are reported together, before anything is sent. */
export function parseParticipants(inputs: readonly string[]): string[] {
  const jids: string[] = [];
  const problems: { index: number; value: string; message: string }[] = [];
  inputs.forEach((value, index) => {
    try {
      const jid = parseJid(value);
      if (isGroupJid(jid)) throw badRequest(`"${value}" is a group, not a person`);
      jids.push(jid);
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      problems.push({ index, value, message: error.message });
    }
  });
  if (problems.length) {
    const summary = `${problems.length} participants are not phone numbers or user JIDs: ${problems.map((p) => `"${p.value}"`).join(', ')}`;
    throw badRequest(problems.length === 1 ? problems[0]!.message : summary, problems);
  }
  return [...new Set(jids)];
}

/** Parses an invite code or a chat.whatsapp.com link into the code. */
export function parseInviteCode(input: string): string {
  const code = input
    .trim()
    .replace(/^(https?:\/\/)?chat\.whatsapp\.com\/(invite\/)?/i, '')
    .replace(/[?#].*$/, '')
    .replace(/\/+$/, '');
  if (!/^[A-Za-z0-9_-]{6,64}$/.test(code)) throw badRequest(`"${input}" is not a WhatsApp group invite code or link`);
  return code;
}

/**
 * Groups on WhatsApp for the REST API. Every change is made on WhatsApp first; what WhatsApp then reports is
 * stored through SessionIngest (the same mapping, transaction and events as live notifications).
 */
export class GroupService {
  constructor(
    private readonly db: Db,
    private readonly sessions: SessionService,
    private readonly ingest: SessionIngest,
  ) {}

  /** Stored groups; with `refresh`, WhatsApp's list of the groups we are in is stored first. */
  async list(
    principal: Principal,
    sessionId: string,
    query: { limit: number; cursor?: string; refresh: boolean },
  ): Promise<Page<GroupView>> {
    const session = query.refresh
      ? await this.sessions.withSocket(principal, sessionId, async (socket, session) => {
          await this.refreshAll(socket, session);
          return session;
        })
      : await this.sessions.find(principal, sessionId);
    const page = await listGroups(this.db, session.id, query);
    const own = ownJidsOf(this.sessions, session);
    return { data: page.data.map((record) => groupView(record, own)), nextCursor: page.nextCursor };
  }

  /** The group as WhatsApp describes it now (stored as such), or as stored with `cached`. */
  async get(principal: Principal, sessionId: string, groupJid: string, cached: boolean): Promise<GroupView> {
    if (cached) {
      const session = await this.sessions.find(principal, sessionId);
      const stored = await this.stored(session, groupJid);
      if (!stored) throw notFound(`Group ${groupJid} is not stored for this session`);
      return stored;
    }
    return this.sessions.withSocket(principal, sessionId, async (socket, session) => {
      await this.store(socket, session, groups.groupsSeen([await groups.fetchGroup(socket, groupJid)]));
      return (await this.stored(session, groupJid))!;
    });
  }

  async create(principal: Principal, sessionId: string, body: CreateGroupBody): Promise<GroupView> {
    const participants = parseParticipants(body.participants);
    return this.sessions.withSocket(principal, sessionId, async (socket, session) => {
      const own = ownJidsOf(this.sessions, session);
      const others = participants.filter((jid) => !own.has(jid));
      if (others.length === 0) throw badRequest('Add at least one participant besides this session');
      const metadata = await groups.createGroup(socket, body.subject, others);
      await this.store(socket, session, groups.groupsSeen([metadata]));
      return (await this.stored(session, normalizeJid(metadata.id)))!;
    });
  }

  /**
   * Changes subject, description and settings. Our rights are checked against the group as it is before
   * anything is sent, so a change we may not make is refused as a whole.
   */
  async update(principal: Principal, sessionId: string, groupJid: string, body: UpdateGroupBody): Promise<GroupView> {
    return this.sessions.withSocket(principal, sessionId, async (socket, session) => {
      const current = await groups.fetchGroup(socket, groupJid);
      const role = groups.ownRole(socket, current);
      if (!role) throw new HttpError(422, 'This session is not a participant of the group');
      const pending = groups.pendingChanges(current, body);
      const infoChange = pending.subject !== undefined || pending.description !== undefined;
      const settingsChange = pending.announcement !== undefined || pending.locked !== undefined;
      if (role === 'member' && (settingsChange || (infoChange && current.restrict))) {
        throw new HttpError(
          422,
          settingsChange ? 'Only group admins can change its settings' : 'Only group admins can edit this group’s info (it is locked)',
        );
      }
      if (Object.keys(pending).length === 0) {
        await this.store(socket, session, groups.groupsSeen([current]));
        return (await this.stored(session, groupJid))!;
      }
      try {
        await groups.updateGroup(socket, groupJid, pending);
      } finally {
        // Whatever WhatsApp accepted before a refusal is stored too.
        const now = await groups.fetchGroup(socket, groupJid).catch(() => undefined);
        if (now) await this.store(socket, session, groups.groupsSeen([now]));
      }
      return (await this.stored(session, groupJid))!;
    });
  }

  async changeParticipants(principal: Principal, sessionId: string, groupJid: string, body: ParticipantsBody) {
    const jids = parseParticipants(body.participants);
    return this.sessions.withSocket(principal, sessionId, async (socket, session) => {
      const outcomes = await groups.changeParticipants(socket, groupJid, body.action, jids);
      const results: ParticipantResult[] = jids.map((jid) => {
        const outcome = outcomes.find((candidate) => candidate.jid === jid || candidate.phoneJid === jid || candidate.lid === jid);
        const status = outcome?.status ?? 500;
        return status === 200
          ? { jid, status }
          : { jid, status, error: outcome ? participantError(body.action, status) : 'WhatsApp did not answer for this participant' };
      });
      const done = outcomes.filter((outcome) => outcome.status === 200);
      if (done.length) {
        const now = await groups.fetchGroup(socket, groupJid).catch(() => undefined);
        await this.store(socket, session, groups.participantsChanged(socket, groupJid, body.action, done, now));
      }
      return { results, group: (await this.stored(session, groupJid)) ?? null };
    });
  }

  /** The invite code (a new one with `revoke`, which stops the old link); stored in the group's metadata. */
  async inviteCode(principal: Principal, sessionId: string, groupJid: string, revoke: boolean): Promise<{ code: string; url: string }> {
    return this.sessions.withSocket(principal, sessionId, async (socket, session) => {
      const code = revoke ? await groups.revokeInviteCode(socket, groupJid) : await groups.inviteCode(socket, groupJid);
      if (!code) throw new HttpError(502, 'WhatsApp answered without an invite code');
      const known = await findGroup(this.db, session.id, groupJid);
      const batch = known
        ? groups.inviteCodeSeen(groupJid, code)
        : groups.groupsSeen([{ ...(await groups.fetchGroup(socket, groupJid)), inviteCode: code }]);
      await this.store(socket, session, batch);
      return { code, url: inviteUrl(code) };
    });
  }

  async join(principal: Principal, sessionId: string, input: string): Promise<{ groupJid: string; group: GroupView | null }> {
    const code = parseInviteCode(input);
    return this.sessions.withSocket(principal, sessionId, async (socket, session) => {
      const groupJid = await groups.acceptInvite(socket, code);
      if (!groupJid) throw new HttpError(502, 'WhatsApp accepted the invite but did not say which group it is');
      const metadata = await groups.fetchGroup(socket, groupJid).catch(() => undefined);
      if (metadata) await this.store(socket, session, groups.groupsSeen([metadata]));
      return { groupJid, group: (await this.stored(session, groupJid)) ?? null };
    });
  }

  /** Leaves the group. Its row stays (with its chat and messages), without us among the participants. */
  async leave(principal: Principal, sessionId: string, groupJid: string): Promise<{ groupJid: string; group: GroupView | null }> {
    return this.sessions.withSocket(principal, sessionId, async (socket, session) => {
      await groups.leaveGroup(socket, groupJid);
      // A participant change for a group that is not stored would create a row holding nothing but the JID.
      if (await findGroup(this.db, session.id, groupJid)) await this.store(socket, session, groups.leftGroup(socket, groupJid));
      return { groupJid, group: (await this.stored(session, groupJid)) ?? null };
    });
  }

  /** Stores every group WhatsApp lists; stored groups it no longer lists lose us from their participants. */
  private async refreshAll(socket: WASocket, session: Session): Promise<void> {
    const listed = await groups.listParticipatingGroups(socket);
    if (listed.length) await this.store(socket, session, groups.groupsSeen(listed));
    const current = new Set(listed.map((group) => normalizeJid(group.id)));
    const own = ownJidsOf(this.sessions, session);
    let cursor: string | undefined;
    do {
      const page = await listGroups(this.db, session.id, { limit: 200, cursor });
      for (const record of page.data) {
        if (!current.has(record.jid) && groupView(record, own).isMember)
          await this.store(socket, session, groups.leftGroup(socket, record.jid));
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }

  private async store(socket: WASocket, session: Session, batch: Batch): Promise<void> {
    await this.ingest.apply(sessionIdentity(session), batch, socket);
  }

  private async stored(session: Session, groupJid: string): Promise<GroupView | undefined> {
    const record = await findGroup(this.db, session.id, groupJid);
    return record ? groupView(record, ownJidsOf(this.sessions, session)) : undefined;
  }
}
