import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { sendMessage, sendOptions, toField } from './send';

export type MediaType = 'image' | 'video' | 'audio' | 'document' | 'sticker';

const captionField: INodeProperties = {
  displayName: 'Caption',
  name: 'caption',
  type: 'string',
  default: '',
  typeOptions: { rows: 2 },
  description: 'Text shown under the media',
};

const mimetypeOption: INodeProperties = {
  displayName: 'MIME Type',
  name: 'mimetype',
  type: 'string',
  default: '',
  placeholder: 'e.g. image/jpeg',
  description: 'Overrides the type taken from the binary data, the URL response or the bytes',
};

/** Where the file comes from (a binary property or a URL) plus the fields of this media type. */
export function mediaFields(type: MediaType, label: string): INodeProperties[] {
  const fields: INodeProperties[] = [
    toField,
    {
      displayName: 'Input Data Type',
      name: 'mediaSource',
      type: 'options',
      default: 'binary',
      description: `Where the ${label} comes from`,
      options: [
        {
          name: 'Binary File',
          value: 'binary',
          description: 'A binary property of the input item, e.g. from an HTTP Request or Read File node',
        },
        { name: 'URL', value: 'url', description: 'A public http(s) URL that the gateway downloads' },
      ],
    },
    {
      displayName: 'Input Binary Field',
      name: 'binaryPropertyName',
      type: 'string',
      default: 'data',
      required: true,
      hint: 'The name of the input binary field containing the file to be sent',
      displayOptions: { show: { mediaSource: ['binary'] } },
    },
    {
      displayName: 'URL',
      name: 'mediaUrl',
      type: 'string',
      default: '',
      required: true,
      placeholder: 'e.g. https://example.com/photo.jpg',
      description: `Public http(s) URL of the ${label}; the gateway downloads it`,
      displayOptions: { show: { mediaSource: ['url'] } },
    },
  ];
  if (type === 'image' || type === 'video' || type === 'document') fields.push(captionField);
  if (type === 'document') {
    fields.push({
      displayName: 'File Name',
      name: 'fileName',
      type: 'string',
      default: '',
      placeholder: 'e.g. invoice-2024-001.pdf',
      description: 'Shown to the recipient; taken from the binary data or the URL when empty',
    });
  }
  if (type === 'audio') {
    fields.push({
      displayName: 'Voice Note',
      name: 'ptt',
      type: 'boolean',
      default: false,
      description: 'Whether to send the audio as a voice note (push-to-talk, best as OGG/Opus) instead of an audio file',
    });
  }
  const mentions = type === 'image' || type === 'video' || type === 'document';
  fields.push(sendOptions([mimetypeOption], { mentions }));
  return fields;
}

/** Sends the media message of `type`, reading the file from the item's binary data or passing the URL. */
export async function sendMedia(this: IExecuteFunctions, itemIndex: number, type: MediaType): Promise<INodeExecutionData[]> {
  const fields: IDataObject = {};
  if (this.getNodeParameter('mediaSource', itemIndex) === 'url') {
    fields.url = String(this.getNodeParameter('mediaUrl', itemIndex)).trim();
  } else {
    const property = this.getNodeParameter('binaryPropertyName', itemIndex) as string;
    const binary = this.helpers.assertBinaryData(itemIndex, property);
    const buffer = await this.helpers.getBinaryDataBuffer(itemIndex, property);
    fields.base64 = buffer.toString('base64');
    if (binary.mimeType && binary.mimeType !== 'application/octet-stream') fields.mimetype = binary.mimeType;
    if (type === 'document' && binary.fileName) fields.fileName = binary.fileName;
  }
  if (type === 'image' || type === 'video' || type === 'document') {
    const caption = this.getNodeParameter('caption', itemIndex, '') as string;
    if (caption) fields.caption = caption;
  }
  if (type === 'document') {
    const fileName = (this.getNodeParameter('fileName', itemIndex, '') as string).trim();
    if (fileName) fields.fileName = fileName;
  }
  if (type === 'audio' && this.getNodeParameter('ptt', itemIndex, false)) fields.ptt = true;
  return sendMessage.call(this, itemIndex, type, fields);
}
