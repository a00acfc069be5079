import type { INodeListSearchResult, INodeProperties } from 'n8n-workflow';
import { baileysApiRequest, type BaileysContext } from './transport';

interface SessionView {
  sessionId: string;
  name: string | null;
  status: string;
  phoneNumber: string | null;
}

/** listSearch: the caller's sessions (`GET /sessions`), filtered by id, name, status or phone number. */
export async function searchSessions(this: BaileysContext, filter?: string, paginationToken?: string): Promise<INodeListSearchResult> {
  const page = (await baileysApiRequest.call(this, 'GET', '/sessions', {
    qs: { limit: 100, ...(paginationToken ? { cursor: paginationToken } : {}) },
  })) as { data: SessionView[]; nextCursor: string | null };
  const needle = filter?.trim().toLowerCase();
  const results = page.data
    .map((session) => ({
      name: `${session.name ? `${session.name} (${session.sessionId})` : session.sessionId} · ${session.status}${
        session.phoneNumber ? ` · +${session.phoneNumber}` : ''
      }`,
      value: session.sessionId,
    }))
    .filter((entry) => !needle || entry.name.toLowerCase().includes(needle));
  return { results, paginationToken: page.nextCursor ?? undefined };
}

/** The WhatsApp session a node works with: picked from a searchable list, or typed as its id. */
export const sessionLocator: INodeProperties = {
  displayName: 'Session',
  name: 'sessionId',
  type: 'resourceLocator',
  default: { mode: 'list', value: '' },
  required: true,
  description: 'The WhatsApp session (linked phone) to use',
  modes: [
    {
      displayName: 'From List',
      name: 'list',
      type: 'list',
      placeholder: 'Select a session...',
      typeOptions: { searchListMethod: 'searchSessions', searchable: true },
    },
    {
      displayName: 'ID',
      name: 'id',
      type: 'string',
      placeholder: 'e.g. sales-team',
      validation: [
        {
          type: 'regex',
          properties: { regex: '^[A-Za-z0-9_-]{1,100}$', errorMessage: 'A session ID has only letters, digits, - and _' },
        },
      ],
    },
  ],
};
