import { DEFAULT_ORIGIN, extractMessageContent, getContentType, getMediaKeys } from '@whiskeysockets/baileys';
import { createDecipheriv, createHmac, timingSafeEqual } from 'node:crypto';
import { pipeline, Transform, type Readable } from 'node:stream';
import { request, type Dispatcher } from 'undici';
import { isPrivateAddressRefusal, outboundDispatcher } from '../../net/outbound-guard';
import { contentKey, innerContent, type MessageContent } from '../mapping/message-content';
import { mediaSourceOf, MediaUrlRefused, type MediaHosts, type MediaSource } from '../media-hosts';
import { storedAsWAMessage, type StoredMessage } from './message-content';

const MEDIA_FIELDS = new Set(['imageMessage', 'videoMessage', 'ptvMessage', 'audioMessage', 'documentMessage', 'stickerMessage']);

export interface MediaInfo {
  mimetype: string;
  fileName?: string;
  /** Plaintext size WhatsApp announced, when it did. */
  fileLength?: number;
}

/** What a stored message's media is, or undefined when it carries none that can be downloaded. */
export function mediaInfoOf(content: MessageContent): MediaInfo | undefined {
  const field = contentKey(content);
  if (!field || !MEDIA_FIELDS.has(field)) return undefined;
  const media = (innerContent(content) as MessageContent)[field] as Record<string, unknown> | undefined;
  if (!media || typeof media.mediaKey !== 'string' || (typeof media.directPath !== 'string' && typeof media.url !== 'string'))
    return undefined;
  const fileLength = Number(media.fileLength);
  return {
    mimetype: typeof media.mimetype === 'string' && media.mimetype ? media.mimetype : 'application/octet-stream',
    ...(typeof media.fileName === 'string' && media.fileName ? { fileName: media.fileName } : {}),
    ...(Number.isFinite(fileLength) && fileLength > 0 ? { fileLength } : {}),
  };
}

export interface MediaDownloadLimits {
  /** Where media may be downloaded from (WHATSAPP_MEDIA_HOSTS). */
  hosts: MediaHosts;
  /** Largest decrypted media (MEDIA_MAX_BYTES). */
  maxBytes: number;
  /** Time for the media server to answer, and longest pause while it sends (MEDIA_FETCH_TIMEOUT_MS). */
  timeoutMs: number;
}

/** Why a download did not happen: `refused` (the message's media location is not allowed, nothing was fetched), `failed`, `timeout`. */
export class MediaDownloadError extends Error {
  constructor(
    message: string,
    readonly kind: 'refused' | 'failed' | 'timeout',
  ) {
    super(message);
  }
}

/** AES-256-CBC ciphertext, then the first 10 bytes of HMAC-SHA256(macKey, iv ‖ ciphertext). */
const MAC_LENGTH = 10;

const dispatchers = new Map<string, Dispatcher>();
/** No redirects; only hosts the operator listed outside WhatsApp's domain may be private addresses. */
function dispatcherFor(hosts: MediaHosts): Dispatcher {
  const key = hosts.exemptFromAddressCheck.join(',');
  let dispatcher = dispatchers.get(key);
  if (!dispatcher) {
    dispatcher = outboundDispatcher({ allowPrivate: false, maxRedirections: 0, allowedHosts: hosts.exemptFromAddressCheck });
    dispatchers.set(key, dispatcher);
  }
  return dispatcher;
}

/**
 * Streams the decrypted media of a stored message from WhatsApp's media servers. The URL is rebuilt from
 * the message's directPath on an allowed media host (never the sender's URL as given), fetched through the
 * outbound address guard without redirects, within the time and size limits; the MAC is checked at the end.
 * Throws MediaDownloadError before anything is streamed when the media cannot be fetched.
 */
