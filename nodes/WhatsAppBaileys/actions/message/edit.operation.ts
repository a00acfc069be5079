import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { baileysApiRequest } from '../../transport';
import { messageIdField, sessionPath, toItems } from '../common';

export const properties: INodeProperties[] = [
  messageIdField('ID of a text message this session sent (WhatsApp allows edits within 15 minutes)'),
  {
    displayName: 'Text',
    name: 'text',
    type: 'string',
    default: '',
    required: true,
    typeOptions: { rows: 4 },
    description: 'The new text',
  },
];

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
  const messageId = encodeURIComponent((this.getNodeParameter('messageId', itemIndex) as string).trim());
  const response = await baileysApiRequest.call(this, 'POST', sessionPath.call(this, itemIndex, `/messages/${messageId}/edit`), {
    body: { text: this.getNodeParameter('text', itemIndex) as string },
    itemIndex,
  });
  return toItems(response as IDataObject, itemIndex);
}
