import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { baileysApiRequest } from '../../transport';
import { sessionPath, toItems } from '../common';
import { participantsField, participantsOf } from './shared';

export const properties: INodeProperties[] = [
  {
    displayName: 'Subject',
    name: 'subject',
    type: 'string',
    default: '',
    required: true,
    placeholder: 'e.g. Weekend plans',
    description: 'The group name, at most 100 characters',
  },
  { ...participantsField, description: `The first members: ${participantsField.description}` },
];

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
  const body = {
    subject: this.getNodeParameter('subject', itemIndex) as string,
    participants: participantsOf(this.getNodeParameter('participants', itemIndex)),
  };
  const response = await baileysApiRequest.call(this, 'POST', sessionPath.call(this, itemIndex, '/groups'), { body, itemIndex });
  return toItems(response as IDataObject, itemIndex);
}
