import { finished, type Readable } from 'node:stream';
import type { Principal } from '../auth/principal';
import type { AppContext } from '../context';
import type { Session } from '../db/database';
import { badRequest, conflict, HttpError, notFound } from '../http/errors';
import { parseJid } from '../http/jid-param';
import { isGroupJid } from '../whatsapp/jids';
import { parseMediaHosts } from '../whatsapp/media-hosts';
import {
  downloadStoredMedia,
  MediaDownloadError,
  mediaInfoOf,
  type MediaDownloadLimits,
  type MediaInfo,
} from '../whatsapp/operations/media';
import { isPlainText } from '../whatsapp/operations/message-content';
import { editText, hasProfileName, readMessages, revokeMessage, sendPresence, type PresenceState } from '../whatsapp/operations/messages';
import { findChat, findMessage } from '../whatsapp/store/read-queries';
import type { MessageRecord } from '../whatsapp/store/records';
import { findMessagesByIds, findUnreadIncoming } from './message-repository';
import { storedMessage } from './outgoing-content';

/** WhatsApp refuses edits of messages older than this. */
const EDIT_WINDOW_MS = 15 * 60_000;
/** Marking a whole chat read covers at most this many unread messages (the newest). */
const READ_ALL_LIMIT = 500;
const CHAT_STATES = new Set<PresenceState>(['composing', 'recording', 'paused']);

export interface StoredMedia extends MediaInfo {
  stream: Readable;
  isDocument: boolean;
}

/** What a person does with existing messages and chats: edit, delete for everyone, mark read, type, download media. */
export class MessageActions {
  private readonly mediaLimits: MediaDownloadLimits;

  constructor(private readonly ctx: AppContext) {
    this.mediaLimits = {
      hosts: parseMediaHosts(ctx.config.WHATSAPP_MEDIA_HOSTS),
      maxBytes: ctx.config.MEDIA_MAX_BYTES,
      timeoutMs: ctx.config.MEDIA_FETCH_TIMEOUT_MS,
    };
  }

  async edit(principal: Principal, sessionId: string, messageId: string, text: string): Promise<MessageRecord> {
    const session = await this.ctx.sessions.find(principal, sessionId);
    const target = await storedMessage(this.ctx.db, session.id, messageId);
    if (!target.fromMe) throw new HttpError(422, 'Only messages sent from this session can be edited');
    if (!isPlainText(target.content)) {
      throw new HttpError(422, `Only text messages can be edited; this one is ${target.messageType.toLowerCase()}`);
    }
    if (target.metadata?.revoked) throw conflict('The message was deleted for everyone and cannot be edited');
    if (Date.now() - target.timestamp.getTime() > EDIT_WINDOW_MS) {
      throw new HttpError(422, 'WhatsApp only allows edits within 15 minutes of sending');
    }
    await this.ctx.sessions.withSocket(principal, sessionId, (socket, current) =>
      editText({ ingest: this.ctx.ingest, session: current }, socket, target, text),
    );
    return (await findMessage(this.ctx.db, session.id, messageId))!;
  }

  async revoke(principal: Principal, sessionId: string, messageId: string): Promise<MessageRecord> {
    const session = await this.ctx.sessions.find(principal, sessionId);
    const target = await storedMessage(this.ctx.db, session.id, messageId);
    if (target.metadata?.revoked) throw conflict('The message was already deleted for everyone');
    if (!target.fromMe && !isGroupJid(target.chatId)) {
      throw new HttpError(422, 'Only your own messages can be deleted for everyone (and others\u2019 in groups you administer)');
    }
    await this.ctx.sessions.withSocket(principal, sessionId, (socket, current) =>
      revokeMessage({ ingest: this.ctx.ingest, session: current }, socket, target),
    );
    return (await findMessage(this.ctx.db, session.id, messageId))!;
  }

