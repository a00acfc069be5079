import { api, seg, type Page } from './api';
import { usePoll } from './hooks';
import { jidLabel } from './ui';

interface Contact {
  jid: string;
  name: string | null;
  pushName: string | null;
}

/**
 * Labels people by the names the session knows (the address book's, else the one they chose), with
 * their number: one-to-one chats carry no name of their own. Refreshed every 10 s.
 */
export function useContactNames(sessionId: string): (jid: string) => string {
  const contacts = usePoll(() => api<Page<Contact>>('GET', seg`/sessions/${sessionId}/contacts` + '?limit=200'), 10_000, [sessionId]);
  const names = new Map((contacts.data?.data ?? []).map((contact) => [contact.jid, contact.name ?? contact.pushName]));
  return (jid) => {
    const name = names.get(jid);
    return name ? `${name} (${jidLabel(jid)})` : jidLabel(jid);
  };
}
