import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';
import { sendMessage, sendOptions, toField } from './send';

export const properties: INodeProperties[] = [
  toField,
  {
    displayName: 'Contacts',
    name: 'contacts',
    type: 'fixedCollection',
    typeOptions: { multipleValues: true },
    default: {},
    required: true,
    placeholder: 'Add Contact',
    description: 'The contact cards to send (one vCard each)',
    options: [
      {
        displayName: 'Contact',
        name: 'contact',
        values: [
          { displayName: 'Name', name: 'name', type: 'string', default: '', required: true, description: 'Full name on the card' },
          {
            displayName: 'Phone Number',
            name: 'phone',
            type: 'string',
            default: '',
            required: true,
            placeholder: 'e.g. +49 151 23456789',
            description: 'Phone number in international format',
          },
        ],
      },
    ],
  },
  sendOptions(),
];

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
  const { contact = [] } = this.getNodeParameter('contacts', itemIndex, {}) as { contact?: Array<{ name: string; phone: string }> };
  if (contact.length === 0) throw new NodeOperationError(this.getNode(), 'Add at least one contact', { itemIndex });
  const contacts = contact.map(({ name, phone }) => ({ name: name.trim(), phone: phone.trim() }));
  return sendMessage.call(this, itemIndex, 'contact', { contacts });
}
