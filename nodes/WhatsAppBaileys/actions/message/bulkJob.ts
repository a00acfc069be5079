import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { baileysApiRequest } from '../../transport';
import { sessionPath, toItems } from '../common';

/** The bulk job an operation works with: the `id` Send Bulk Text answered. */
export const bulkJobIdField: INodeProperties = {
  displayName: 'Bulk Job ID',
  name: 'bulkJobId',
  type: 'string',
  default: '',
  required: true,
  placeholder: 'e.g. 01JD3Q2Y8W5X0R6N4M2K7T9VBC',
  description: 'The ID that Send Bulk Text answered with',
};

/** GET (progress) or POST (an action such as cancel) on /sessions/:sessionId/messages/bulk/:id. */
export async function bulkJobRequest(
  this: IExecuteFunctions,
  itemIndex: number,
  method: 'GET' | 'POST',
  suffix = '',
): Promise<INodeExecutionData[]> {
  const id = encodeURIComponent((this.getNodeParameter('bulkJobId', itemIndex) as string).trim());
  const response = await baileysApiRequest.call(this, method, sessionPath.call(this, itemIndex, `/messages/bulk/${id}${suffix}`), {
    itemIndex,
  });
  return toItems(response as IDataObject, itemIndex);
}
