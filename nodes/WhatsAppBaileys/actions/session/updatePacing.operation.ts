import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';
import { baileysApiRequest } from '../../transport';
import { sessionPath, toItems } from '../common';

export const properties: INodeProperties[] = [
  {
    displayName: 'Pacing',
    name: 'pacing',
    type: 'collection',
    placeholder: 'Add Setting',
    default: {},
    description: 'The settings to change; the others stay as they are',
    options: [
      {
        displayName: 'Daily Cap',
        name: 'dailyCap',
        type: 'number',
        typeOptions: { minValue: 0 },
        default: 0,
        description: 'Paced messages per UTC day; 0 for no cap',
      },
      {
        displayName: 'Jitter (Ms)',
        name: 'jitterMs',
        type: 'number',
        typeOptions: { minValue: 0 },
        default: 3000,
        description: 'Up to this much random extra wait between two paced messages',
      },
      {
        displayName: 'Messages Per Minute',
        name: 'messagesPerMinute',
        type: 'number',
        typeOptions: { minValue: 1 },
        default: 20,
        description: 'At most this many paced messages a minute',
      },
      {
        displayName: 'Pace Single Sends',
        name: 'paceSingleSends',
        type: 'boolean',
        default: false,
        description: 'Whether single sends are paced too (they are then answered at once as queued); bulk sends are always paced',
      },
      {
        displayName: 'Typing (Ms)',
        name: 'typingMs',
        type: 'number',
        typeOptions: { minValue: 0 },
        default: 1500,
        description: 'How long "typing…" shows before a paced text; 0 for none',
      },
    ],
  },
];

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
  const body = this.getNodeParameter('pacing', itemIndex, {}) as IDataObject;
  if (Object.keys(body).length === 0)
    throw new NodeOperationError(this.getNode(), 'Add at least one pacing setting to change', { itemIndex });
  const response = await baileysApiRequest.call(this, 'PUT', sessionPath.call(this, itemIndex, '/pacing'), { body, itemIndex });
  return toItems(response as IDataObject, itemIndex);
}
