import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { groupLocator } from '../common';
import { groupRequest, participantsField, participantsOf } from './shared';

export const properties: INodeProperties[] = [groupLocator, participantsField];

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
  const participants = participantsOf(this.getNodeParameter('participants', itemIndex));
  return groupRequest.call(this, itemIndex, 'POST', '/participants', { body: { action: 'demote', participants } });
}
