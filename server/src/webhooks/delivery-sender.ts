import { STATUS_CODES } from 'node:http';
import { request, type Dispatcher } from 'undici';
import { isPrivateAddressRefusal, outboundDispatcher, WEBHOOK_PRIVATE_HINT } from '../net/outbound-guard';
import { signWebhook } from './signing';

/** What one HTTP attempt of a delivery did. */
export interface AttemptResult {
  startedAt: Date;
  durationMs: number;
  /** null when no response came (refused, timed out, reset). */
  statusCode: number | null;
  error: string | null;
  /** The response body, truncated. */
  response: string | null;
  requestHeaders: Record<string, string>;
  /** What a 429 or 503 asked for in Retry-After. */
  retryAfterMs?: number;
}

export interface SenderOptions {
  timeoutMs: number;
  allowPrivate: boolean;
  allowedHosts: readonly string[];
}

const RESPONSE_LIMIT = 2048;
const USER_AGENT = 'baileys-api-webhooks/1';

/**
 * POSTs signed webhook bodies: pooled keep-alive connections, a time limit on the whole exchange, no
 * redirects, and the private-address guard at connect time (DNS rebinding cannot slip past registration).
 */
export class DeliverySender {
  private readonly dispatcher: Dispatcher;

  constructor(private readonly options: SenderOptions) {
    this.dispatcher = outboundDispatcher({
      allowPrivate: options.allowPrivate,
      allowedHosts: options.allowedHosts,
      maxRedirections: 0,
    });
  }

  async send(url: string, id: string, body: string, secrets: readonly string[]): Promise<AttemptResult> {
    const timestamp = Math.floor(Date.now() / 1000);
    const requestHeaders: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': USER_AGENT,
      'webhook-id': id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signWebhook({ id, timestamp, body, secrets }),
    };
    const startedAt = new Date();
    const elapsed = () => Date.now() - startedAt.getTime();
    try {
      const response = await request(url, {
        method: 'POST',
        body,
        headers: requestHeaders,
        dispatcher: this.dispatcher,
        signal: AbortSignal.timeout(this.options.timeoutMs),
        headersTimeout: this.options.timeoutMs,
        bodyTimeout: this.options.timeoutMs,
      });
      const text = await readLimited(response.body);
      const statusCode = response.statusCode;
      const ok = statusCode >= 200 && statusCode < 300;
      return {
        startedAt,
        durationMs: elapsed(),
        statusCode,
        error: ok ? null : `the receiver answered ${statusCode} ${STATUS_CODES[statusCode] ?? ''}`.trim(),
        response: text,
        requestHeaders,
        ...(statusCode === 429 || statusCode === 503 ? retryAfter(response.headers['retry-after']) : {}),
      };
    } catch (error) {
      return {
        startedAt,
        durationMs: elapsed(),
        statusCode: null,
        error: describe(error, this.options.timeoutMs),
        response: null,
        requestHeaders,
      };
    }
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }
}

async function readLimited(body: Dispatcher.ResponseData['body']): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk as Buffer);
    size += (chunk as Buffer).length;
    if (size >= RESPONSE_LIMIT) {
      body.destroy();
      break;
    }
  }
  const text = Buffer.concat(chunks).toString('utf8');
  return text.length > RESPONSE_LIMIT ? `${text.slice(0, RESPONSE_LIMIT)}…` : text;
}

function retryAfter(header: string | string[] | undefined): { retryAfterMs?: number } {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return {};
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return { retryAfterMs: seconds * 1000 };
  const at = Date.parse(value);
  return Number.isNaN(at) ? {} : { retryAfterMs: Math.max(0, at - Date.now()) };
}

function describe(error: unknown, timeoutMs: number): string {
  if (isPrivateAddressRefusal(error)) {
    return `refused: ${(error as Error).message}. ${WEBHOOK_PRIVATE_HINT}`;
  }
  const err = error as { name?: string; code?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err.name === 'TimeoutError' || err.code === 'UND_ERR_HEADERS_TIMEOUT' || err.code === 'UND_ERR_BODY_TIMEOUT') {
    return `no answer within ${timeoutMs} ms`;
  }
  const code = err.code ?? err.cause?.code;
  const message = err.cause?.message ?? err.message ?? String(error);
  return code ? `${code}: ${message}` : message;
}
