import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { chatAction, chatField } from './shared';

export const properties: INodeProperties[] = [chatField];

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
  return chatAction.call(this, itemIndex, 'unmute');
}
