import { normalizeMessageContent, proto } from '@whiskeysockets/baileys';
import type { MessageType } from '../../db/database';

/** Message content as stored: the protobuf JSON form of a proto.Message (bytes base64, 64-bit numbers and enums as strings). */
export type MessageContent = Record<string, unknown>;

const TYPE_BY_KEY: Readonly<Record<string, MessageType>> = {
  conversation: 'TEXT',
  extendedTextMessage: 'TEXT',
  imageMessage: 'IMAGE',
  videoMessage: 'VIDEO',
  ptvMessage: 'VIDEO',
  audioMessage: 'AUDIO',
  documentMessage: 'DOCUMENT',
  stickerMessage: 'STICKER',
  lottieStickerMessage: 'STICKER',
  locationMessage: 'LOCATION',
  liveLocationMessage: 'LOCATION',
  contactMessage: 'CONTACT',
  contactsArrayMessage: 'CONTACT',
  pollCreationMessage: 'POLL',
  pollCreationMessageV2: 'POLL',
  pollCreationMessageV3: 'POLL',
  pollCreationMessageV4: 'POLL',
  pollCreationMessageV5: 'POLL',
  reactionMessage: 'REACTION',
  buttonsResponseMessage: 'BUTTON_REPLY',
  templateButtonReplyMessage: 'BUTTON_REPLY',
  interactiveResponseMessage: 'BUTTON_REPLY',
  listResponseMessage: 'LIST_REPLY',
};

/** Shown in a chat but without a type of its own in the schema: stored as TEXT, `metadata.contentType` says what it is. */
const SHOWN_AS_TEXT = new Set([
  'groupInviteMessage',
  'eventMessage',
  'buttonsMessage',
  'templateMessage',
  'listMessage',
  'interactiveMessage',
  'productMessage',
  'orderMessage',
  'highlyStructuredMessage',
  'sendPaymentMessage',
  'requestPaymentMessage',
  'paymentInviteMessage',
  'invoiceMessage',
  'newsletterAdminInviteMessage',
  'newsletterFollowerInviteMessageV2',
  'scheduledCallCreationMessage',
  'requestPhoneNumberMessage',
  'questionMessage',
  'questionReplyMessage',
  'richResponseMessage',
]);

/** Parts of a proto.Message that are transport, not content. */
const TRANSPORT_KEYS = ['senderKeyDistributionMessage', 'fastRatchetKeySenderKeyDistributionMessage'];

export interface UnwrappedContent {
  /** The innermost proto.Message (ephemeral, view-once, document-with-caption and edit wrappers removed). */
  content: proto.IMessage | undefined;
  viewOnce: boolean;
  ephemeral: boolean;
}

const VIEW_ONCE_WRAPPERS = ['viewOnceMessage', 'viewOnceMessageV2', 'viewOnceMessageV2Extension'];
/** Wrappers around the real content, in the order Baileys' normalizeMessageContent looks for them. */
const WRAPPERS = [
  'ephemeralMessage',
  'viewOnceMessage',
  'documentWithCaptionMessage',
  'viewOnceMessageV2',
  'viewOnceMessageV2Extension',
  'editedMessage',
];

type Layer = Record<string, unknown>;

/** The wrapper key of a layer, if it is one. */
function wrapperOf(layer: Layer): string | undefined {
  return WRAPPERS.find((key) => (layer[key] as Layer | null | undefined)?.message);
}

/** Unwraps a proto.Message (instance, plain object or its stored JSON) and says which wrappers it had. */
export function unwrapContent(message: proto.IMessage | MessageContent | null | undefined): UnwrappedContent {
  let viewOnce = false;
  let ephemeral = false;
  let layer = message as Layer | null | undefined;
  for (let depth = 0; layer && depth < 5; depth++) {
    const wrapper = wrapperOf(layer);
    if (!wrapper) break;
    if (wrapper === 'ephemeralMessage') ephemeral = true;
    if (VIEW_ONCE_WRAPPERS.includes(wrapper)) viewOnce = true;
    layer = (layer[wrapper] as Layer).message as Layer;
  }
  return { content: normalizeMessageContent(message as proto.IMessage) ?? undefined, viewOnce, ephemeral };
}

