import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { baileysApiRequest } from '../../transport';
import { addressField, addressParam, sessionPath, toItems } from '../common';

export const contactField = addressField(
  'contactId',
  'Contact',
  'Phone number in international format or user JID (…@s.whatsapp.net or …@lid)',
);

export const properties: INodeProperties[] = [contactField];

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
  const path = sessionPath.call(this, itemIndex, `/contacts/${addressParam.call(this, 'contactId', itemIndex)}`);
  return toItems((await baileysApiRequest.call(this, 'GET', path, { itemIndex })) as IDataObject, itemIndex);
}
