import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { baileysApiRequest } from '../../transport';
import { messageIdField, sessionPath, toItems } from '../common';

export const properties: INodeProperties[] = [
  messageIdField('ID of the message to delete for everyone: one this session sent, or anyone’s in a group it administers'),
];

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
  const messageId = encodeURIComponent((this.getNodeParameter('messageId', itemIndex) as string).trim());
  const response = await baileysApiRequest.call(this, 'DELETE', sessionPath.call(this, itemIndex, `/messages/${messageId}`), { itemIndex });
  return toItems(response as IDataObject, itemIndex);
}
