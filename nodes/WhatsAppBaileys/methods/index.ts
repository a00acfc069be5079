import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';
import { searchSessions } from '../../shared/sessions';
import { baileysApiRequest } from '../transport';

interface GroupView {
  jid: string;
  subject: string | null;
  isMember: boolean | null;
}

/** listSearch: the groups of the session chosen in the node (stored groups the session is in). */
async function searchGroups(this: ILoadOptionsFunctions, filter?: string, paginationToken?: string): Promise<INodeListSearchResult> {
  const sessionId = this.getCurrentNodeParameter('sessionId', { extractValue: true }) as string | undefined;
  if (!sessionId) return { results: [] };
  const page = (await baileysApiRequest.call(this, 'GET', `/sessions/${encodeURIComponent(sessionId)}/groups`, {
    qs: { limit: 200, ...(paginationToken ? { cursor: paginationToken } : {}) },
  })) as { data: GroupView[]; nextCursor: string | null };
  const needle = filter?.trim().toLowerCase();
  const results = page.data
    .filter((group) => group.isMember !== false)
    .filter((group) => !needle || group.jid.includes(needle) || group.subject?.toLowerCase().includes(needle))
    .map((group) => ({ name: group.subject ? `${group.subject} (${group.jid})` : group.jid, value: group.jid }));
  return { results, paginationToken: page.nextCursor ?? undefined };
}

export const listSearch = { searchSessions, searchGroups };
