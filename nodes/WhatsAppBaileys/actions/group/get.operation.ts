import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { groupLocator } from '../common';
import { groupRequest } from './shared';

export const properties: INodeProperties[] = [
  groupLocator,
  {
    displayName: 'From Storage',
    name: 'cached',
    type: 'boolean',
    default: false,
    description: 'Whether to answer from the gateway’s stored copy instead of asking WhatsApp (works while disconnected)',
  },
];

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
  const cached = this.getNodeParameter('cached', itemIndex, false) as boolean;
  return groupRequest.call(this, itemIndex, 'GET', '', { qs: cached ? { cached: true } : {} });
}
