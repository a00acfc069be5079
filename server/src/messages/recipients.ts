import { LRUCache } from 'lru-cache';
import { HttpError } from '../http/errors';
import { parseJid } from '../http/jid-param';
import { isPhoneJid, normalizeJid, phoneNumberOf } from '../whatsapp/jids';
import { whatsAppJidOf } from '../whatsapp/operations/messages';
import type { WASocket } from '../whatsapp/socket-factory';

/** The JID a message goes to, from a phone number, user JID, LID or group JID; 400 when it is none of them. */
export const parseRecipient = (to: string): string => parseJid(to);

const CONFIRMED_TTL_MS = 10 * 60_000;
const CONFIRMED_PER_SOCKET = 10_000;

/** Numbers a socket found on WhatsApp lately: a conversation's replies ask WhatsApp once, not once per message. */
const confirmed = new WeakMap<WASocket, LRUCache<string, string>>();

/** Phone-number recipients must have WhatsApp: 422 otherwise. LIDs and groups are taken as they are. */
export async function confirmOnWhatsApp(socket: WASocket, jid: string): Promise<string> {
  if (!isPhoneJid(jid)) return jid;
  const digits = phoneNumberOf(jid)!;
  let known = confirmed.get(socket);
  const cached = known?.get(digits);
  if (cached) return cached;
  const found = await whatsAppJidOf(socket, digits);
  if (!found) throw new HttpError(422, `+${digits} is not on WhatsApp; check the number (international format, country code first)`);
  if (!known) confirmed.set(socket, (known = new LRUCache({ max: CONFIRMED_PER_SOCKET, ttl: CONFIRMED_TTL_MS })));
  known.set(digits, normalizeJid(found));
  return normalizeJid(found);
}
