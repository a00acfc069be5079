import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { messageIdField } from '../common';
import { sendMessage, sendOptions, toField } from './send';

export const properties: INodeProperties[] = [
  { ...toField, displayName: 'Chat', description: 'The chat of the message: phone number, user JID or group JID' },
  messageIdField('ID of the stored message to react to'),
  {
    displayName: 'Emoji',
    name: 'emoji',
    type: 'string',
    default: '',
    placeholder: 'e.g. 👍',
    description: 'One emoji; leave empty to remove your reaction',
  },
  sendOptions([], { quote: false }),
];

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
  return sendMessage.call(this, itemIndex, 'reaction', {
    messageId: (this.getNodeParameter('messageId', itemIndex) as string).trim(),
    emoji: this.getNodeParameter('emoji', itemIndex, '') as string,
  });
}
