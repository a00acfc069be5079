import { HttpError } from '../http/errors';
import { parseJid } from '../http/jid-param';
import { isPhoneJid, normalizeJid, phoneNumberOf } from '../whatsapp/jids';
import { whatsAppJidOf } from '../whatsapp/operations/messages';
import type { WASocket } from '../whatsapp/socket-factory';

/** The JID a message goes to, from a phone number, user JID, LID or group JID; 400 when it is none of them. */
export const parseRecipient = (to: string): string => parseJid(to);

/** Phone-number recipients must have WhatsApp: 422 otherwise. LIDs and groups are taken as they are. */
export async function confirmOnWhatsApp(socket: WASocket, jid: string): Promise<string> {
  if (!isPhoneJid(jid)) return jid;
  const digits = phoneNumberOf(jid)!;
  const found = await whatsAppJidOf(socket, digits);
  if (!found) throw new HttpError(422, `+${digits} is not on WhatsApp; check the number (international format, country code first)`);
  return normalizeJid(found);
}
