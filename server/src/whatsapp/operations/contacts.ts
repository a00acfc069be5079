import { USyncQuery, USyncUser } from '@whiskeysockets/baileys';
import type { BaileysEventMap, WABusinessProfile } from '@whiskeysockets/baileys';
import { isLidJid, isPhoneJid, normalizeJid } from '../jids';
import type { WASocket } from '../socket-factory';
import { whatsappCodeOf } from './groups';
import { NotOnWhatsApp } from '../whatsapp-errors';

/*
 * What a session asks WhatsApp about people (existence, about text, business profile, picture) and the
 * block list, plus what the answers mean as Baileys event batches for SessionIngest.
 */

type EventBatch = Partial<BaileysEventMap>;

/** WhatsApp has no account for this person. */
export class NotOnWhatsAppError extends NotOnWhatsApp {
  constructor(readonly jid: string) {
    super(`${jid} is not on WhatsApp`);
  }
}

export interface NumberCheck {
  /** Digits, as asked. */
  phone: string;
  exists: boolean;
  /** The account's phone-number JID, when it exists. */
  jid?: string;
  lid?: string;
}

/** Which phone numbers (digits, country code first) have a WhatsApp account: one usync query for all of them. */
export async function checkNumbers(socket: WASocket, phones: string[]): Promise<NumberCheck[]> {
  if (phones.length === 0) return [];
  const query = new USyncQuery().withContactProtocol().withLIDProtocol();
  for (const phone of phones) query.withUser(new USyncUser().withPhone(`+${phone}`));
  const answer = await socket.executeUSyncQuery(query);
  const list = (answer?.list ?? []) as { id: string; contact?: boolean; lid?: string }[];
  const byDigits = new Map(list.map((entry) => [normalizeJid(entry.id).split('@')[0], entry]));
  return phones.map((phone, index) => {
    // WhatsApp may answer with the number as it registered it (e.g. a national prefix added); the list keeps the order asked.
    const entry = byDigits.get(phone) ?? (list.length === phones.length ? list[index] : undefined);
    if (!entry?.contact || !isPhoneJid(entry.id)) return { phone, exists: false };
    return { phone, exists: true, jid: normalizeJid(entry.id), ...(isLidJid(entry.lid) ? { lid: normalizeJid(entry.lid) } : {}) };
  });
}

/** The phone-number JID of a LID, when WhatsApp tells it; undefined otherwise. */
export async function phoneJidOfLid(socket: WASocket, lid: string): Promise<string | undefined> {
  const pn = await socket.signalRepository.lidMapping.getPNForLID(lid);
  return pn ? normalizeJid(pn) : undefined;
}

export interface About {
  text: string;
  setAt?: Date;
}

/** The person's "about" text; undefined when it is hidden or unset. */
export async function fetchAbout(socket: WASocket, jid: string): Promise<About | undefined> {
  const [entry] = ((await socket.fetchStatus(jid)) ?? []) as { status?: { status?: string | null; setAt?: Date } }[];
  const text = entry?.status?.status;
  if (!text) return undefined;
  const setAt = entry.status?.setAt;
  return { text, ...(setAt && setAt.getTime() > 0 ? { setAt } : {}) };
}

/** The business profile of a business account; undefined for everyone else. */
export async function fetchBusinessProfile(socket: WASocket, jid: string): Promise<WABusinessProfile | undefined> {
  return (await socket.getBusinessProfile(jid)) ?? undefined;
}

/** Not found, hidden by privacy settings: WhatsApp's ways of saying there is no picture to show. */
const NO_PICTURE = new Set([401, 403, 404]);

/** The URL of the person's profile picture (`preview` is small); undefined when there is none or it is hidden. */
export async function fetchProfilePicture(socket: WASocket, jid: string, type: 'image' | 'preview'): Promise<string | undefined> {
  try {
    return (await socket.profilePictureUrl(jid, type)) ?? undefined;
  } catch (error) {
    if (NO_PICTURE.has(whatsappCodeOf(error) ?? 0)) return undefined;
    throw error;
  }
}

/** Blocks or unblocks; WhatsApp addresses its block list by LID, so a phone number must resolve to one. */
export async function setBlocked(socket: WASocket, jid: string, blocked: boolean): Promise<void> {
  if (isPhoneJid(jid)) {
    const lid = await socket.signalRepository.lidMapping.getLIDForPN(jid);
    if (!lid) throw new NotOnWhatsAppError(jid);
  } else if (blocked && !(await phoneJidOfLid(socket, jid))) {
    throw new NotOnWhatsAppError(jid);
  }
  await socket.updateBlockStatus(jid, blocked ? 'block' : 'unblock');
}

export interface ContactFacts {
  /** Phone-number JID (or the LID when the number is unknown). */
  jid: string;
  lid?: string;
  /** undefined: not asked; null: none. */
  pictureUrl?: string | null;
  about?: string;
}

/** What WhatsApp told us about a person, as a contact update. */
export function contactSeen(facts: ContactFacts): EventBatch {
  return {
    'contacts.update': [
      {
        id: facts.jid,
        ...(facts.lid ? { lid: facts.lid } : {}),
        ...(facts.pictureUrl !== undefined ? { imgUrl: facts.pictureUrl } : {}),
        ...(facts.about ? { status: facts.about } : {}),
      },
    ],
  };
}

export function blockChanged(jid: string, blocked: boolean): EventBatch {
  return { 'blocklist.update': { blocklist: [jid], type: blocked ? 'add' : 'remove' } };
}
