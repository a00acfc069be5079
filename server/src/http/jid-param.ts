import { Type } from '@sinclair/typebox';
import { isGroupJid, isLidJid, isPhoneJid, normalizeJid, PN_SERVER } from '../whatsapp/jids';
import { badRequest } from './errors';

export const JidOrPhone = Type.String({
  minLength: 3,
  maxLength: 128,
  description: 'A JID (…@s.whatsapp.net, …@lid, …@g.us) or a phone number in international format',
  examples: ['4915123456789@s.whatsapp.net', '+49 151 23456789', '120363025246125888@g.us'],
});

const PHONE = /^\+?[0-9][0-9 ()-]{5,20}$/;

/** A chat or contact address from the API: a user, LID or group JID, or a phone number (→ its JID). */
export function parseJid(input: string): string {
  const value = input.trim();
  if (PHONE.test(value)) {
    const digits = value.replace(/[\s()+-]/g, '');
    if (/^[1-9][0-9]{6,14}$/.test(digits)) return `${digits}@${PN_SERVER}`;
  }
  if (isGroupJid(value) && /^[0-9]+(-[0-9]+)?@g\.us$/.test(value)) return value;
  const normalized = normalizeJid(value);
  if ((isPhoneJid(normalized) && /^[0-9]{5,20}@/.test(normalized)) || (isLidJid(normalized) && /^[0-9]+@/.test(normalized)))
    return normalized;
  throw badRequest(`"${input}" is not a WhatsApp JID or phone number`);
}
