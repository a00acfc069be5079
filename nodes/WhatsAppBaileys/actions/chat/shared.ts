import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { baileysApiRequest } from '../../transport';
import { addressField, addressParam, sessionPath, toItems } from '../common';

export const chatField = addressField('chatId', 'Chat', 'The chat: phone number in international format, user JID or group JID');

/** POST /sessions/:sessionId/chats/:jid/<action>: a chat setting, answered with the chat as stored after it. */
export async function chatAction(
  this: IExecuteFunctions,
  itemIndex: number,
  action: string,
  body: IDataObject = {},
): Promise<INodeExecutionData[]> {
  const path = sessionPath.call(this, itemIndex, `/chats/${addressParam.call(this, 'chatId', itemIndex)}/${action}`);
  return toItems((await baileysApiRequest.call(this, 'POST', path, { body, itemIndex })) as IDataObject, itemIndex);
}
