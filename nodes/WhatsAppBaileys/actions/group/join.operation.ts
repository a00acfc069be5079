import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { baileysApiRequest } from '../../transport';
import { sessionPath, toItems } from '../common';

export const properties: INodeProperties[] = [
  {
    displayName: 'Invite Code or Link',
    name: 'code',
    type: 'string',
    default: '',
    required: true,
    placeholder: 'e.g. https://chat.whatsapp.com/F3kx9PqLmN2aB7cD8eF9gH',
    description: 'The invite code, or the whole invite link',
  },
];

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
  const code = (this.getNodeParameter('code', itemIndex) as string).trim();
  const response = await baileysApiRequest.call(this, 'POST', sessionPath.call(this, itemIndex, '/groups/join'), {
    body: { code },
    itemIndex,
  });
  return toItems(response as IDataObject, itemIndex);
}
