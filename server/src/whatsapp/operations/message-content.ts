import type { AnyMessageContent, WAMessage, WAMessageKey } from '@whiskeysockets/baileys';
import { isGroupJid } from '../jids';
import { contentKey, contentToProto, innerContent, type MessageContent } from '../mapping/message-content';

export type MediaKind = 'image' | 'video' | 'audio' | 'document' | 'sticker';

/** A contact card to send: a name and a phone number (digits, country code first). */
export interface ContactCard {
  name: string;
  phone: string;
}

/** What the gateway can send, as plain validated input (media already loaded). */
export type OutgoingContent =
  | { kind: 'text'; text: string; mentions?: string[] }
  | {
      kind: 'media';
      media: MediaKind;
      bytes: Buffer;
      mimetype?: string;
      caption?: string;
      fileName?: string;
      ptt?: boolean;
      mentions?: string[];
    }
  | { kind: 'location'; latitude: number; longitude: number; name?: string; address?: string }
  | { kind: 'contacts'; contacts: ContactCard[] }
  | { kind: 'poll'; name: string; options: string[]; selectableCount: number }
  | { kind: 'reaction'; target: StoredMessage; emoji: string };

/** The parts of a stored Message row that address it and carry its content. */
export interface StoredMessage {
  messageId: string;
  chatId: string;
  fromMe: boolean;
  fromJid: string | null;
  content: MessageContent;
}

const DEFAULT_MIMETYPES: Partial<Record<MediaKind, string>> = {
  document: 'application/octet-stream',
  sticker: 'image/webp',
};
const VOICE_NOTE_MIMETYPE = 'audio/ogg; codecs=opus';

/** Plain text (not a caption, invite or other content shown as text): what WhatsApp lets its sender edit. */
export function isPlainText(content: MessageContent): boolean {
  const field = contentKey(content);
  return field === 'conversation' || field === 'extendedTextMessage';
}

/** The WhatsApp key of a stored message, as Baileys wants it for quotes, reactions, edits and revokes. */
export function keyOfStored(message: StoredMessage): WAMessageKey {
  const key: WAMessageKey = { remoteJid: message.chatId, fromMe: message.fromMe, id: message.messageId };
  if (isGroupJid(message.chatId) && !message.fromMe && message.fromJid) key.participant = message.fromJid;
  return key;
}

/** A stored message as a WAMessage (to quote or forward it), reduced to the content a person sees. */
export function storedAsWAMessage(message: StoredMessage): WAMessage {
  const key = keyOfStored(message);
  const field = contentKey(message.content);
  const inner = innerContent(message.content) as MessageContent | undefined;
  const visible = field && inner ? { [field]: inner[field] } : message.content;
  return { key, message: contentToProto(visible), ...(key.participant ? { participant: key.participant } : {}) };
}

/** Baileys' message content for one outgoing message; link previews are never generated. */
export function toBaileysContent(content: OutgoingContent): AnyMessageContent {
  switch (content.kind) {
    case 'text':
      return { text: content.text, linkPreview: null, ...(content.mentions?.length ? { mentions: content.mentions } : {}) };
    case 'media':
      return mediaContent(content);
    case 'location':
      return {
        location: {
          degreesLatitude: content.latitude,
          degreesLongitude: content.longitude,
          ...(content.name !== undefined ? { name: content.name } : {}),
          ...(content.address !== undefined ? { address: content.address } : {}),
        },
      };
    case 'contacts': {
      const cards = content.contacts.map((card) => ({ displayName: card.name, vcard: vcardOf(card) }));
      const displayName = cards.length === 1 ? cards[0]!.displayName : `${cards.length} contacts`;
      return { contacts: { displayName, contacts: cards } };
    }
    case 'poll':
      return { poll: { name: content.name, values: content.options, selectableCount: content.selectableCount } };
    case 'reaction':
      return { react: { text: content.emoji, key: keyOfStored(content.target) } };
  }
}

function mediaContent(content: Extract<OutgoingContent, { kind: 'media' }>): AnyMessageContent {
  const mimetype = content.mimetype ?? (content.media === 'audio' && content.ptt ? VOICE_NOTE_MIMETYPE : DEFAULT_MIMETYPES[content.media]);
  const mentions = content.mentions?.length ? { mentions: content.mentions } : {};
  const typed = mimetype ? { mimetype } : {};
  switch (content.media) {
    case 'image':
      return { image: content.bytes, ...typed, ...caption(content.caption), ...mentions };
    case 'video':
      return { video: content.bytes, ...typed, ...caption(content.caption), ...mentions };
    case 'audio':
      return { audio: content.bytes, ...typed, ptt: content.ptt === true };
    case 'sticker':
      return { sticker: content.bytes, ...typed };
    case 'document':
      return {
        document: content.bytes,
        mimetype: mimetype ?? DEFAULT_MIMETYPES.document!,
        fileName: content.fileName ?? 'file',
        ...caption(content.caption),
        ...mentions,
      };
  }
}

const caption = (text: string | undefined) => (text === undefined ? {} : { caption: text });

/** A vCard 3.0 with the WhatsApp id of the number, so the card offers "Message" on the phone. */
export function vcardOf({ name, phone }: ContactCard): string {
  const digits = phone.replace(/[^0-9]/g, '');
  return ['BEGIN:VCARD', 'VERSION:3.0', `FN:${escapeVcard(name)}`, `TEL;type=CELL;type=VOICE;waid=${digits}:+${digits}`, 'END:VCARD'].join(
    '\n',
  );
}

const escapeVcard = (value: string) =>
  value
    .replace(/\\/g, '\\\\')
    .replace(/\r?\n/g, '\\n')
    .replace(/([,;])/g, '\\$1');
