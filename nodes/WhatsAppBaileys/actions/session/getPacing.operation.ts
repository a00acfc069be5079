import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { baileysApiRequest } from '../../transport';
import { sessionPath, toItems } from '../common';

export const properties: INodeProperties[] = [];

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
  const response = await baileysApiRequest.call(this, 'GET', sessionPath.call(this, itemIndex, '/pacing'), { itemIndex });
  return toItems(response as IDataObject, itemIndex);
}
