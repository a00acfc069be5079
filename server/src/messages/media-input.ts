import { posix } from 'node:path';
import { request, type Dispatcher } from 'undici';
import { badRequest, HttpError } from '../http/errors';
import { isPrivateAddressRefusal, outboundDispatcher } from '../net/outbound-guard';

/** Media to send, loaded into memory within the configured limits. */
export interface LoadedMedia {
  bytes: Buffer;
  /** From a data: URL, the URL response or the bytes themselves. */
  mimetype?: string;
  /** From the URL (Content-Disposition or path). */
  fileName?: string;
}

export interface MediaLimits {
  maxBytes: number;
  timeoutMs: number;
  /** Whether URLs may point at loopback, private or link-local addresses (MEDIA_URL_ALLOW_PRIVATE). */
  allowPrivate: boolean;
}

const tooLarge = (maxBytes: number) => new HttpError(413, `The media is larger than the limit of ${maxBytes} bytes (MEDIA_MAX_BYTES)`);

const DATA_URL = /^data:([\w.+-]+\/[\w.+-]+)?(?:;[\w-]+=[^;,]*)*;base64,/i;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Decodes base64 (standard or URL-safe, optionally a data: URL); 400 when it is not base64, 413 over the limit. */
export function decodeBase64Media(input: string, maxBytes: number): LoadedMedia {
  const dataUrl = DATA_URL.exec(input);
  const text = (dataUrl ? input.slice(dataUrl[0].length) : input).replace(/\s+/g, '').replace(/-/g, '+').replace(/_/g, '/');
  const padded = text.length % 4 === 0 ? text : text + '='.repeat(4 - (text.length % 4));
  if (!text || text.length % 4 === 1 || !BASE64.test(padded)) throw badRequest('base64 is not valid base64 data');
  const padding = padded.endsWith('==') ? 2 : padded.endsWith('=') ? 1 : 0;
  if ((padded.length / 4) * 3 - padding > maxBytes) throw tooLarge(maxBytes);
  const bytes = Buffer.from(padded, 'base64');
  return { bytes, ...mimetypeOf(dataUrl?.[1], bytes) };
}

const dispatchers = new Map<boolean, Dispatcher>();
/** Follows up to five redirects; private addresses only when the operator allows them. */
const fetcher = (allowPrivate: boolean) => {
  let dispatcher = dispatchers.get(allowPrivate);
  if (!dispatcher) dispatchers.set(allowPrivate, (dispatcher = outboundDispatcher({ allowPrivate, maxRedirections: 5 })));
  return dispatcher;
};

/**
 * Fetches media from an http(s) URL: 422 when it cannot be reached, answers other than 2xx, or takes longer
 * than the timeout; 413 when it is larger than the limit (announced or actual; the download stops there).
 */
export async function fetchMedia(url: string, { maxBytes, timeoutMs, allowPrivate }: MediaLimits): Promise<LoadedMedia> {
  const signal = AbortSignal.timeout(timeoutMs);
  let response: Dispatcher.ResponseData;
  try {
    response = await request(url, {
      method: 'GET',
      signal,
      dispatcher: fetcher(allowPrivate),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
  } catch (error) {
    throw fetchFailed(error, signal, timeoutMs);
  }
  const { statusCode, headers, body } = response;
  if (statusCode < 200 || statusCode > 299) {
    discard(body);
    throw new HttpError(422, `The media URL answered HTTP ${statusCode} instead of the file`);
  }
  const announced = Number(headers['content-length']);
  if (Number.isFinite(announced) && announced > maxBytes) {
    discard(body);
    throw tooLarge(maxBytes);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      size += (chunk as Buffer).length;
      if (size > maxBytes) {
        discard(body);
        throw tooLarge(maxBytes);
      }
      chunks.push(chunk as Buffer);
    }
  } catch (error) {
    if (error instanceof HttpError) throw error;
    throw fetchFailed(error, signal, timeoutMs);
  }
  const bytes = Buffer.concat(chunks);
  const fileName = fileNameOf(headers['content-disposition'], url);
  return { bytes, ...mimetypeOf(headerValue(headers['content-type']), bytes), ...(fileName ? { fileName } : {}) };
}

/** Stops a download; undici reports the abort as an error event, which is expected here. */
function discard(body: Dispatcher.ResponseData['body']): void {
  body.on('error', () => {});
  body.destroy();
}

function fetchFailed(error: unknown, signal: AbortSignal, timeoutMs: number): HttpError {
  if (isPrivateAddressRefusal(error)) {
    return new HttpError(
      422,
      'The media URL points to a private or local address, which this gateway does not fetch (MEDIA_URL_ALLOW_PRIVATE)',
    );
  }
  if (signal.aborted || (error as { code?: string }).code?.includes('TIMEOUT')) {
    return new HttpError(422, `The media URL did not deliver the file within ${timeoutMs} ms (MEDIA_FETCH_TIMEOUT_MS)`);
  }
  const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as { code?: string }).code ?? (error as Error).message;
  return new HttpError(422, `The media URL could not be fetched (${cause})`);
}

const headerValue = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

/** Generic types say nothing: the bytes decide then. */
const GENERIC_TYPES = new Set(['application/octet-stream', 'binary/octet-stream', 'application/unknown', 'text/plain']);

function mimetypeOf(declared: string | undefined, bytes: Buffer): { mimetype?: string } {
  const type = declared?.trim();
  if (type && !GENERIC_TYPES.has(type.split(';')[0]!.trim().toLowerCase())) return { mimetype: type };
  const sniffed = sniffMimetype(bytes);
  return sniffed ? { mimetype: sniffed } : {};
}

/** The common media formats by their first bytes. */
export function sniffMimetype(bytes: Buffer): string | undefined {
  const ascii = (start: number, end: number) => bytes.toString('latin1', start, end);
  if (bytes.length >= 8 && bytes.readUInt32BE(0) === 0x89504e47) return 'image/png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'image/webp';
  if (ascii(0, 4) === 'GIF8') return 'image/gif';
  if (ascii(0, 5) === '%PDF-') return 'application/pdf';
  if (ascii(0, 4) === 'OggS') return 'audio/ogg; codecs=opus';
  if (ascii(0, 3) === 'ID3' || (bytes[0] === 0xff && ((bytes[1] ?? 0) & 0xe0) === 0xe0)) return 'audio/mpeg';
  if (ascii(4, 8) === 'ftyp') return ascii(8, 11) === 'M4A' ? 'audio/mp4' : 'video/mp4';
  return undefined;
}

function fileNameOf(disposition: string | string[] | undefined, url: string): string | undefined {
  const header = headerValue(disposition) ?? '';
  const encoded = /filename\*=(?:UTF-8'')?([^;]+)/i.exec(header)?.[1];
  const plain = /filename="?([^";]+)"?/i.exec(header)?.[1];
  try {
    const fromHeader = encoded ? decodeURIComponent(encoded.trim()) : plain?.trim();
    if (fromHeader) return fromHeader.slice(0, 255);
    const base = posix.basename(decodeURIComponent(new URL(url).pathname));
    return base ? base.slice(0, 255) : undefined;
  } catch {
    return undefined;
  }
}
