import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { baileysApiRequest } from '../../transport';
import { messageIdField, normalizeAddress, sessionPath, toItems } from '../common';
import { toField } from './send';

export const properties: INodeProperties[] = [messageIdField('ID of the stored message to forward'), toField];

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
  const messageId = encodeURIComponent((this.getNodeParameter('messageId', itemIndex) as string).trim());
  const response = await baileysApiRequest.call(this, 'POST', sessionPath.call(this, itemIndex, `/messages/${messageId}/forward`), {
    body: { to: normalizeAddress(this.getNodeParameter('to', itemIndex)) },
    itemIndex,
  });
  return toItems(response as IDataObject, itemIndex);
}
