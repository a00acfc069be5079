import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { baileysApiRequest } from '../../transport';
import { addressField, listOf, normalizeAddress, sessionPath, toItems } from '../common';

/** The recipient of a send: a person or a group. */
export const toField = addressField(
  'to',
  'To',
  'Recipient: a phone number in international format (country code first; spaces, dashes and a leading + are fine), a user JID (…@s.whatsapp.net or …@lid) or a group JID (…@g.us)',
);

/** The "Options" collection of a send, with the fields that message type takes. */
export function sendOptions(extra: INodeProperties[] = [], { mentions = false, quote = true } = {}): INodeProperties {
  const options: INodeProperties[] = [...extra];
  if (mentions) {
    options.push({
      displayName: 'Mentions',
      name: 'mentions',
      type: 'string',
      default: '',
      placeholder: 'e.g. +49 151 23456789, 4915198765432',
      description:
        'People to mention, as phone numbers or JIDs separated by commas; write them in the text too, as @ followed by the number',
    });
  }
  if (quote) {
    options.push({
      displayName: 'Reply To Message ID',
      name: 'quotedMessageId',
      type: 'string',
      default: '',
      description: 'ID of a stored message in this chat to reply to (it is quoted above the new one)',
    });
  }
  options.push({
    displayName: 'Idempotency Key',
    name: 'idempotencyKey',
    type: 'string',
    default: '',
    description: 'Makes retries safe: a second send with the same key returns the first result and sends nothing, e.g. an order number',
  });
  return {
    displayName: 'Options',
    name: 'options',
    type: 'collection',
    placeholder: 'Add Option',
    default: {},
    options: options.sort((a, b) => a.displayName.localeCompare(b.displayName)),
  };
}

/** POST /sessions/:sessionId/messages with `{to, type, ...fields}` plus the options the item set. */
export async function sendMessage(
  this: IExecuteFunctions,
  itemIndex: number,
  type: string,
  fields: IDataObject,
): Promise<INodeExecutionData[]> {
  const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
  const body: IDataObject = { to: normalizeAddress(this.getNodeParameter('to', itemIndex)), type, ...fields };
  if (options.quotedMessageId) body.quotedMessageId = String(options.quotedMessageId).trim();
  if (options.mentions) body.mentions = listOf(options.mentions).map(normalizeAddress);
  if (options.mimetype) body.mimetype = String(options.mimetype).trim();
  const headers = options.idempotencyKey ? { 'Idempotency-Key': String(options.idempotencyKey) } : undefined;
  const response = await baileysApiRequest.call(this, 'POST', sessionPath.call(this, itemIndex, '/messages'), { body, headers, itemIndex });
  return toItems(response as IDataObject, itemIndex);
}
