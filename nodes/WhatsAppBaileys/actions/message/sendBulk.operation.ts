import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';
import { baileysApiRequest } from '../../transport';
import { listOf, normalizeAddress, sessionPath, toItems } from '../common';

export const properties: INodeProperties[] = [
  {
    displayName: 'Recipients',
    name: 'recipients',
    type: 'string',
    default: '',
    required: true,
    typeOptions: { rows: 4 },
    placeholder: 'e.g. +49 151 23456789, +1 555 010 0000',
    description:
      'Up to 1,000 phone numbers or JIDs separated by commas or new lines; or, from an expression, an array of numbers or of objects {to, variables} whose variables fill the {{placeholders}} of the text',
  },
  {
    displayName: 'Text',
    name: 'text',
    type: 'string',
    default: '',
    required: true,
    typeOptions: { rows: 4 },
    placeholder: 'e.g. Hello {{name}}, your order {{order}} has shipped',
    description:
      'The message for everyone; {{name}} takes the recipient’s variable "name". The gateway sends at the session’s pace (see Session → Update Pacing).',
  },
];

/** `{to, variables?}` entries from numbers as text, an array of numbers, or an array of `{to, variables}` objects. */
function recipientsOf(this: IExecuteFunctions, itemIndex: number): IDataObject[] {
  const input = this.getNodeParameter('recipients', itemIndex);
  const entries = Array.isArray(input) ? input : listOf(input);
  return entries.map((entry) => {
    if (typeof entry !== 'object' || entry === null) return { to: normalizeAddress(entry) };
    const { to, variables } = entry as IDataObject;
    if (to === undefined) throw new NodeOperationError(this.getNode(), 'Every recipient object needs a "to"', { itemIndex });
    return variables === undefined ? { to: normalizeAddress(to) } : { to: normalizeAddress(to), variables };
  });
}

/** POST /sessions/:sessionId/messages/bulk: one job for every recipient of the item, sent paced by the gateway. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
  const body = {
    message: { type: 'text', text: this.getNodeParameter('text', itemIndex) as string },
    recipients: recipientsOf.call(this, itemIndex),
  };
  const response = await baileysApiRequest.call(this, 'POST', sessionPath.call(this, itemIndex, '/messages/bulk'), { body, itemIndex });
  return toItems(response as IDataObject, itemIndex);
}
