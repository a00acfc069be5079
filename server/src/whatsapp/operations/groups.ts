import type { BaileysEventMap, GroupMetadata, GroupParticipant } from '@whiskeysockets/baileys';
import { isLidJid, isPhoneJid, normalizeJid } from '../jids';
import type { WASocket } from '../socket-factory';
import { NotOnWhatsApp } from '../whatsapp-errors';

/*
 * What a session does to WhatsApp groups, as Baileys calls, and what each change means as a Baileys event
 * batch (for SessionIngest, so the Group rows follow at once, with the same mapping as live events).
 */

export type ParticipantChange = 'add' | 'remove' | 'promote' | 'demote';
export type GroupRole = 'superadmin' | 'admin' | 'member';
type EventBatch = Partial<BaileysEventMap>;

/** WhatsApp answered that there is no such group. */
export class GroupNotFoundError extends NotOnWhatsApp {
  constructor(readonly groupJid: string) {
    super(`WhatsApp knows no group ${groupJid}`);
  }
}

/** The error code WhatsApp put in its refusal (Baileys carries it as the Boom's `data`). */
export function whatsappCodeOf(error: unknown): number | undefined {
  const data = (error as { isBoom?: boolean; data?: unknown } | null)?.isBoom ? (error as { data?: unknown }).data : undefined;
  return typeof data === 'number' && Number.isFinite(data) ? data : undefined;
}

async function onGroup<T>(groupJid: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (whatsappCodeOf(error) === 404) throw new GroupNotFoundError(groupJid);
    throw error;
  }
}

/** Our own phone-number JID and LID, without device. */
export function ownJids(socket: WASocket): { phone?: string; lid?: string } {
  const user = socket.user;
  return {
    phone: isPhoneJid(user?.id) ? normalizeJid(user.id) : undefined,
    lid: isLidJid(user?.lid) ? normalizeJid(user.lid) : undefined,
  };
}

const isSelf = (participant: GroupParticipant, own: { phone?: string; lid?: string }) =>
  [participant.id, participant.phoneNumber, participant.lid].some(
    (jid) => jid && (normalizeJid(jid) === own.phone || normalizeJid(jid) === own.lid),
  );

/** Our role in the group, or undefined when we are not a participant. */
export function ownRole(socket: WASocket, metadata: GroupMetadata): GroupRole | undefined {
  const own = ownJids(socket);
  const me = metadata.participants.find((participant) => isSelf(participant, own));
  if (!me) return undefined;
  return me.admin === 'superadmin' ? 'superadmin' : me.admin === 'admin' ? 'admin' : 'member';
}

export function fetchGroup(socket: WASocket, groupJid: string): Promise<GroupMetadata> {
  return onGroup(groupJid, () => socket.groupMetadata(groupJid));
}

export async function listParticipatingGroups(socket: WASocket): Promise<GroupMetadata[]> {
  return Object.values(await socket.groupFetchAllParticipating());
}

/** Creates the group; answers with its metadata as WhatsApp lists it afterwards (the create answer also names people it could not add). */
export async function createGroup(socket: WASocket, subject: string, participantJids: string[]): Promise<GroupMetadata> {
  const created = await socket.groupCreate(subject, participantJids);
  try {
    return await socket.groupMetadata(created.id);
  } catch {
    return created;
  }
}

export interface GroupChanges {
  subject?: string;
  /** null or '' removes the description. */
  description?: string | null;
  /** Only admins may send messages. */
  announcement?: boolean;
  /** Only admins may edit the group's info. */
  locked?: boolean;
}

/** The changes that differ from the group as it is, in the order they are sent. */
export function pendingChanges(current: GroupMetadata, changes: GroupChanges): GroupChanges {
  const pending: GroupChanges = {};
  if (changes.subject !== undefined && changes.subject !== current.subject) pending.subject = changes.subject;
  if (changes.description !== undefined && (changes.description || '') !== (current.desc ?? '')) pending.description = changes.description;
  if (changes.announcement !== undefined && changes.announcement !== !!current.announce) pending.announcement = changes.announcement;
  if (changes.locked !== undefined && changes.locked !== !!current.restrict) pending.locked = changes.locked;
  return pending;
}

