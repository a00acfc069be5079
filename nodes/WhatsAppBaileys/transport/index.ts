import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { baileysApiRequest } from '../../shared/transport';

export { baileysApiRequest, type BinaryResponse } from '../../shared/transport';

interface Page {
  data: IDataObject[];
  nextCursor: string | null;
}

/**
 * Reads a paginated list (`{data, nextCursor}`) page by page: everything with `limit` undefined,
 * otherwise at most `limit` entries. `firstPageQs` goes with the first request only (e.g. a refresh).
 */
export async function baileysApiRequestAllItems(
  this: IExecuteFunctions,
  path: string,
  firstPageQs: IDataObject,
  limit: number | undefined,
  itemIndex: number,
): Promise<IDataObject[]> {
  const items: IDataObject[] = [];
  let cursor: string | undefined;
  do {
    const pageSize = Math.min(200, limit === undefined ? 200 : limit - items.length);
    const page = (await baileysApiRequest.call(this, 'GET', path, {
      qs: cursor ? { limit: pageSize, cursor } : { ...firstPageQs, limit: pageSize },
      itemIndex,
    })) as Page;
    items.push(...page.data);
    cursor = page.nextCursor ?? undefined;
  } while (cursor && (limit === undefined || items.length < limit));
  return limit === undefined ? items : items.slice(0, limit);
}
