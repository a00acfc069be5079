import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { groupLocator } from '../common';
import { groupRequest } from './shared';

export const properties: INodeProperties[] = [
  groupLocator,
  {
    displayName: 'Description',
    name: 'description',
    type: 'string',
    default: '',
    typeOptions: { rows: 3 },
    description: 'The new group description, at most 2048 characters; empty removes it',
  },
];

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
  const description = this.getNodeParameter('description', itemIndex, '') as string;
  return groupRequest.call(this, itemIndex, 'PATCH', '', { body: { description: description === '' ? null : description } });
}
