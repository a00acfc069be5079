import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { baileysApiRequest } from '../../transport';
import { normalizeAddress, sessionPath, toItems } from '../common';

export const properties: INodeProperties[] = [
  {
    displayName: 'Phone Number',
    name: 'phoneNumber',
    type: 'string',
    default: '',
    required: true,
    placeholder: 'e.g. +49 151 23456789',
    description: 'The number of the phone to link, in international format',
  },
];

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
  const phoneNumber = normalizeAddress(this.getNodeParameter('phoneNumber', itemIndex));
  const response = await baileysApiRequest.call(this, 'POST', sessionPath.call(this, itemIndex, '/pairing-code'), {
    body: { phoneNumber },
    itemIndex,
  });
  return toItems(response as IDataObject, itemIndex);
}
