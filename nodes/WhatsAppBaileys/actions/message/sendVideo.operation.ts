import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { mediaFields, sendMedia } from './media';

export const properties: INodeProperties[] = mediaFields('video', 'video');

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
  return sendMedia.call(this, itemIndex, 'video');
}