/** The content a person sees, inside any wrappers. */
export function innerContent<T extends proto.IMessage | MessageContent>(content: T | null | undefined): T | undefined {
  return (normalizeMessageContent(content as proto.IMessage) ?? undefined) as T | undefined;
}

/** The same content with its innermost message replaced, wrappers kept. */
export function replaceInner(content: MessageContent, inner: MessageContent): MessageContent {
  const wrapper = wrapperOf(content);
  if (!wrapper) return inner;
  const layer = content[wrapper] as Layer;
  return { ...content, [wrapper]: { ...layer, message: replaceInner(layer.message as MessageContent, inner) } };
}

/** The proto field that carries the (unwrapped) content: the first key with a MessageType, else a known visible one. */
export function contentKey(message: proto.IMessage | MessageContent | null | undefined): string | undefined {
  const content = innerContent(message);
  if (!content) return undefined;
  const present = (key: string) =>
    (content as Record<string, unknown>)[key] !== undefined && (content as Record<string, unknown>)[key] !== null;
  return Object.keys(TYPE_BY_KEY).find(present) ?? [...SHOWN_AS_TEXT].find(present);
}

/** The schema's MessageType of (possibly wrapped) content, or null when it is not a message a person sees (protocol, key distribution, poll votes…). */
export function messageTypeOf(content: proto.IMessage | MessageContent | null | undefined): MessageType | null {
  const key = contentKey(content);
  if (!key) return null;
  return TYPE_BY_KEY[key] ?? 'TEXT';
}

/** proto.Message (instance or plain object) → its protobuf JSON as sent, wrappers included, minus transport-only parts. */
export function contentToJson(content: proto.IMessage): MessageContent {
  const json = proto.Message.fromObject(content).toJSON() as MessageContent;
  for (const key of TRANSPORT_KEYS) delete json[key];
  return json;
}

/** Stored content → proto.Message, e.g. to hand `{ key, message }` to Baileys' downloadMediaMessage. */
export function contentToProto(content: MessageContent): proto.Message {
  return proto.Message.fromObject(content);
}

type Fields = Record<string, unknown> | undefined;

/** The contextInfo of whatever message type the (unwrapped) content is. */
export function contextInfoOf(content: MessageContent): Fields {
  const key = contentKey(content);
  const inner = key ? (innerContent(content)![key] as Fields) : undefined;
  return inner && typeof inner === 'object' ? (inner.contextInfo as Fields) : undefined;
}

const PREVIEW_LENGTH = 200;

/** A short human-readable text of the content for chat previews. */
export function previewText(content: MessageContent): string | undefined {
  const text = messageText(content);
  return text === undefined ? undefined : clip(text);
}

/** The text a person reads in the content: the body, a caption, a title or name; undefined when there is none. */
export function messageText(content: MessageContent): string | undefined {
  const key = contentKey(content);
  if (!key) return undefined;
  const inner = innerContent(content)![key];
  if (typeof inner === 'string') return inner;
  const fields = (inner ?? {}) as Record<string, unknown>;
  const candidates = [
    fields.text,
    fields.caption,
    fields.selectedDisplayText,
    fields.title,
    fields.name,
    fields.displayName,
    fields.fileName,
    fields.address,
    fields.groupName,
    (fields.body as Fields)?.text,
    (fields.singleSelectReply as Fields)?.selectedRowId,
  ];
  return candidates.find((value): value is string => typeof value === 'string' && value.length > 0);
}

const clip = (value: string) => (value.length > PREVIEW_LENGTH ? `${value.slice(0, PREVIEW_LENGTH - 1)}…` : value);
