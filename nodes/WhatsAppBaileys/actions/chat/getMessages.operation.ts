import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { baileysApiRequestAllItems } from '../../transport';
import { addressParam, limitOf, paginationFields, sessionPath, toItems } from '../common';
import { chatField } from './shared';

export const properties: INodeProperties[] = [chatField, ...paginationFields];

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
  const path = sessionPath.call(this, itemIndex, `/chats/${addressParam.call(this, 'chatId', itemIndex)}/messages`);
  return toItems(await baileysApiRequestAllItems.call(this, path, {}, limitOf.call(this, itemIndex), itemIndex), itemIndex);
}
