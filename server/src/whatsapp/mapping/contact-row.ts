import type { Contact } from '@whiskeysockets/baileys';
import { isBroadcastJid, isGroupJid, isLidJid, isPhoneJid, normalizeJid } from '../jids';
import type { MappingContext } from './context';
import { clip, compact } from './values';

export interface ContactMetadata {
  lid?: string;
  verifiedName?: string;
  status?: string;
  username?: string;
  /** WhatsApp said the picture changed but sent no URL. */
  pictureChanged?: boolean;
}

/** A change to one Contact row; absent fields are left as stored. */
export interface ContactPatch {
  jid: string;
  name?: string | null;
  pushName?: string | null;
  profilePicUrl?: string | null;
  isBlocked?: boolean;
  metadata?: ContactMetadata;
}

/** Only people are contacts: groups, broadcast lists and newsletters that Baileys lists among contacts are skipped. */
export function isPersonJid(jid: string): boolean {
  return jid.endsWith('@bot') || isPhoneJid(jid) || isLidJid(jid);
}

/** A Baileys contact or contact update → the change to its Contact row; undefined for non-people. */
export function contactPatchFromContact(contact: Partial<Contact>, ctx: MappingContext): ContactPatch | undefined {
  if (!contact.id) return undefined;
  const raw = normalizeJid(contact.id);
  if (isGroupJid(raw) || isBroadcastJid(raw) || !isPersonJid(raw)) return undefined;
  const phone = isPhoneJid(contact.phoneNumber) ? normalizeJid(contact.phoneNumber) : undefined;
  const jid = phone ?? ctx.lids.preferPhone(raw);
  const lid = isLidJid(contact.lid) ? normalizeJid(contact.lid) : isLidJid(raw) ? raw : ctx.lids.toLid(jid);

  const patch: ContactPatch = { jid };
  if (contact.name !== undefined) patch.name = clip(contact.name) ?? null;
  if (contact.notify !== undefined) patch.pushName = clip(contact.notify) ?? null;
  const picture = contact.imgUrl;
  if (picture === null) patch.profilePicUrl = null;
  else if (typeof picture === 'string' && /^https?:\/\//.test(picture)) patch.profilePicUrl = picture;

  const metadata = compact({
    lid: lid && lid !== jid ? lid : undefined,
    verifiedName: contact.verifiedName || undefined,
    status: contact.status || undefined,
    username: contact.username || undefined,
    pictureChanged: picture === 'changed' ? true : undefined,
  });
  if (Object.keys(metadata).length) patch.metadata = metadata;
  return patch;
}

/** `blocklist.set` / `blocklist.update` → isBlocked changes. */
export function blockPatches(jids: readonly string[], blocked: boolean, ctx: MappingContext): ContactPatch[] {
  return jids
    .map((jid) => ctx.lids.preferPhone(normalizeJid(jid)))
    .filter(isPersonJid)
    .map((jid) => ({ jid, isBlocked: blocked }));
}

/** Folds several changes to the same contact into one, later ones winning. */
export function mergeContactPatches(patches: Iterable<ContactPatch>): ContactPatch[] {
  const byJid = new Map<string, ContactPatch>();
  for (const patch of patches) {
    const before = byJid.get(patch.jid);
    byJid.set(
      patch.jid,
      before
        ? { ...before, ...patch, ...(before.metadata || patch.metadata ? { metadata: { ...before.metadata, ...patch.metadata } } : {}) }
        : patch,
    );
  }
  return [...byJid.values()];
}
