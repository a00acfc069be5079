import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { sendMessage, sendOptions, toField } from './send';

export const properties: INodeProperties[] = [
  toField,
  {
    displayName: 'Text',
    name: 'text',
    type: 'string',
    default: '',
    required: true,
    typeOptions: { rows: 4 },
    description: 'The message text; WhatsApp formatting such as *bold* and _italic_ works',
  },
  sendOptions([], { mentions: true }),
];

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
  return sendMessage.call(this, itemIndex, 'text', { text: this.getNodeParameter('text', itemIndex) as string });
}
