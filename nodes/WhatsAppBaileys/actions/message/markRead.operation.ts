import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { baileysApiRequest } from '../../transport';
import { addressField, addressParam, listOf, sessionPath, toItems } from '../common';

export const properties: INodeProperties[] = [
  addressField('chatId', 'Chat', 'The chat to mark read: phone number, user JID or group JID'),
  {
    displayName: 'Message IDs',
    name: 'messageIds',
    type: 'string',
    default: '',
    placeholder: 'e.g. 3EB0C431C26A1916E07E, 3EB0C431C26A1916E07F',
    description: 'Only these received messages, separated by commas; leave empty to mark every unread message of the chat',
  },
];

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
  const messageIds = listOf(this.getNodeParameter('messageIds', itemIndex, ''));
  const response = await baileysApiRequest.call(
    this,
    'POST',
    sessionPath.call(this, itemIndex, `/chats/${addressParam.call(this, 'chatId', itemIndex)}/read`),
    { body: messageIds.length ? { messageIds } : {}, itemIndex },
  );
  return toItems(response as IDataObject, itemIndex);
}
