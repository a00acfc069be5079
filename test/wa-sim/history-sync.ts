import { deflateSync } from 'node:zlib';
import { proto } from '@whiskeysockets/baileys';
import { shareableAppStateKey } from './app-state';
import type { SimContext } from './context';
import type { AccountRecord, DeviceRecord, DeviceRef } from './directory';
import { nowSeconds, userJid } from './jid';
import { node, serverId, timestamp } from './stanza';
import { ControlError, type HistoryRequest, type HistoryResult } from './types';

const DEFAULT_CHUNK_SIZE = 5000;
const MAX_MESSAGES = 1_000_000;
const { HistorySyncType } = proto.HistorySync;

let pushSeq = 0;

/**
 * History sync from the account's phone to its linked devices, sent as `<plaintext>` peer
 * messages from device 0 (the phone holds no Signal keys, and Baileys accepts plaintext without
 * decryption). Payloads travel inline (zlib) in the notification: a HistorySyncNotification has no
 * URL field, so a media-hosted blob would always be fetched from mmg.whatsapp.net.
 */
export class HistorySync {
  constructor(private readonly ctx: () => SimContext) {}

  /** What a phone sends a freshly linked device: the app-state key and the initial bootstrap. */
  sendInitialSync(ref: DeviceRef): void {
    const { account, device } = ref;
    device.initialSyncDone = true;
    this.sendFromPhone(ref, {
      protocolMessage: {
        type: proto.Message.ProtocolMessage.Type.APP_STATE_SYNC_KEY_SHARE,
        appStateSyncKeyShare: { keys: [shareableAppStateKey(account)] },
      },
    });
    const others = this.ctx()
      .core.directory.all()
      .filter((other) => other !== account);
    this.sendChunk(ref, HistorySyncType.INITIAL_BOOTSTRAP, {
      syncType: HistorySyncType.INITIAL_BOOTSTRAP,
      conversations: [],
      pushnames: others.map((other) => ({ id: userJid(other.phone, 'pn'), pushname: other.name })),
      phoneNumberToLidMappings: others.map((other) => ({ pnJid: userJid(other.phone, 'pn'), lidJid: userJid(other.lid, 'lid') })),
      chunkOrder: 0,
      progress: 100,
    });
  }

  /**
   * Generates chats/contacts/messages and pushes them to the account's linked devices, one RECENT
   * notification per chunk (contacts come with their conversations' names).
   */
  push(account: AccountRecord, request: HistoryRequest): HistoryResult {
    return this.prepare(account, request).send();
  }

  /**
   * Does the phone's part ahead of time (generating, encoding and compressing every chunk) and
   * returns the sending of it, so a benchmark can time the sync alone.
   */
  prepare(account: AccountRecord, request: HistoryRequest): PreparedHistory {
    const chats = Math.floor(request.chats);
    const perChat = Math.floor(request.messagesPerChat);
    const chunkSize = Math.floor(request.chunkSize ?? DEFAULT_CHUNK_SIZE);
    if (!(chats >= 0 && perChat >= 0 && chunkSize > 0) || chats * perChat > MAX_MESSAGES) {
      throw new ControlError(400, `chats, messagesPerChat and chunkSize must be non-negative (at most ${MAX_MESSAGES} messages)`);
    }
    const targets = this.targets(account, request.deviceId);
    if (!targets.length) throw new ControlError(409, `account ${account.phone} has no linked device to sync history to`);
    const chunks = generateChunks(account, chats, perChat, chunkSize).map((history) => encodeChunk(HistorySyncType.RECENT, history));
    const { directory } = this.ctx().core;
    return {
      chunks: chunks.length,
      messages: chats * perChat,
      send: () => {
        for (const device of targets) {
          for (const chunk of chunks) this.sendFromPhone({ account, device }, chunk);
        }
        return {
          chunks: chunks.length,
          chats,
          messages: chats * perChat,
          devices: targets.map((device) => directory.jidOf(account, 'pn', device.id)),
        };
      },
    };
  }

