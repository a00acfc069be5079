import type { IDataObject, IDisplayOptions, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

/** The session the item works with, as a URL path below /api/v1: `/sessions/<id><suffix>`. */
export function sessionPath(this: IExecuteFunctions, itemIndex: number, suffix = ''): string {
  const sessionId = this.getNodeParameter('sessionId', itemIndex, '', { extractValue: true }) as string;
  return `/sessions/${encodeURIComponent(sessionId.trim())}${suffix}`;
}

/**
 * A phone number as people type it (`+49 151 2345-6789`, `0049 (0)151 …`, `+1 (555) 010-0000`)
 * becomes its digits, country code first, which the gateway accepts as a recipient. JIDs
 * (`…@s.whatsapp.net`, `…@lid`, `…@g.us`) and anything else pass through trimmed, so the
 * gateway's own check answers with a clear message.
 */
export function normalizeAddress(input: unknown): string {
  const value = String(input ?? '').trim();
  if (value.includes('@')) return value;
  const withoutTrunkZero = value.replace(/^(\+|00)(\d{1,3})\s*\(0\)/, '$1$2');
  const compact = withoutTrunkZero.replace(/[\s().\-/]/g, '');
  const digits = compact.replace(/^(\+|00)/, '');
  return /^[0-9]{6,20}$/.test(digits) ? digits : value;
}

/** A list given as an array, or as text separated by commas, semicolons or new lines. */
export function listOf(input: unknown): string[] {
  const values = Array.isArray(input) ? input : String(input ?? '').split(/[\n,;]/);
  return values.map((value) => String(value).trim()).filter((value) => value.length > 0);
}

/** Answers as output items, every one paired with the input item. */
export function toItems(data: IDataObject | IDataObject[] | undefined | null, itemIndex: number): INodeExecutionData[] {
  const list = Array.isArray(data) ? data : [data ?? { success: true }];
  return list.map((json) => ({ json, pairedItem: { item: itemIndex } }));
}

/** Adds `show: {resource, operation}` to every property (n8n's updateDisplayOptions, typed for our use). */
export function forOperation(resource: string, operation: string, properties: INodeProperties[]): INodeProperties[] {
  const show: IDisplayOptions = { show: { resource: [resource], operation: [operation] } };
  return properties.map((property) => ({
    ...property,
    displayOptions: { ...property.displayOptions, show: { ...property.displayOptions?.show, ...show.show } },
  }));
}

/** "Return All" and "Limit", for operations that read a paginated list. */
export const paginationFields: INodeProperties[] = [
  {
    displayName: 'Return All',
    name: 'returnAll',
    type: 'boolean',
    default: false,
    description: 'Whether to return all results or only up to a given limit',
  },
  {
    displayName: 'Limit',
    name: 'limit',
    type: 'number',
    typeOptions: { minValue: 1 },
    default: 50,
    description: 'Max number of results to return',
    displayOptions: { show: { returnAll: [false] } },
  },
];

/** The limit the pagination fields ask for: undefined means everything. */
export function limitOf(this: IExecuteFunctions, itemIndex: number): number | undefined {
  return this.getNodeParameter('returnAll', itemIndex, false) ? undefined : (this.getNodeParameter('limit', itemIndex, 50) as number);
}

/** A chat, contact or recipient address: phone number or JID. */
export function addressField(name: string, displayName: string, description: string, required = true): INodeProperties {
  return {
    displayName,
    name,
    type: 'string',
    default: '',
    required,
    placeholder: 'e.g. +49 151 23456789',
    description,
  };
}

/** A stored message, by its WhatsApp message ID. */
export function messageIdField(description: string): INodeProperties {
  return {
    displayName: 'Message ID',
    name: 'messageId',
    type: 'string',
    default: '',
    required: true,
    placeholder: 'e.g. 3EB0C431C26A1916E07E',
    description,
  };
}

/** The group to work with: picked from the session's groups, or typed as its JID. */
export const groupLocator: INodeProperties = {
  displayName: 'Group',
  name: 'groupJid',
  type: 'resourceLocator',
  default: { mode: 'list', value: '' },
  required: true,
  description: 'The WhatsApp group',
  modes: [
    {
      displayName: 'From List',
      name: 'list',
      type: 'list',
      placeholder: 'Select a group...',
      typeOptions: { searchListMethod: 'searchGroups', searchable: true },
    },
    {
      displayName: 'JID',
      name: 'id',
      type: 'string',
      placeholder: 'e.g. 120363025246125888@g.us',
      validation: [
        {
          type: 'regex',
          properties: {
            regex: '^[0-9]{5,40}(-[0-9]{5,20})?(@g\\.us)?$',
            errorMessage: 'A group JID looks like 120363025246125888@g.us',
          },
        },
      ],
    },
  ],
};

/** The group of the item, as a URL path segment. */
export function groupJidOf(this: IExecuteFunctions, itemIndex: number): string {
  return encodeURIComponent((this.getNodeParameter('groupJid', itemIndex, '', { extractValue: true }) as string).trim());
}

/** A chat or contact from a text field, normalised and ready for a URL path. */
export function addressParam(this: IExecuteFunctions, name: string, itemIndex: number): string {
  return encodeURIComponent(normalizeAddress(this.getNodeParameter(name, itemIndex)));
}
