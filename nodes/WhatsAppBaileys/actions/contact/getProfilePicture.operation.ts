import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { baileysApiRequest } from '../../transport';
import { addressParam, sessionPath, toItems } from '../common';
import { contactField } from './get.operation';

export const properties: INodeProperties[] = [
  { ...contactField, description: `${contactField.description}; a group JID works too` },
  {
    displayName: 'Size',
    name: 'size',
    type: 'options',
    default: 'preview',
    options: [
      { name: 'Full Size', value: 'image' },
      { name: 'Preview', value: 'preview' },
    ],
    description: 'Which picture URL to get',
  },
];

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
  const path = sessionPath.call(this, itemIndex, `/contacts/${addressParam.call(this, 'contactId', itemIndex)}/profile-picture`);
  const response = await baileysApiRequest.call(this, 'GET', path, { qs: { type: this.getNodeParameter('size', itemIndex) }, itemIndex });
  return toItems(response as IDataObject, itemIndex);
}
