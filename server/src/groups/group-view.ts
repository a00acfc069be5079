import type { Session } from '../db/database';
import type { SessionService } from '../sessions/session-service';
import { isLidJid, isPhoneJid, normalizeJid, PN_SERVER } from '../whatsapp/jids';
import type { GroupRecord } from '../whatsapp/store/records';

export type GroupView = GroupRecord & { isMember: boolean | null };

/** The JIDs this session is known by: its phone number and, once connected, its LID. */
export function ownJidsOf(sessions: SessionService, session: Session): Set<string> {
  const view = sessions.view(session);
  const me = (view.metadata?.me ?? {}) as { id?: unknown; lid?: unknown };
  const jids = new Set<string>();
  if (view.phoneNumber) jids.add(`${view.phoneNumber}@${PN_SERVER}`);
  for (const jid of [me.id, me.lid]) {
    if (typeof jid === 'string' && (isPhoneJid(jid) || isLidJid(jid))) jids.add(normalizeJid(jid));
  }
  return jids;
}

/** A stored group as the API shows it, with whether the session is still in it. */
export function groupView(record: GroupRecord, own: Set<string>): GroupView {
  const participants = record.participants;
  const isMember =
    participants && own.size
      ? participants.some((entry) => [entry.jid, entry.phoneJid, entry.lid].some((jid) => jid !== undefined && own.has(jid)))
      : null;
  return { ...record, isMember };
}
