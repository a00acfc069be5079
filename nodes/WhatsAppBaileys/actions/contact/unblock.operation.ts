import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { baileysApiRequest } from '../../transport';
import { addressParam, sessionPath, toItems } from '../common';
import { contactField } from './get.operation';

export const properties: INodeProperties[] = [contactField];

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
  const path = sessionPath.call(this, itemIndex, `/contacts/${addressParam.call(this, 'contactId', itemIndex)}/unblock`);
  return toItems((await baileysApiRequest.call(this, 'POST', path, { itemIndex })) as IDataObject, itemIndex);
}
