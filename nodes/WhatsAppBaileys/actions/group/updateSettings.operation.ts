import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';
import { groupLocator } from '../common';
import { groupRequest } from './shared';

export const properties: INodeProperties[] = [
  groupLocator,
  {
    displayName: 'Settings',
    name: 'settings',
    type: 'collection',
    placeholder: 'Add Setting',
    default: {},
    options: [
      {
        displayName: 'Only Admins Edit Info',
        name: 'locked',
        type: 'boolean',
        default: false,
        description: 'Whether only admins can change the subject, description and picture',
      },
      {
        displayName: 'Only Admins Send Messages',
        name: 'announcement',
        type: 'boolean',
        default: false,
        description: 'Whether only admins can send messages (an announcement group)',
      },
    ],
  },
];

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
  const settings = this.getNodeParameter('settings', itemIndex, {}) as IDataObject;
  const body: IDataObject = {};
  if (typeof settings.announcement === 'boolean') body.announcement = settings.announcement;
  if (typeof settings.locked === 'boolean') body.locked = settings.locked;
  if (Object.keys(body).length === 0) throw new NodeOperationError(this.getNode(), 'Add at least one setting to change', { itemIndex });
  return groupRequest.call(this, itemIndex, 'PATCH', '', { body });
}
