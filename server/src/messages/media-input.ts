import { posix } from 'node:path';
import { request, type Dispatcher } from 'undici';
import type { Config } from '../config';
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
  /** Largest media carried as base64 (MEDIA_BASE64_MAX_BYTES), when below `maxBytes`. */
  base64MaxBytes: number;
  timeoutMs: number;
  /** Whether URLs may point at loopback, private or link-local addresses (MEDIA_URL_ALLOW_PRIVATE). */
  allowPrivate: boolean;
}

/** The media limits of sends, as configured. */
export const sendMediaLimits = (config: Config): MediaLimits => ({
  maxBytes: config.MEDIA_MAX_BYTES,
  base64MaxBytes: config.MEDIA_BASE64_MAX_BYTES,
  timeoutMs: config.MEDIA_FETCH_TIMEOUT_MS,
  allowPrivate: config.MEDIA_URL_ALLOW_PRIVATE,
});

const tooLarge = (maxBytes: number) => new HttpError(413, `The media is larger than the limit of ${maxBytes} bytes (MEDIA_MAX_BYTES)`);

/** The largest media a send may carry as base64: the send body is capped to fit it (and no more). */
export const base64Limit = ({ maxBytes, base64MaxBytes }: Pick<MediaLimits, 'maxBytes' | 'base64MaxBytes'>) =>
  Math.min(maxBytes, base64MaxBytes);

function tooLargeForBase64(limits: Pick<MediaLimits, 'maxBytes' | 'base64MaxBytes'>): HttpError {
  if (limits.base64MaxBytes >= limits.maxBytes) return tooLarge(limits.maxBytes);
  return new HttpError(
    413,
    `The media is larger than the limit of ${limits.base64MaxBytes} bytes for base64 (MEDIA_BASE64_MAX_BYTES); send files up to ${limits.maxBytes} bytes (MEDIA_MAX_BYTES) by url`,
  );
}

const DATA_URL = /^data:([\w.+-]+\/[\w.+-]+)?(?:;[\w-]+=[^;,]*)*;base64,/i;
/** A data: URL's header is short; the pattern never needs to look further into a large body. */
const DATA_URL_HEADER_MAX = 512;

/**
 * Decodes base64 (standard or URL-safe, with or without padding and line breaks, optionally a data: URL):
 * one pass over the text to check it and count what it decodes to, then one decode into a buffer of
 * that size, so a large body is never copied as text. 400 when it is not base64, 413 over `maxBytes`.
 */
export function decodeBase64Media(input: string, limits: Pick<MediaLimits, 'maxBytes' | 'base64MaxBytes'>): LoadedMedia {
  const dataUrl = DATA_URL.exec(input.slice(0, DATA_URL_HEADER_MAX));
  const start = dataUrl ? dataUrl[0].length : 0;
  const digits = countBase64Digits(input, start);
  if (digits === undefined || digits === 0 || digits % 4 === 1) throw badRequest('base64 is not valid base64 data');
  if (Math.floor((digits * 3) / 4) > base64Limit(limits)) throw tooLargeForBase64(limits);
  // Node's decoder takes both alphabets and skips whitespace; the text was checked above (it would skip garbage too).
  const bytes = Buffer.from(start ? input.slice(start) : input, 'base64');
  return { bytes, ...mimetypeOf(dataUrl?.[1], bytes) };
}

/** The base64 digits in `text` from `start`, or undefined when something else is there (at most two `=` at the end, whitespace anywhere). */
function countBase64Digits(text: string, start: number): number | undefined {
  let digits = 0;
  let padding = 0;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x3d) {
      if (++padding > 2) return undefined;
    } else if (c === 0x20 || (c >= 0x09 && c <= 0x0d)) {
      continue;
    } else if (padding > 0 || !isBase64Digit(c)) {
      return undefined;
    } else {
      digits++;
    }
  }
  return digits;
}

/** A–Z, a–z, 0–9, and + / (standard) or - _ (URL-safe). */
const isBase64Digit = (c: number) =>
  (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2f || c === 0x2d || c === 0x5f;

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
  // With a Content-Length the file is copied into one buffer of that size as it arrives (no second copy at the end).
  const chunks: Buffer[] = [];
  const whole = Number.isFinite(announced) && announced > 0 ? Buffer.allocUnsafe(announced) : undefined;
  let size = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      if (size + chunk.length > maxBytes) {
        discard(body);
        throw tooLarge(maxBytes);
      }
      if (!whole) chunks.push(chunk);
      else if (size + chunk.length <= whole.length) chunk.copy(whole, size);
      else {
        discard(body);
        throw new HttpError(422, 'The media URL sent more than its Content-Length announced');
      }
      size += chunk.length;
    }
  } catch (error) {
    if (error instanceof HttpError) throw error;
    throw fetchFailed(error, signal, timeoutMs);
  }
  const bytes = whole ? whole.subarray(0, size) : Buffer.concat(chunks);
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
