import { jidDecode, jidEncode } from '@whiskeysockets/baileys';

/*
 * WhatsApp addresses people two ways: by phone number (`<number>@s.whatsapp.net`, "PN") and by an
 * opaque LID (`<id>@lid`). Baileys 7 hands over whichever the server used; the gateway stores phone
 * numbers wherever the mapping is known and keeps the LID beside it.
 */

export const PN_SERVER = 's.whatsapp.net';
export const STATUS_BROADCAST = 'status@broadcast';

/** The user part of a JID without device or agent, `@c.us` spelled `@s.whatsapp.net`; hosted ids fold onto their plain server. */
export function normalizeJid(jid: string): string;
export function normalizeJid(jid: string | null | undefined): string | undefined;
export function normalizeJid(jid: string | null | undefined): string | undefined {
  if (!jid) return jid ?? undefined;
  const decoded = jidDecode(jid);
  if (!decoded) return jid;
  const server =
    decoded.server === 'c.us' || decoded.server === 'hosted' ? PN_SERVER : decoded.server === 'hosted.lid' ? 'lid' : decoded.server;
  return jidEncode(decoded.user, server);
}

export const isPhoneJid = (jid: string | null | undefined): jid is string =>
  !!jid && (jid.endsWith(`@${PN_SERVER}`) || jid.endsWith('@c.us'));
export const isLidJid = (jid: string | null | undefined): jid is string => !!jid && (jid.endsWith('@lid') || jid.endsWith('@hosted.lid'));
export const isGroupJid = (jid: string | null | undefined): jid is string => !!jid && jid.endsWith('@g.us');
export const isStatusBroadcast = (jid: string | null | undefined): boolean => jid === STATUS_BROADCAST;
/** Broadcast lists and the status feed. */
export const isBroadcastJid = (jid: string | null | undefined): jid is string => !!jid && jid.endsWith('@broadcast');

/** The digits of a phone-number JID, without device or agent; undefined for anything else. */
export function phoneNumberOf(jid: string | null | undefined): string | undefined {
  return isPhoneJid(jid) ? jidDecode(jid)?.user : undefined;
}

export interface LidPair {
  lid: string;
  pn: string;
}

/** Turns any user JID into its phone-number JID, when the mapping is known. The session manager implements it over Baileys' LID store. */
export interface JidResolver {
  toPhoneJid(jid: string): string | undefined;
}

/**
 * LID ↔ phone number mappings learned from events (envelope alt fields, history sync, `lid-mapping.update`,
 * contacts and group participants), asking an optional outside resolver for what it has not seen.
 */
export class LidMap implements JidResolver {
  private readonly pnByLid = new Map<string, string>();
  private readonly lidByPn = new Map<string, string>();

  constructor(private readonly fallback?: JidResolver) {}

  get size(): number {
    return this.pnByLid.size;
  }

  /** Records a pair given in either order; ignores anything that is not one LID and one phone JID. Returns the pair when it was new. */
  learn(a: string | null | undefined, b: string | null | undefined): LidPair | undefined {
    const lid = isLidJid(a) ? a : isLidJid(b) ? b : undefined;
    const pn = isPhoneJid(a) ? a : isPhoneJid(b) ? b : undefined;
    if (!lid || !pn) return undefined;
    const lidUser = normalizeJid(lid);
    const pnUser = normalizeJid(pn);
    if (this.pnByLid.get(lidUser) === pnUser) return undefined;
    this.pnByLid.set(lidUser, pnUser);
    this.lidByPn.set(pnUser, lidUser);
    return { lid: lidUser, pn: pnUser };
  }

  /** The phone JID of a user JID: itself when it already is one, the mapped number for a LID, undefined when unknown. */
  toPhoneJid(jid: string): string | undefined {
    const user = normalizeJid(jid);
    if (isPhoneJid(user)) return user;
    if (!isLidJid(user)) return undefined;
    const known = this.pnByLid.get(user);
    if (known) return known;
    const resolved = this.fallback?.toPhoneJid(user);
    const phone = resolved ? normalizeJid(resolved) : undefined;
    if (isPhoneJid(phone)) {
      this.learn(user, phone);
      return phone;
    }
    return undefined;
  }

  /** The LID of a phone JID, when it was seen. */
  toLid(jid: string): string | undefined {
    const user = normalizeJid(jid);
    return isLidJid(user) ? user : this.lidByPn.get(user);
  }

  /** The JID to store for a user: the phone JID when known, otherwise the normalized JID as given. */
  preferPhone(jid: string): string;
  preferPhone(jid: string | null | undefined): string | undefined;
  preferPhone(jid: string | null | undefined): string | undefined {
    if (!jid) return undefined;
    return this.toPhoneJid(jid) ?? normalizeJid(jid);
  }
}