/** Sends each change; stops at the first WhatsApp refuses. */
export async function updateGroup(socket: WASocket, groupJid: string, changes: GroupChanges): Promise<void> {
  await onGroup(groupJid, async () => {
    if (changes.subject !== undefined) await socket.groupUpdateSubject(groupJid, changes.subject);
    if (changes.description !== undefined) await socket.groupUpdateDescription(groupJid, changes.description || undefined);
    if (changes.announcement !== undefined)
      await socket.groupSettingUpdate(groupJid, changes.announcement ? 'announcement' : 'not_announcement');
    if (changes.locked !== undefined) await socket.groupSettingUpdate(groupJid, changes.locked ? 'locked' : 'unlocked');
  });
}

/** WhatsApp's answer for one participant: status 200 when done, else its error code. */
export interface ParticipantOutcome {
  /** The JID as WhatsApp echoed it. */
  jid: string;
  status: number;
  phoneJid?: string;
  lid?: string;
}

export async function changeParticipants(
  socket: WASocket,
  groupJid: string,
  action: ParticipantChange,
  jids: string[],
): Promise<ParticipantOutcome[]> {
  const answers = await onGroup(groupJid, () => socket.groupParticipantsUpdate(groupJid, jids, action));
  return answers.map(({ jid, status, content }) => {
    const attrs = (content as { attrs?: Record<string, string> } | undefined)?.attrs ?? {};
    const echoed = normalizeJid(jid ?? attrs.jid ?? '');
    const phone = [echoed, attrs.phone_number].find(isPhoneJid);
    const lid = [echoed, attrs.lid].find(isLidJid);
    return {
      jid: echoed,
      status: Number(status) || 500,
      phoneJid: phone ? normalizeJid(phone) : undefined,
      lid: lid ? normalizeJid(lid) : undefined,
    };
  });
}

/** The group's current invite code (admins only). */
export async function inviteCode(socket: WASocket, groupJid: string): Promise<string | undefined> {
  return onGroup(groupJid, () => socket.groupInviteCode(groupJid));
}

/** Replaces the invite code: the old link stops working. Answers the new code. */
export async function revokeInviteCode(socket: WASocket, groupJid: string): Promise<string | undefined> {
  return onGroup(groupJid, () => socket.groupRevokeInvite(groupJid));
}

/** Joins by invite code; answers the group's JID. */
export async function acceptInvite(socket: WASocket, code: string): Promise<string | undefined> {
  const jid = await socket.groupAcceptInvite(code);
  return jid ? normalizeJid(jid) : undefined;
}

export function leaveGroup(socket: WASocket, groupJid: string): Promise<void> {
  return onGroup(groupJid, () => socket.groupLeave(groupJid));
}

/** Groups as WhatsApp listed them, to store. */
export function groupsSeen(groups: GroupMetadata[]): EventBatch {
  return { 'groups.upsert': groups };
}

/** A group's new invite code, to store in its metadata. */
export function inviteCodeSeen(groupJid: string, code: string): EventBatch {
  return { 'groups.update': [{ id: groupJid, inviteCode: code }] };
}

/** Participant changes WhatsApp accepted, with the group as it is now when we could read it. */
export function participantsChanged(
  socket: WASocket,
  groupJid: string,
  action: ParticipantChange,
  done: ParticipantOutcome[],
  now?: GroupMetadata,
): EventBatch {
  const own = ownJids(socket);
  const author = own.lid ?? own.phone ?? '';
  const participants = done.map((outcome) => ({
    id: outcome.lid ?? outcome.phoneJid ?? outcome.jid,
    phoneNumber: outcome.phoneJid,
    lid: outcome.lid,
  }));
  return {
    ...(now ? { 'groups.upsert': [now] } : {}),
    'group-participants.update': { id: groupJid, author, authorPn: own.phone, participants, action },
  };
}

/** We are no longer in the group (we left, or WhatsApp no longer lists us). */
export function leftGroup(socket: WASocket, groupJid: string): EventBatch {
  const own = ownJids(socket);
  const id = own.lid ?? own.phone ?? '';
  return {
    'group-participants.update': {
      id: groupJid,
      author: id,
      authorPn: own.phone,
      participants: [{ id, phoneNumber: own.phone, lid: own.lid }],
      action: 'remove',
    },
  };
}
