import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { baileysApiRequest, type BinaryResponse } from '../../transport';
import { sessionPath } from '../common';

export const properties: INodeProperties[] = [
  {
    displayName: 'Add Image',
    name: 'image',
    type: 'boolean',
    default: false,
    description: 'Whether to add the QR code as a PNG image (binary data) to scan from the screen',
  },
  {
    displayName: 'Put Output File in Field',
    name: 'binaryPropertyName',
    type: 'string',
    default: 'data',
    required: true,
    hint: 'The name of the output binary field to put the PNG in',
    displayOptions: { show: { image: [true] } },
  },
];

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
  const path = sessionPath.call(this, itemIndex, '/qr');
  const json = (await baileysApiRequest.call(this, 'GET', path, { itemIndex })) as IDataObject;
  const item: INodeExecutionData = { json, pairedItem: { item: itemIndex } };
  if (this.getNodeParameter('image', itemIndex, false)) {
    const png = (await baileysApiRequest.call(this, 'GET', path, {
      binary: true,
      headers: { accept: 'image/png' },
      itemIndex,
    })) as BinaryResponse;
    const property = this.getNodeParameter('binaryPropertyName', itemIndex) as string;
    item.binary = { [property]: await this.helpers.prepareBinaryData(png.body, 'whatsapp-qr.png', 'image/png') };
  }
  return [item];
}
