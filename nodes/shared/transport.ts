import {
  NodeApiError,
  type IDataObject,
  type IExecuteFunctions,
  type IHookFunctions,
  type IHttpRequestMethods,
  type IHttpRequestOptions,
  type ILoadOptionsFunctions,
  type IWebhookFunctions,
  type JsonObject,
} from 'n8n-workflow';

/** The contexts that call the gateway: node execution, list search, trigger webhook lifecycle. */
export type BaileysContext = IExecuteFunctions | ILoadOptionsFunctions | IHookFunctions | IWebhookFunctions;

export const CREDENTIAL_NAME = 'baileysApi';

export interface BaileysRequest {
  /** Query string. */
  qs?: IDataObject;
  /** JSON body. */
  body?: IDataObject;
  headers?: IDataObject;
  /** Answer the raw bytes with the response headers (media downloads, QR images). */
  binary?: boolean;
  /** Set on the NodeApiError so n8n shows which input item failed. */
  itemIndex?: number;
}

/** The body of every gateway failure. */
export interface GatewayError {
  statusCode: number;
  error: string;
  message: string;
  details?: unknown[];
}

export interface BinaryResponse {
  body: Buffer;
  headers: Record<string, string | string[] | undefined>;
}

/** The base URL from the credential, without trailing slashes. */
export async function gatewayBaseUrl(this: BaileysContext): Promise<string> {
  const credentials = await this.getCredentials<{ baseUrl: string }>(CREDENTIAL_NAME);
  return String(credentials.baseUrl ?? '').replace(/\/+$/, '');
}

const isGatewayError = (value: unknown): value is GatewayError =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as GatewayError).message === 'string' &&
  typeof (value as GatewayError).statusCode === 'number';

/** Finds the gateway's error body in whatever n8n's request helper threw (JSON, text or bytes). */
function gatewayErrorOf(error: unknown): GatewayError | undefined {
  const candidates: unknown[] = [];
  const seen = new Set<unknown>();
  const visit = (value: unknown, depth: number) => {
    if (depth > 4 || typeof value !== 'object' || value === null || seen.has(value)) return;
    seen.add(value);
    const record = value as Record<string, unknown>;
    const response = record.response as Record<string, unknown> | undefined;
    if (response) candidates.push(response.data, response.body);
    candidates.push((record.context as Record<string, unknown> | undefined)?.data);
    visit(record.cause, depth + 1);
  };
  visit(error, 0);
  for (const candidate of candidates) {
    let value = candidate;
    if (value instanceof ArrayBuffer) value = Buffer.from(value);
    if (Buffer.isBuffer(value)) value = value.toString('utf8');
    if (typeof value === 'string') {
      try {
        value = JSON.parse(value);
      } catch {
        continue;
      }
    }
    if (isGatewayError(value)) return value;
  }
  return undefined;
}

/**
 * One request to the gateway's REST API (`path` below /api/v1), authenticated by the Baileys API
 * credential. Failures become a NodeApiError carrying the gateway's message and HTTP status.
 */
export async function baileysApiRequest(
  this: BaileysContext,
  method: IHttpRequestMethods,
  path: string,
  request: BaileysRequest = {},
): Promise<any> {
  const baseUrl = await gatewayBaseUrl.call(this);
  const options: IHttpRequestOptions = {
    method,
    url: `${baseUrl}/api/v1${path}`,
    qs: request.qs,
    headers: { accept: request.binary ? '*/*' : 'application/json', ...request.headers },
    json: !request.binary,
  };
  if (request.body !== undefined) options.body = request.body;
  if (request.binary) {
    options.encoding = 'arraybuffer';
    options.returnFullResponse = true;
  }
  try {
    const response = await this.helpers.httpRequestWithAuthentication.call(this, CREDENTIAL_NAME, options);
    if (!request.binary) return response;
    return { body: Buffer.from(response.body as ArrayBuffer), headers: response.headers } satisfies BinaryResponse;
  } catch (error) {
    const body = gatewayErrorOf(error);
    if (body) {
      throw new NodeApiError(this.getNode(), body as unknown as JsonObject, {
        message: body.message,
        description: body.details?.length ? `${body.error}: ${JSON.stringify(body.details)}` : body.error,
        httpCode: String(body.statusCode),
        itemIndex: request.itemIndex,
      });
    }
    throw new NodeApiError(this.getNode(), error as JsonObject, { itemIndex: request.itemIndex });
  }
}
