import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { listOf } from '../common';
import { sendMessage, sendOptions, toField } from './send';

export const properties: INodeProperties[] = [
  toField,
  {
    displayName: 'Question',
    name: 'pollName',
    type: 'string',
    default: '',
    required: true,
    placeholder: 'e.g. Lunch?',
    description: 'The question of the poll',
  },
  {
    displayName: 'Answers',
    name: 'pollOptions',
    type: 'string',
    default: '',
    required: true,
    typeOptions: { rows: 3 },
    placeholder: 'e.g. Pizza, Sushi, Salad',
    description: 'Between 2 and 12 different answers, separated by commas or new lines',
  },
  {
    displayName: 'Answers Per Person',
    name: 'selectableCount',
    type: 'number',
    default: 1,
    typeOptions: { minValue: 0, maxValue: 12 },
    description: 'How many answers one person may pick; 0 allows any number',
  },
  sendOptions(),
];

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
  return sendMessage.call(this, itemIndex, 'poll', {
    name: this.getNodeParameter('pollName', itemIndex) as string,
    options: listOf(this.getNodeParameter('pollOptions', itemIndex)),
    selectableCount: this.getNodeParameter('selectableCount', itemIndex, 1) as number,
  });
}