  private targets(account: AccountRecord, deviceId?: number): DeviceRecord[] {
    const devices = this.ctx().core.directory.devicesOf(account);
    if (deviceId !== undefined) {
      const device = account.devices[deviceId];
      if (!device) throw new ControlError(404, `account ${account.phone} has no device ${deviceId}`);
      return [device];
    }
    return devices.filter((device) => !device.hosted);
  }

  private sendChunk(ref: DeviceRef, syncType: proto.HistorySync.HistorySyncType, history: proto.IHistorySync) {
    this.sendFromPhone(ref, encodeChunk(syncType, history));
  }

  private sendFromPhone(ref: DeviceRef, message: proto.IMessage) {
    const { account } = ref;
    const stanza = node(
      'message',
      { from: userJid(account.phone, 'pn'), id: serverId(), type: 'text', category: 'peer', t: timestamp(), notify: account.name },
      [node('plaintext', {}, Buffer.from(proto.Message.encode(message).finish()))],
    );
    this.ctx().core.deliver(ref, stanza);
  }
}

export interface PreparedHistory {
  chunks: number;
  messages: number;
  /** Sends every chunk to every target device; call once. */
  send(): HistoryResult;
}

/** The history-sync notification carrying one compressed chunk inline. */
function encodeChunk(syncType: proto.HistorySync.HistorySyncType, history: proto.IHistorySync): proto.IMessage {
  const payload = deflateSync(proto.HistorySync.encode(history).finish());
  return {
    protocolMessage: {
      type: proto.Message.ProtocolMessage.Type.HISTORY_SYNC_NOTIFICATION,
      historySyncNotification: {
        syncType,
        chunkOrder: history.chunkOrder ?? 0,
        progress: history.progress ?? undefined,
        fileLength: payload.length,
        initialHistBootstrapInlinePayload: payload,
      },
    },
  };
}

const contactJid = (c: number) => userJid(`1999${String(c).padStart(7, '0')}`, 'pn');
const contactName = (c: number) => `History Contact ${c + 1}`;

/**
 * Chat c holds messages one minute apart, chat after chat, ending now: message m of chat c is at
 * now - (total - (c * perChat + m)) minutes. Like WhatsApp, the most recent chats come first and
 * each conversation lists its messages newest first (Baileys takes the first as the chat's last).
 */
function generateChunks(account: AccountRecord, chats: number, perChat: number, chunkSize: number): proto.IHistorySync[] {
  const seq = ++pushSeq;
  const start = nowSeconds() - chats * perChat * 60;
  const chunks: proto.IHistorySync[] = [];
  let current: proto.IConversation[] = [];
  let inChunk = 0;
  const flush = () => {
    if (!current.length) return;
    chunks.push({ syncType: HistorySyncType.RECENT, conversations: current, chunkOrder: chunks.length });
    current = [];
    inChunk = 0;
  };
  const newConversation = (c: number): proto.IConversation => {
    const conversation = { id: contactJid(c), name: contactName(c), displayName: contactName(c), messages: [], unreadCount: 0 };
    current.push(conversation);
    return conversation;
  };
  for (let c = chats - 1; c >= 0; c--) {
    let conversation: proto.IConversation | undefined;
    for (let m = perChat - 1; m >= 0; m--) {
      conversation ??= newConversation(c);
      const fromMe = m % 3 === 2;
      const t = start + (c * perChat + m) * 60;
      conversation.conversationTimestamp ??= t;
      conversation.messages!.push({
        msgOrderId: m + 1,
        message: {
          key: { remoteJid: contactJid(c), fromMe, id: `HS${seq}C${c}M${m}` },
          message: { conversation: `History message ${m + 1} of chat ${c + 1}` },
          messageTimestamp: t,
          status: fromMe ? proto.WebMessageInfo.Status.READ : undefined,
          pushName: fromMe ? account.name : contactName(c),
        },
      });
      if (++inChunk >= chunkSize) {
        flush();
        conversation = undefined;
      }
    }
    if (perChat === 0) newConversation(c);
  }
  flush();
  if (!chunks.length) chunks.push({ syncType: HistorySyncType.RECENT, conversations: [], chunkOrder: 0 });
  chunks.forEach((chunk, i) => (chunk.progress = Math.round(((i + 1) / chunks.length) * 100)));
  return chunks;
}
