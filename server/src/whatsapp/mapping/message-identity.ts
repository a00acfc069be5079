import { isGroupJid, normalizeJid } from '../jids';
import type { GroupParticipantEntry } from './group-row';

/*
 * WhatsApp message ids are unique per sender, not per account: anyone can send a message, an edit or a
 * receipt that names an id another chat already holds. A message is therefore the same one only when
 * its chat, direction and sender agree too, and only its author (or, for a revoke, a group admin) may
 * change what it says.
 */

/** Where a message sits. The LIDs kept beside phone JIDs name the same chat and sender. */
export interface MessagePlace {
  chatId: string;
  fromMe: boolean;
  fromJid: string | null;
  metadata?: { chatLid?: string; senderLid?: string; broadcast?: string } | null;
}

/** Who made a change: this account, or the sender WhatsApp names. */
export interface MessageActor {
  fromMe: boolean;
  jid?: string;
}

/** The stored form of a JID (its phone JID when the mapping is known). */
export type JidForm = (jid: string) => string;

const asGiven: JidForm = (jid) => normalizeJid(jid);

function names(form: JidForm, ...jids: (string | null | undefined)[]): Set<string> {
  return new Set(jids.filter((jid): jid is string => !!jid).map(form));
}

const overlap = (a: Set<string>, b: Set<string>) => [...a].some((name) => b.has(name));

const chatNames = (place: MessagePlace, form: JidForm) => names(form, place.chatId, place.metadata?.chatLid, place.metadata?.broadcast);
const senderNames = (place: MessagePlace, form: JidForm) => names(form, place.fromJid, place.metadata?.senderLid);

export function inChat(place: MessagePlace, chatId: string, form: JidForm = asGiven): boolean {
  return overlap(chatNames(place, form), names(form, chatId));
}

/** Whether two messages with one id are the same message. A sender not known on either side does not tell them apart. */
export function samePlace(stored: MessagePlace, other: MessagePlace, form: JidForm = asGiven): boolean {
  if (stored.fromMe !== other.fromMe || !overlap(chatNames(stored, form), chatNames(other, form))) return false;
  if (stored.fromMe || !stored.fromJid || !other.fromJid) return true;
  return overlap(senderNames(stored, form), senderNames(other, form));
}

/** Whether the actor wrote the message. Strict: an unknown sender on either side is nobody's. */
export function isAuthor(stored: MessagePlace, actor: MessageActor, form: JidForm = asGiven): boolean {
  if (stored.fromMe || actor.fromMe) return stored.fromMe && actor.fromMe;
  return !!actor.jid && overlap(senderNames(stored, form), names(form, actor.jid));
}

/** Whether the actor may revoke the message: its author, or in a group an admin (by the stored participant list). */
export function mayRevoke(
  stored: MessagePlace,
  actor: MessageActor,
  participants: readonly GroupParticipantEntry[] | null | undefined,
  me: string | undefined,
  form: JidForm = asGiven,
): boolean {
  if (isAuthor(stored, actor, form)) return true;
  const jid = actor.fromMe ? me : actor.jid;
  if (!isGroupJid(stored.chatId) || !jid || !participants) return false;
  const actorNames = names(form, jid);
  return participants.some((entry) => entry.role !== 'member' && overlap(names(form, entry.jid, entry.phoneJid, entry.lid), actorNames));
}
