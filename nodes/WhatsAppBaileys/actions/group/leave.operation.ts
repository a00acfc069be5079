import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { groupLocator } from '../common';
import { groupRequest } from './shared';

export const properties: INodeProperties[] = [groupLocator];

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
  return groupRequest.call(this, itemIndex, 'POST', '/leave');
}
