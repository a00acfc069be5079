import { generateMessageIDV2, generateWAMessage, isJidGroup, isLidUser, isPnUser } from '@whiskeysockets/baileys';
import type { AnyMessageContent, MessageRelayOptions, WAMessage, WAPresence } from '@whiskeysockets/baileys';
import type { SessionIngest } from '../session-ingest';
import type { SessionIdentity } from '../session-identity';
import type { WASocket } from '../socket-factory';
import { dateFromSeconds, type LongLike } from '../mapping/values';
import { keyOfStored, storedAsWAMessage, toBaileysContent, type OutgoingContent, type StoredMessage } from './message-content';

/** What WhatsApp made of a message this session sent. */
export interface SentMessage {
  messageId: string;
  timestamp: Date;
}

export interface SendOptions {
  /** A WhatsApp message id of our choosing (idempotent sends); one is made otherwise. */
  messageId?: string;
  /** The stored message this one replies to. */
  quoted?: StoredMessage;
}

/** Where a sent message is stored: the session's ingest, as if WhatsApp had reported it. */
export interface SentMessageStore {
  ingest: SessionIngest;
  session: SessionIdentity;
}

export function sendContent(
  store: SentMessageStore,
  socket: WASocket,
  jid: string,
  content: OutgoingContent,
  options: SendOptions = {},
): Promise<SentMessage> {
  return sendAndStore(store, socket, jid, toBaileysContent(content), options);
}

/** Forwards a stored message (marked as forwarded, also our own). */
export function forwardMessage(
  store: SentMessageStore,
  socket: WASocket,
  jid: string,
  source: StoredMessage,
  options: SendOptions = {},
): Promise<SentMessage> {
  return sendAndStore(store, socket, jid, { forward: storedAsWAMessage(source), force: true }, options);
}

/** Replaces the text of one of our text messages for everyone in the chat. */
export function editText(store: SentMessageStore, socket: WASocket, target: StoredMessage, text: string): Promise<SentMessage> {
  return sendAndStore(store, socket, target.chatId, { text, edit: keyOfStored(target), linkPreview: null }, {});
}

/** Deletes a message for everyone (ours, or someone else's in a group we administer). */
export function revokeMessage(store: SentMessageStore, socket: WASocket, target: StoredMessage): Promise<SentMessage> {
  return sendAndStore(store, socket, target.chatId, { delete: keyOfStored(target) }, {});
}

/**
 * Builds, relays and stores a message before answering. This is Baileys' sendMessage without its "own
 * events": the session's ingest would store the same message a second time, racing this store (two
 * messages.upsert events). WhatsApp's ack and receipts may still overtake the row; the ingest holds
 * them until the row exists (EarlyOperations), so a refusal is already on the row this writes.
 */
async function sendAndStore(
  store: SentMessageStore,
  socket: WASocket,
  jid: string,
  content: AnyMessageContent,
  options: SendOptions,
): Promise<SentMessage> {
  const userJid = socket.authState.creds.me?.id;
  if (!userJid) throw new Error('the session is not logged in');
  const messageId = options.messageId ?? generateMessageIDV2(socket.user?.id);
  const message = await generateWAMessage(jid, content, {
    userJid,
    messageId,
    upload: socket.waUploadToServer,
    ...(options.quoted ? { quoted: storedAsWAMessage(options.quoted) } : {}),
  });
  await socket.relayMessage(jid, message.message!, { messageId, ...relayAttributes(content) });
  await addAlternateAddress(socket, message);
  await store.ingest.apply(store.session, { 'messages.upsert': { messages: [message], type: 'append' } }, socket);
  return { messageId, timestamp: dateFromSeconds(message.messageTimestamp as LongLike) ?? new Date() };
}

/** Tells the store the chat's other address (phone number for a LID, LID for a phone number) when Baileys knows it. */
async function addAlternateAddress(socket: WASocket, message: WAMessage): Promise<void> {
  const remote = message.key.remoteJid ?? undefined;
  const mapping = socket.signalRepository.lidMapping;
  try {
    if (isLidUser(remote)) message.key.remoteJidAlt = (await mapping.getPNForLID(remote!)) ?? undefined;
    else if (isPnUser(remote)) message.key.remoteJidAlt = (await mapping.getLIDForPN(remote!)) ?? undefined;
  } catch {
    // Without the mapping the chat is stored under the address the message was sent to.
  }
}

/** The stanza attributes sendMessage adds: edit="1" for edits, "7" (own) or "8" (admin) for revokes, a meta node for polls. */
function relayAttributes(content: AnyMessageContent): Pick<MessageRelayOptions, 'additionalAttributes' | 'additionalNodes'> {
  if ('delete' in content && content.delete) {
    return { additionalAttributes: { edit: isJidGroup(content.delete.remoteJid ?? undefined) && !content.delete.fromMe ? '8' : '7' } };
  }
  if ('edit' in content && content.edit) return { additionalAttributes: { edit: '1' } };
  if ('poll' in content && content.poll) return { additionalNodes: [{ tag: 'meta', attrs: { polltype: 'creation' } }] };
  return {};
}

/** proto.WebMessageInfo.Status.READ */
const STATUS_READ = 4;

/** The JID WhatsApp knows a phone number by, or undefined when the number has no WhatsApp account. */
export async function whatsAppJidOf(socket: WASocket, phoneDigits: string): Promise<string | undefined> {
  const results = await socket.onWhatsApp(`+${phoneDigits}`);
  const found = results?.find((result) => result.exists);
  return found ? String(found.jid) : undefined;
}

/** Sends read receipts for received messages and stores them as read, with the chat's unread count at zero. */
export async function readMessages(
  ingest: SessionIngest,
  session: SessionIdentity,
  socket: WASocket,
  chatJid: string,
  messages: readonly StoredMessage[],
): Promise<void> {
  const keys = messages.map(keyOfStored);
  if (keys.length) await socket.readMessages(keys);
  await ingest.apply(
    session,
    {
      'messages.update': keys.map((key) => ({ key, update: { status: STATUS_READ } })),
      'chats.update': [{ id: chatJid, unreadCount: 0 }],
    },
    socket,
  );
}

export type PresenceState = Extract<WAPresence, 'available' | 'unavailable' | 'composing' | 'recording' | 'paused'>;

/** Whether WhatsApp knows this account's profile name: Baileys drops online/offline presence without one. */
export function hasProfileName(socket: WASocket): boolean {
  return !!socket.authState.creds.me?.name;
}

/** Online/offline for everyone subscribed, or typing/recording/paused in one chat. */
export async function sendPresence(socket: WASocket, state: PresenceState, chatJid?: string): Promise<void> {
  await socket.sendPresenceUpdate(state, chatJid);
}
