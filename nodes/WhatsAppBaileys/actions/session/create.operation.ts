import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { baileysApiRequest } from '../../transport';
import { normalizeAddress, toItems } from '../common';

export const properties: INodeProperties[] = [
  {
    displayName: 'Session ID',
    name: 'newSessionId',
    type: 'string',
    default: '',
    required: true,
    placeholder: 'e.g. sales-team',
    description: 'Your name for the new session: letters, digits, - and _',
  },
  {
    displayName: 'Options',
    name: 'options',
    type: 'collection',
    placeholder: 'Add Option',
    default: {},
    options: [
      {
        displayName: 'Link to This Workflow',
        name: 'linkWorkflow',
        type: 'boolean',
        default: false,
        description: 'Whether the session’s events go to this workflow’s WhatsApp (Baileys) Trigger',
      },
      { displayName: 'Name', name: 'name', type: 'string', default: '', description: 'A display name for the session' },
      {
        displayName: 'Pair With Phone Number',
        name: 'phoneNumber',
        type: 'string',
        default: '',
        placeholder: 'e.g. +49 151 23456789',
        description: 'Link by pairing code instead of QR code: the number of the phone to link, in international format',
      },
    ],
  },
];

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
  const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
  const body: IDataObject = { sessionId: (this.getNodeParameter('newSessionId', itemIndex) as string).trim() };
  if (options.name) body.name = options.name;
  if (options.phoneNumber) body.phoneNumber = normalizeAddress(options.phoneNumber);
  if (options.linkWorkflow) body.workflowId = this.getWorkflow().id;
  return toItems((await baileysApiRequest.call(this, 'POST', '/sessions', { body, itemIndex })) as IDataObject, itemIndex);
}
