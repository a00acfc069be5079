import type { Db } from '../db/database';
import { badRequest, HttpError, notFound } from '../http/errors';
import { parseJid } from '../http/jid-param';
import { normalizePhoneNumber } from '../sessions/phone-numbers';
import type { MediaKind, OutgoingContent, StoredMessage } from '../whatsapp/operations/message-content';
import { findMessage } from '../whatsapp/store/read-queries';
import type { MessageRecord } from '../whatsapp/store/records';
import { decodeBase64Media, fetchMedia, type LoadedMedia, type MediaLimits } from './media-input';
import { parseRecipient } from './recipients';
import type { MediaBody, SendMessageBody } from './send-schemas';

/** A send request checked against the store: everything but what needs WhatsApp (recipient check, media download). */
export interface SendPlan {
  /** The recipient as parsed, before WhatsApp confirmed it. */
  to: string;
  quoted?: StoredMessage;
  /** Whether `content()` fetches media from a URL (media work, bounded per user and process). */
  fetchesMedia: boolean;
  /** The content; fetches URL media (4xx on failure) on the first call. */
  content(): Promise<OutgoingContent>;
}

const NOT_DELIVERED =
  'WhatsApp no longer delivers interactive buttons and list messages to regular accounts, and Baileys 7 cannot send them; send a text or a poll instead';

/** Checks a send request fully before anything is sent: 400 bad input, 404 unknown referenced message, 413 media too large, 422 unsendable. */
export async function planSend(db: Db, sessionRowId: string, body: SendMessageBody, limits: MediaLimits): Promise<SendPlan> {
  if (body.type === 'buttons' || body.type === 'list') throw new HttpError(422, NOT_DELIVERED);
  const to = parseRecipient(body.to);
  const quoted =
    'quotedMessageId' in body && body.quotedMessageId !== undefined
      ? await storedMessage(db, sessionRowId, body.quotedMessageId)
      : undefined;
  const mentions = 'mentions' in body && body.mentions ? { mentions: body.mentions.map(parseJid) } : {};
  const ready = (content: OutgoingContent): SendPlan => ({ to, quoted, fetchesMedia: false, content: async () => content });

  switch (body.type) {
    case 'text':
      return ready({ kind: 'text', text: body.text, ...mentions });
    case 'location':
      return ready({ kind: 'location', latitude: body.latitude, longitude: body.longitude, name: body.name, address: body.address });
    case 'contact':
      return ready({ kind: 'contacts', contacts: body.contacts.map(({ name, phone }) => ({ name, phone: normalizePhoneNumber(phone) })) });
    case 'poll': {
      const selectableCount = body.selectableCount ?? 1;
      if (selectableCount > body.options.length) {
        throw badRequest(`selectableCount (${selectableCount}) cannot exceed the number of options (${body.options.length})`);
      }
      const options = body.options.map((option) => option.trim());
      if (options.some((option) => !option) || new Set(options).size !== options.length) {
        throw badRequest('Poll options must be different and not blank');
      }
      return ready({ kind: 'poll', name: body.name, options, selectableCount });
    }
    case 'reaction': {
      const target = await storedMessage(db, sessionRowId, body.messageId);
      if (target.chatId !== to && target.metadata?.chatLid !== to) {
        throw new HttpError(422, `Message "${body.messageId}" is in chat ${target.chatId}, not in ${to}`);
      }
      return ready({ kind: 'reaction', target, emoji: body.emoji });
    }
    default:
      return mediaPlan(body, to, quoted, mentions, limits);
  }
}

function mediaPlan(
  body: MediaBody,
  to: string,
  quoted: StoredMessage | undefined,
  mentions: { mentions?: string[] },
  limits: MediaLimits,
): SendPlan {
  if ((body.url === undefined) === (body.base64 === undefined)) {
    throw badRequest(`A ${body.type} needs either url or base64 (exactly one of them)`);
  }
  const decoded = body.base64 !== undefined ? decodeBase64Media(body.base64, limits) : undefined;
  let loaded: Promise<LoadedMedia> | undefined;
  return {
    to,
    quoted,
    fetchesMedia: decoded === undefined,
    async content() {
      const media = decoded ?? (await (loaded ??= fetchMedia(body.url!, limits)));
      return {
        kind: 'media',
        media: body.type as MediaKind,
        bytes: media.bytes,
        mimetype: body.mimetype ?? media.mimetype,
        ...('caption' in body && body.caption !== undefined ? { caption: body.caption } : {}),
        ...('ptt' in body && body.ptt !== undefined ? { ptt: body.ptt } : {}),
        ...(body.type === 'document' ? { fileName: body.fileName ?? media.fileName } : {}),
        ...mentions,
      };
    },
  };
}

/** A stored message of the session, or 404. */
export async function storedMessage(db: Db, sessionRowId: string, messageId: string): Promise<MessageRecord> {
  const message = await findMessage(db, sessionRowId, messageId);
  if (!message) throw notFound(`Message "${messageId}" not found`);
  return message;
}

const FORWARDABLE = new Set(['TEXT', 'IMAGE', 'VIDEO', 'AUDIO', 'DOCUMENT', 'STICKER', 'LOCATION', 'CONTACT']);

/** A stored message that can be forwarded: 404 unknown, 422 of a kind that cannot be, or revoked. */
export async function forwardableMessage(db: Db, sessionRowId: string, messageId: string): Promise<MessageRecord> {
  const source = await storedMessage(db, sessionRowId, messageId);
  if (!FORWARDABLE.has(source.messageType)) throw new HttpError(422, `A ${source.messageType.toLowerCase()} message cannot be forwarded`);
  if (source.metadata?.revoked) throw new HttpError(422, `Message "${messageId}" was deleted for everyone and cannot be forwarded`);
  return source;
}
