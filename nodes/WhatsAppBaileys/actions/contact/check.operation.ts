import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';
import { baileysApiRequest } from '../../transport';
import { listOf, normalizeAddress, sessionPath, toItems } from '../common';

export const properties: INodeProperties[] = [
  {
    displayName: 'Phone Numbers',
    name: 'numbers',
    type: 'string',
    default: '',
    required: true,
    typeOptions: { rows: 2 },
    placeholder: 'e.g. +49 151 23456789, +1 555 010 0000',
    description: 'Up to 500 phone numbers in international format, separated by commas or new lines; one output item per number',
  },
];

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
  const numbers = listOf(this.getNodeParameter('numbers', itemIndex)).map(normalizeAddress);
  if (numbers.length === 0) throw new NodeOperationError(this.getNode(), 'Give at least one phone number', { itemIndex });
  const response = (await baileysApiRequest.call(this, 'POST', sessionPath.call(this, itemIndex, '/contacts/check'), {
    body: { numbers },
    itemIndex,
  })) as { results: IDataObject[] };
  return toItems(response.results, itemIndex);
}
