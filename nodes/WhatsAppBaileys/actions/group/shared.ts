import type { IDataObject, IExecuteFunctions, IHttpRequestMethods, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { baileysApiRequest } from '../../transport';
import { groupJidOf, listOf, normalizeAddress, sessionPath, toItems } from '../common';

export const participantsField: INodeProperties = {
  displayName: 'Participants',
  name: 'participants',
  type: 'string',
  default: '',
  required: true,
  typeOptions: { rows: 2 },
  placeholder: 'e.g. +49 151 23456789, 4915198765432',
  description: 'Phone numbers in international format or user JIDs, separated by commas or new lines',
};

export const participantsOf = (value: unknown): string[] => listOf(value).map(normalizeAddress);

/** A request on the item's group: `/sessions/:sessionId/groups/:groupJid<suffix>`. */
export async function groupRequest(
  this: IExecuteFunctions,
  itemIndex: number,
  method: IHttpRequestMethods,
  suffix: string,
  request: { body?: IDataObject; qs?: IDataObject } = {},
): Promise<INodeExecutionData[]> {
  const path = sessionPath.call(this, itemIndex, `/groups/${groupJidOf.call(this, itemIndex)}${suffix}`);
  const response = await baileysApiRequest.call(this, method, path, { ...request, itemIndex });
  return toItems(response as IDataObject, itemIndex);
}
