import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { baileysApiRequest, type BinaryResponse } from '../../transport';
import { messageIdField, sessionPath } from '../common';

export const properties: INodeProperties[] = [
  messageIdField('ID of a stored message (received or sent) with an image, video, audio, document or sticker'),
  {
    displayName: 'Put Output File in Field',
    name: 'binaryPropertyName',
    type: 'string',
    default: 'data',
    required: true,
    hint: 'The name of the output binary field to put the file in',
  },
];

const header = (headers: BinaryResponse['headers'], name: string): string | undefined => {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/** The file name of a Content-Disposition header (RFC 6266: filename* wins over filename). */
export function fileNameOf(disposition: string | undefined): string | undefined {
  if (!disposition) return undefined;
  const extended = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(disposition);
  if (extended) {
    try {
      return decodeURIComponent(extended[1]!.trim());
    } catch {
      // fall back to the plain file name
    }
  }
  return /filename\s*=\s*"?([^";]+)"?/i.exec(disposition)?.[1]?.trim();
}

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
  const messageId = (this.getNodeParameter('messageId', itemIndex) as string).trim();
  const property = this.getNodeParameter('binaryPropertyName', itemIndex) as string;
  const response = (await baileysApiRequest.call(
    this,
    'GET',
    sessionPath.call(this, itemIndex, `/messages/${encodeURIComponent(messageId)}/media`),
    {
      binary: true,
      itemIndex,
    },
  )) as BinaryResponse;
  const mimeType = (header(response.headers, 'content-type') ?? 'application/octet-stream').split(';')[0]!.trim();
  const fileName = fileNameOf(header(response.headers, 'content-disposition'));
  const binary = await this.helpers.prepareBinaryData(response.body, fileName, mimeType);
  return [
    {
      json: { messageId, mimeType, fileName: binary.fileName ?? null, fileSize: response.body.length },
      binary: { [property]: binary },
      pairedItem: { item: itemIndex },
    },
  ];
}
