import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { chatAction, chatField } from './shared';

export const properties: INodeProperties[] = [
  chatField,
  {
    displayName: 'Duration',
    name: 'duration',
    type: 'options',
    default: 28800,
    description: 'How long to mute the chat',
    options: [
      { name: '8 Hours', value: 28800 },
      { name: '1 Week', value: 604800 },
      { name: 'Until Unmuted', value: 0 },
    ],
  },
];

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
  const duration = this.getNodeParameter('duration', itemIndex, 0) as number;
  return chatAction.call(this, itemIndex, 'mute', duration > 0 ? { duration } : {});
}
