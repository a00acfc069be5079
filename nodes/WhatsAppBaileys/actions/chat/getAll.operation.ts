import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { baileysApiRequestAllItems } from '../../transport';
import { limitOf, paginationFields, sessionPath, toItems } from '../common';

export const properties: INodeProperties[] = [...paginationFields];

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
  const path = sessionPath.call(this, itemIndex, '/chats');
  return toItems(await baileysApiRequestAllItems.call(this, path, {}, limitOf.call(this, itemIndex), itemIndex), itemIndex);
}
