import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { baileysApiRequest } from '../../transport';
import { addressField, normalizeAddress, sessionPath, toItems } from '../common';

export const properties: INodeProperties[] = [
  {
    displayName: 'State',
    name: 'state',
    type: 'options',
    default: 'composing',
    description: 'What to show',
    options: [
      { name: 'Offline', value: 'unavailable', description: 'Show the account as offline' },
      { name: 'Online', value: 'available', description: 'Show the account as online to everyone subscribed' },
      { name: 'Paused', value: 'paused', description: 'Stop showing typing or recording in the chat' },
      { name: 'Recording', value: 'recording', description: 'Show "recording audio…" in the chat' },
      { name: 'Typing', value: 'composing', description: 'Show "typing…" in the chat' },
    ],
  },
  {
    ...addressField('to', 'Chat', 'The chat that sees the typing, recording or paused state: phone number, user JID or group JID'),
    displayOptions: { show: { state: ['composing', 'recording', 'paused'] } },
  },
];

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
  const state = this.getNodeParameter('state', itemIndex) as string;
  const body: IDataObject = { state };
  if (state !== 'available' && state !== 'unavailable') body.to = normalizeAddress(this.getNodeParameter('to', itemIndex));
  const response = await baileysApiRequest.call(this, 'POST', sessionPath.call(this, itemIndex, '/presence'), { body, itemIndex });
  return toItems(response as IDataObject, itemIndex);
}