  /** Sends read receipts for the given received messages of a chat, or for all its unread ones; the chat's unread count drops to 0. */
  async markRead(
    principal: Principal,
    sessionId: string,
    chatParam: string,
    messageIds?: string[],
  ): Promise<{ chatId: string; messageIds: string[] }> {
    const session = await this.ctx.sessions.find(principal, sessionId);
    const chatId = parseJid(chatParam);
    const chat = await findChat(this.ctx.db, session.id, chatId);
    const chatIds = [chatId, ...(chat?.metadata?.lid ? [chat.metadata.lid] : [])];
    let messages: MessageRecord[];
    if (messageIds) {
      messages = await findMessagesByIds(this.ctx.db, session.id, messageIds);
      const missing = messageIds.filter((id) => !messages.some((message) => message.messageId === id));
      if (missing.length) throw notFound(`Message "${missing[0]}" not found`);
      const foreign = messages.find((message) => !chatIds.includes(message.chatId));
      if (foreign) throw new HttpError(422, `Message "${foreign.messageId}" is in chat ${foreign.chatId}, not in ${chatId}`);
      const own = messages.find((message) => message.fromMe);
      if (own) throw new HttpError(422, `Message "${own.messageId}" was sent from this session; only received messages can be marked read`);
    } else {
      messages = await findUnreadIncoming(this.ctx.db, session.id, chatIds, READ_ALL_LIMIT);
      if (!chat && messages.length === 0) throw notFound(`Chat "${chatId}" not found`);
    }
    await this.ctx.sessions.withSocket(principal, sessionId, (socket, current: Session) =>
      readMessages(this.ctx.ingest, current, socket, chatId, messages),
    );
    return { chatId, messageIds: messages.map((message) => message.messageId) };
  }

  async presence(
    principal: Principal,
    sessionId: string,
    state: PresenceState,
    to?: string,
  ): Promise<{ state: PresenceState; to: string | null }> {
    await this.ctx.sessions.find(principal, sessionId);
    const chat = to === undefined ? undefined : parseJid(to);
    if (CHAT_STATES.has(state) && !chat) throw badRequest(`"to" (the chat) is required for ${state}`);
    await this.ctx.sessions.withSocket(principal, sessionId, async (socket) => {
      if (!CHAT_STATES.has(state) && !hasProfileName(socket)) {
        throw new HttpError(422, 'WhatsApp ignores online/offline presence until the account has a profile name');
      }
      await sendPresence(socket, state, CHAT_STATES.has(state) ? chat : undefined);
    });
    return { state, to: CHAT_STATES.has(state) ? chat! : null };
  }

  /** The decrypted media of a stored message, streamed from WhatsApp's media servers (no connection needed). */
  async media(principal: Principal, sessionId: string, messageId: string): Promise<StoredMedia> {
    const session = await this.ctx.sessions.find(principal, sessionId);
    const message = await storedMessage(this.ctx.db, session.id, messageId);
    const info = mediaInfoOf(message.content);
    if (!info) throw new HttpError(422, `Message "${messageId}" has no media (it is ${message.messageType.toLowerCase()})`);
    if (info.fileLength !== undefined && info.fileLength > this.mediaLimits.maxBytes) {
      throw new HttpError(
        422,
        `The media is ${info.fileLength} bytes, larger than the limit of ${this.mediaLimits.maxBytes} bytes (MEDIA_MAX_BYTES); nothing was downloaded`,
      );
    }
    const release = await this.ctx.mediaWork.acquire(principal.id);
    try {
      const stream = await downloadStoredMedia(message, this.mediaLimits);
      // The turn lasts until the response has been sent, or the client went away.
      finished(stream, release);
      return { ...info, stream, isDocument: message.messageType === 'DOCUMENT' };
    } catch (error) {
      release();
      if (error instanceof MediaDownloadError && error.kind === 'refused') throw new HttpError(422, error.message);
      throw new HttpError(
        error instanceof MediaDownloadError && error.kind === 'timeout' ? 504 : 502,
        `The media could not be downloaded: ${(error as Error).message}`,
      );
    }
  }
}