export async function downloadStoredMedia(message: StoredMessage, limits: MediaDownloadLimits): Promise<Readable> {
  const content = extractMessageContent(storedAsWAMessage(message).message);
  const type = content ? getContentType(content) : undefined;
  const media = (type ? content![type] : undefined) as { mediaKey?: Uint8Array | null; directPath?: string | null; url?: string | null };
  if (!type || !media?.mediaKey?.length) throw new MediaDownloadError('The message carries no media key', 'refused');
  let source: MediaSource;
  try {
    source = mediaSourceOf(limits.hosts, media);
  } catch (error) {
    if (error instanceof MediaUrlRefused) throw new MediaDownloadError(error.message, 'refused');
    throw error;
  }
  const keys = await getMediaKeys(media.mediaKey, type.replace('Message', '') as Parameters<typeof getMediaKeys>[1]);
  const decrypted = decrypting(keys, limits.maxBytes);

  // Bounds the wait for the answer only; while the body streams, the idle limit (bodyTimeout) applies.
  const answer = new AbortController();
  const signal = answer.signal;
  const deadline = setTimeout(() => answer.abort(), limits.timeoutMs);
  let response: Dispatcher.ResponseData;
  try {
    response = await request(source.url, {
      method: 'GET',
      signal,
      dispatcher: dispatcherFor(limits.hosts),
      headers: { origin: DEFAULT_ORIGIN },
      headersTimeout: limits.timeoutMs,
      bodyTimeout: limits.timeoutMs,
    });
  } catch (error) {
    throw fetchFailed(error, signal, limits.timeoutMs, source);
  } finally {
    clearTimeout(deadline);
  }
  const { statusCode, headers, body } = response;
  if (statusCode < 200 || statusCode > 299) {
    discard(body);
    throw new MediaDownloadError(
      `WhatsApp's media server answered HTTP ${statusCode}; the media may have expired${ignoredNote(source)}`,
      'failed',
    );
  }
  const announced = Number(headers['content-length']);
  if (Number.isFinite(announced) && announced > limits.maxBytes + 16 + MAC_LENGTH) {
    discard(body);
    throw new MediaDownloadError(`the media is larger than the limit of ${limits.maxBytes} bytes (MEDIA_MAX_BYTES)`, 'failed');
  }
  return pipeline(body, decrypted, () => {});
}

/** Decrypts the media file as it arrives, holding back the trailing MAC and checking it at the end. */
function decrypting(keys: { iv: Uint8Array; cipherKey: Uint8Array; macKey?: Uint8Array }, maxBytes: number): Transform {
  if (!keys.macKey) throw new MediaDownloadError('no MAC key could be derived for this media type', 'failed');
  const decipher = createDecipheriv('aes-256-cbc', keys.cipherKey, keys.iv);
  const hmac = createHmac('sha256', keys.macKey).update(keys.iv);
  let held = Buffer.alloc(0);
  let size = 0;
  const tooLarge = () => new MediaDownloadError(`the media is larger than the limit of ${maxBytes} bytes (MEDIA_MAX_BYTES)`, 'failed');
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      const data = held.length ? Buffer.concat([held, chunk]) : chunk;
      const cipherText = data.subarray(0, Math.max(0, data.length - MAC_LENGTH));
      held = Buffer.from(data.subarray(cipherText.length));
      hmac.update(cipherText);
      try {
        const plain = decipher.update(cipherText);
        size += plain.length;
        callback(size > maxBytes ? tooLarge() : null, plain);
      } catch (error) {
        callback(error as Error);
      }
    },
    flush(callback) {
      const mac = hmac.digest().subarray(0, MAC_LENGTH);
      if (held.length !== MAC_LENGTH || !timingSafeEqual(mac, held)) {
        return callback(new MediaDownloadError('the media file failed its integrity check (MAC)', 'failed'));
      }
      try {
        const last = decipher.final();
        size += last.length;
        callback(size > maxBytes ? tooLarge() : null, last);
      } catch (error) {
        callback(error as Error);
      }
    },
  });
}

const ignoredNote = (source: MediaSource) =>
  source.ignoredHost
    ? ` (the message named ${source.ignoredHost} as its media host, which is not an allowed one, so ${source.url.host} was asked)`
    : '';

/** Stops a download; undici reports the abort as an error event, which is expected here. */
function discard(body: Dispatcher.ResponseData['body']): void {
  body.on('error', () => {});
  body.destroy();
}

function fetchFailed(error: unknown, signal: AbortSignal, timeoutMs: number, source: MediaSource): MediaDownloadError {
  if (isPrivateAddressRefusal(error)) {
    return new MediaDownloadError(`${source.url.host} is a private or local address, which is not reached for media`, 'failed');
  }
  if (signal.aborted || (error as { code?: string }).code?.includes('TIMEOUT')) {
    return new MediaDownloadError(`WhatsApp's media server did not answer within ${timeoutMs} ms (MEDIA_FETCH_TIMEOUT_MS)`, 'timeout');
  }
  const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as { code?: string }).code ?? (error as Error).message;
  return new MediaDownloadError(`WhatsApp's media server could not be reached (${cause})${ignoredNote(source)}`, 'failed');
}
