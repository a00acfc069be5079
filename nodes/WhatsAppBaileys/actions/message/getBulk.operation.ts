import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { bulkJobIdField, bulkJobRequest } from './bulkJob';

export const properties: INodeProperties[] = [bulkJobIdField];

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
  return bulkJobRequest.call(this, itemIndex, 'GET');
}
