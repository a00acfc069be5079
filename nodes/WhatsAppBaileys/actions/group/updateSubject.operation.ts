import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { groupLocator } from '../common';
import { groupRequest } from './shared';

export const properties: INodeProperties[] = [
  groupLocator,
  {
    displayName: 'Subject',
    name: 'subject',
    type: 'string',
    default: '',
    required: true,
    description: 'The new group name, at most 100 characters',
  },
];

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
  return groupRequest.call(this, itemIndex, 'PATCH', '', { body: { subject: this.getNodeParameter('subject', itemIndex) as string } });
}
