import { jidDecode } from '@whiskeysockets/baileys';

export const PN_SERVER = 's.whatsapp.net';
export const LID_SERVER = 'lid';
export const GROUP_SERVER = 'g.us';
/** the server's own jid, as Baileys writes it (S_WHATSAPP_NET) */
export const SERVER_JID = '@s.whatsapp.net';

export type Addressing = 'pn' | 'lid';

/** Digits of a phone number given as "+1 555…", "1555…" or "1555…@s.whatsapp.net". */
export function normalizePhone(input: string): string {
  const user = input.includes('@') ? (jidDecode(input)?.user ?? '') : input;
  return user.replace(/[^0-9]/g, '');
}

export function userJid(user: string, addressing: Addressing): string {
  return `${user}@${addressing === 'lid' ? LID_SERVER : PN_SERVER}`;
}

export function deviceJid(user: string, addressing: Addressing, device: number): string {
  return device ? `${user}:${device}@${addressing === 'lid' ? LID_SERVER : PN_SERVER}` : userJid(user, addressing);
}

export function addressingOf(jid: string | undefined): Addressing {
  return jid?.endsWith('@lid') ? 'lid' : 'pn';
}

export function isGroupJid(jid: string | undefined): boolean {
  return !!jid?.endsWith('@g.us');
}

export function isUserJid(jid: string | undefined): boolean {
  return !!jid && (jid.endsWith('@s.whatsapp.net') || jid.endsWith('@lid'));
}

export interface ParsedUserJid {
  user: string;
  device: number;
  addressing: Addressing;
}

export function parseUserJid(jid: string | undefined): ParsedUserJid | undefined {
  if (!isUserJid(jid)) return undefined;
  const decoded = jidDecode(jid);
  if (!decoded?.user) return undefined;
  return { user: decoded.user, device: decoded.device ?? 0, addressing: addressingOf(jid) };
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
