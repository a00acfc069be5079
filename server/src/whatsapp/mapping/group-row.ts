import type { GroupMetadata, GroupParticipant, ParticipantAction } from '@whiskeysockets/baileys';
import { isLidJid, isPhoneJid, normalizeJid } from '../jids';
import type { MappingContext } from './context';
import { clip, compact, isoFromSeconds } from './values';

export type ParticipantRole = 'member' | 'admin' | 'superadmin';

/** One entry of Group.participants. `jid` is the phone JID when known, else the LID. */
export interface GroupParticipantEntry {
  jid: string;
  phoneJid?: string;
  lid?: string;
  role: ParticipantRole;
}

export interface GroupSettings {
  announce?: boolean;
  restrict?: boolean;
  memberAddMode?: boolean;
  joinApprovalMode?: boolean;
  ephemeralDuration?: number;
}

export interface GroupExtra {
  creation?: string;
  size?: number;
  ownerLid?: string;
  subjectOwner?: string;
  subjectTime?: string;
  descId?: string;
  descOwner?: string;
  descTime?: string;
  addressingMode?: string;
  linkedParent?: string;
  isCommunity?: boolean;
  isCommunityAnnounce?: boolean;
  inviteCode?: string;
  /** Who made the last change reported with the metadata. */
  author?: string;
}

/** A change to one Group row; absent fields are left as stored, settings and metadata are merged key by key. */
export interface GroupPatch {
  jid: string;
  subject?: string | null;
  description?: string | null;
  owner?: string | null;
  participants?: GroupParticipantEntry[];
  settings?: GroupSettings;
  metadata?: GroupExtra;
}

function roleOf(participant: GroupParticipant): ParticipantRole {
  if (participant.admin === 'superadmin' || participant.isSuperAdmin) return 'superadmin';
  if (participant.admin === 'admin' || participant.isAdmin) return 'admin';
  return 'member';
}

/** A Baileys participant → our entry, with both identities when known. */
export function participantEntry(
  participant: Partial<GroupParticipant> & { id: string },
  ctx: MappingContext,
  role?: ParticipantRole,
): GroupParticipantEntry {
  const id = normalizeJid(participant.id);
  const phone = isPhoneJid(participant.phoneNumber) ? normalizeJid(participant.phoneNumber) : ctx.lids.toPhoneJid(id);
  const lid = isLidJid(participant.lid) ? normalizeJid(participant.lid) : isLidJid(id) ? id : phone ? ctx.lids.toLid(phone) : undefined;
  return compact({
    jid: phone ?? id,
    phoneJid: phone,
    lid,
    role: role ?? roleOf(participant as GroupParticipant),
  }) as GroupParticipantEntry;
}

/** The author of a change as a phone JID when known. */
function personJid(jid: string | undefined, pn: string | undefined, ctx: MappingContext): string | undefined {
  if (isPhoneJid(pn)) return normalizeJid(pn);
  return jid ? ctx.lids.preferPhone(jid) : undefined;
}

/** GroupMetadata (whole, from `groups.upsert`) or a partial update (`groups.update`) → the change to its Group row. */
export function groupPatchFromMetadata(group: Partial<GroupMetadata>, ctx: MappingContext): GroupPatch | undefined {
  if (!group.id) return undefined;
  const patch: GroupPatch = { jid: normalizeJid(group.id) };
  if (group.subject !== undefined) patch.subject = clip(group.subject) ?? null;
  if ('desc' in group) patch.description = group.desc || null;
  const owner = personJid(group.owner, group.ownerPn, ctx);
  if (owner) patch.owner = owner;
  if (group.participants) patch.participants = group.participants.map((p) => participantEntry(p, ctx));

  const settings = compact({
    announce: group.announce,
    restrict: group.restrict,
    memberAddMode: group.memberAddMode,
    joinApprovalMode: group.joinApprovalMode,
    ephemeralDuration: group.ephemeralDuration,
  });
  if (Object.keys(settings).length) patch.settings = settings;

  const metadata = compact({
    creation: isoFromSeconds(group.creation),
    size: group.size ?? group.participants?.length,
    ownerLid: isLidJid(group.owner) ? normalizeJid(group.owner) : undefined,
    subjectOwner: personJid(group.subjectOwner, group.subjectOwnerPn, ctx),
    subjectTime: isoFromSeconds(group.subjectTime),
    descId: group.descId,
    descOwner: personJid(group.descOwner, group.descOwnerPn, ctx),
    descTime: isoFromSeconds(group.descTime),
    addressingMode: group.addressingMode,
    linkedParent: group.linkedParent,
    isCommunity: group.isCommunity,
    isCommunityAnnounce: group.isCommunityAnnounce,
    inviteCode: group.inviteCode,
    author: personJid(group.author, group.authorPn, ctx),
  });
  if (Object.keys(metadata).length) patch.metadata = metadata;
  return patch;
}

const sameParticipant = (a: GroupParticipantEntry, b: GroupParticipantEntry) =>
  [a.jid, a.phoneJid, a.lid].some((id) => id !== undefined && (id === b.jid || id === b.phoneJid || id === b.lid));

/** `group-participants.update` applied to the stored participant list. */
export function applyParticipantAction(
  current: readonly GroupParticipantEntry[],
  action: ParticipantAction,
  changed: readonly GroupParticipantEntry[],
): GroupParticipantEntry[] {
  const find = (entry: GroupParticipantEntry) => current.find((existing) => sameParticipant(existing, entry));
  switch (action) {
    case 'add': {
      const kept = current.filter((existing) => !changed.some((entry) => sameParticipant(existing, entry)));
      return [...kept, ...changed.map((entry) => ({ ...entry, role: find(entry)?.role ?? entry.role }))];
    }
    case 'remove':
      return current.filter((existing) => !changed.some((entry) => sameParticipant(existing, entry)));
    case 'promote':
    case 'demote': {
      const role: ParticipantRole = action === 'promote' ? 'admin' : 'member';
      return current.map((existing) => (changed.some((entry) => sameParticipant(existing, entry)) ? { ...existing, role } : existing));
    }
    case 'modify':
      return current.map((existing) => {
        const update = changed.find((entry) => sameParticipant(existing, entry));
        return update ? (compact({ ...existing, ...compact(update), role: existing.role }) as GroupParticipantEntry) : existing;
      });
    default:
      return [...current];
  }
}

/** Folds several changes to the same group into one, later ones winning. */
export function mergeGroupPatches(patches: Iterable<GroupPatch>): Map<string, GroupPatch> {
  const byJid = new Map<string, GroupPatch>();
  for (const patch of patches) {
    const before = byJid.get(patch.jid);
    if (!before) {
      byJid.set(patch.jid, patch);
      continue;
    }
    const merged: GroupPatch = { ...before, ...patch };
    if (before.settings || patch.settings) merged.settings = { ...before.settings, ...patch.settings };
    if (before.metadata || patch.metadata) merged.metadata = { ...before.metadata, ...patch.metadata };
    byJid.set(patch.jid, merged);
  }
  return byJid;
}
