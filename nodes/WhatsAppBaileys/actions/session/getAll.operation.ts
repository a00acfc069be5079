import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { baileysApiRequestAllItems } from '../../transport';
import { limitOf, paginationFields, toItems } from '../common';

export const properties: INodeProperties[] = [...paginationFields];

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
  return toItems(await baileysApiRequestAllItems.call(this, '/sessions', {}, limitOf.call(this, itemIndex), itemIndex), itemIndex);
}
