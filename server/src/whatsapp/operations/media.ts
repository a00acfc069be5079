import { downloadMediaMessage } from '@whiskeysockets/baileys';
import type { Readable } from 'node:stream';
import { contentKey, innerContent, type MessageContent } from '../mapping/message-content';
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

/** Streams the decrypted media of a stored message from WhatsApp's media servers. */
export async function downloadStoredMedia(message: StoredMessage): Promise<Readable> {
  return (await downloadMediaMessage(storedAsWAMessage(message), 'stream', {})) as Readable;
}
