import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { baileysApiRequestAllItems } from '../../transport';
import { limitOf, paginationFields, sessionPath, toItems } from '../common';

export const properties: INodeProperties[] = [
  ...paginationFields,
  {
    displayName: 'Refresh From WhatsApp',
    name: 'refresh',
    type: 'boolean',
    default: false,
    description: 'Whether to fetch the group list from WhatsApp first; otherwise the stored groups are listed',
  },
];

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
  const refresh = this.getNodeParameter('refresh', itemIndex, false) as boolean;
  const groups = await baileysApiRequestAllItems.call(
    this,
    sessionPath.call(this, itemIndex, '/groups'),
    refresh ? { refresh: true } : {},
    limitOf.call(this, itemIndex),
    itemIndex,
  );
  return toItems(groups, itemIndex);
}
