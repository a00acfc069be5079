import { proto, type WAMessage, type WAMessageKey } from '@whiskeysockets/baileys';
import type { Selectable } from 'kysely';
import type { MessageStatus, MessageTable } from '../../db/database';
import { isBroadcastJid, isGroupJid, isLidJid, isStatusBroadcast, normalizeJid, type LidMap } from '../jids';
import type { MappingContext } from './context';
import type { MessageActor } from './message-identity';
import { contentKey, contentToJson, contextInfoOf, messageTypeOf, unwrapContent, type MessageContent } from './message-content';
import { receiptsFromUserReceipts, reactionsFromList, type MessageMetadata } from './message-metadata';
import { maxStatus, statusFromWhatsApp } from './message-status';
import { compact, dateFromMillis, dateFromSeconds, ID_LENGTH, toNumber, type LongLike } from './values';

/** A Message row as mapped from WhatsApp, before it gets its row id and session. */
export type MessageInput = Omit<Selectable<MessageTable>, 'id' | 'sessionId' | 'createdAt' | 'updatedAt' | 'content' | 'metadata'> & {
  content: MessageContent;
  metadata: MessageMetadata;
};

/** What one WAMessage means for the store. */
export type MessageIntent =
  | { kind: 'row'; message: MessageInput }
  | { kind: 'edit'; targetId: string; chatId: string; by: MessageActor; content: MessageContent; editedAt: Date }
  | { kind: 'revoke'; targetId: string; chatId: string; by: MessageActor; revokedAt: Date; revokedBy?: string }
  | { kind: 'ignore' };

/** Stored status of a new message: what WhatsApp says, at least DELIVERED for received ones, SENT for our own without a status. */
function initialStatus(message: WAMessage, fromMe: boolean, receiptStatus: MessageStatus | undefined): MessageStatus {
  const reported = statusFromWhatsApp(message.status as number | string | null | undefined);
  let status: MessageStatus = fromMe ? (reported ?? 'SENT') : reported === 'READ' ? 'READ' : 'DELIVERED';
  if (receiptStatus) status = maxStatus(status, receiptStatus);
  return status;
}

export function secondsToDate(value: LongLike): Date {
  return dateFromSeconds(value) ?? new Date();
}

interface Addressing {
  chatId: string;
  fromJid: string | null;
  toJid: string;
  metadata: Pick<MessageMetadata, 'chatLid' | 'senderLid' | 'broadcast'>;
}

/** Chat, sender and recipient of a message key, as phone JIDs when known. */
export function addressOf(key: WAMessageKey, participant: string | null | undefined, ctx: MappingContext): Addressing {
  const { lids } = ctx;
  const remote = normalizeJid(key.remoteJid ?? '');
  const fromMe = !!key.fromMe;
  const sender = normalizeJid(key.participant ?? participant ?? undefined);
  const broadcastList = isBroadcastJid(remote) && !isStatusBroadcast(remote);
  const chatRaw = broadcastList && !fromMe && sender ? sender : remote;
  const chatId = lids.preferPhone(chatRaw);
  const me = ctx.me ? lids.preferPhone(ctx.me.id) : undefined;
  const meLid = ctx.me?.lid ? normalizeJid(ctx.me.lid) : me ? lids.toLid(me) : undefined;
  const shared = isGroupJid(remote) || isStatusBroadcast(remote) || broadcastList;

  let fromJid: string | null;
  let senderLid: string | undefined;
  if (fromMe) {
    fromJid = me ?? null;
    senderLid = meLid;
  } else if (shared) {
    fromJid = sender ? lids.preferPhone(sender) : null;
    senderLid = sender ? lids.toLid(sender) : undefined;
  } else {
    fromJid = chatId;
    senderLid = lids.toLid(chatRaw);
  }
  const toJid = fromMe || shared ? (broadcastList && fromMe ? remote : chatId) : (me ?? '');
  return {
    chatId,
    fromJid,
    toJid,
    metadata: compact({
      chatLid: isLidJid(chatId) || isGroupJid(chatId) || isBroadcastJid(chatId) ? undefined : lids.toLid(chatId),
      senderLid: fromJid && isLidJid(fromJid) ? undefined : senderLid,
      broadcast: broadcastList ? remote : undefined,
    }),
  };
}

export const PROTOCOL = proto.Message.ProtocolMessage.Type;

/** A protocol message type given as number or enum name. */
export function protocolType(value: unknown): number | undefined {
  return typeof value === 'string' ? PROTOCOL[value as keyof typeof PROTOCOL] : (value as number | undefined);
}

/** Decides what a message from `messages.upsert` or a history set means: a row, an edit or revoke of another one, or nothing. */
export function classifyMessage(message: WAMessage, ctx: MappingContext, source: 'live' | 'history'): MessageIntent {
  const key = message.key;
  if (!key?.id || !key.remoteJid || key.id.length > ID_LENGTH) return { kind: 'ignore' };
  const { content, viewOnce, ephemeral } = unwrapContent(message.message);

  const protocol = content?.protocolMessage;
  if (protocol) {
    const targetId = protocol.key?.id;
    if (!targetId) return { kind: 'ignore' };
    const type = protocolType(protocol.type);
    const { chatId, fromJid } = addressOf(key, message.participant, ctx);
    const by: MessageActor = { fromMe: !!key.fromMe, ...(fromJid ? { jid: fromJid } : {}) };
    if (type === PROTOCOL.REVOKE) {
      const revokedAt = secondsToDate(message.messageTimestamp as LongLike);
      return { kind: 'revoke', targetId, chatId, by, revokedAt, ...(fromJid ? { revokedBy: fromJid } : {}) };
    }
    if (type === PROTOCOL.MESSAGE_EDIT && protocol.editedMessage) {
      const editedAt = dateFromMillis(protocol.timestampMs as LongLike) ?? secondsToDate(message.messageTimestamp as LongLike);
      return { kind: 'edit', targetId, chatId, by, content: contentToJson(protocol.editedMessage), editedAt };
    }
    return { kind: 'ignore' };
  }

  const messageType = messageTypeOf(content);
  if (!content || !messageType) return { kind: 'ignore' };
  const json = contentToJson(message.message!);
  const fromMe = !!key.fromMe;
  const address = addressOf(key, message.participant, ctx);
  const receipts = receiptsFromUserReceipts(message.userReceipt, ctx.lids);
  const reaction = messageType === 'REACTION' ? content.reactionMessage?.key : undefined;
  const contextInfo = contextInfoOf(json);
  const quotedId = reaction?.id ?? (contextInfo?.stanzaId as string | undefined);
  const quoted = quotedId && quotedId.length <= ID_LENGTH ? quotedId : null;
  const ephemeralExpiration = toNumber(contextInfo?.expiration as LongLike);

  const metadata: MessageMetadata = compact({
    source,
    contentType: contentKey(content),
    pushName: message.pushName ?? undefined,
    verifiedBizName: message.verifiedBizName ?? undefined,
    ...address.metadata,
    addressingMode: key.addressingMode,
    viewOnce: viewOnce || undefined,
    ephemeral: ephemeral || undefined,
    ephemeralExpiration: ephemeralExpiration || undefined,
    forwarded: (contextInfo?.isForwarded as boolean | undefined) || undefined,
    mentions: mentionsOf(contextInfo, ctx.lids),
    reactionTo: reaction?.id ? { messageId: reaction.id, fromMe: !!reaction.fromMe } : undefined,
    receipts: receipts.byRecipient,
    reactions: reactionsFromList(message.reactions, ctx),
    starred: message.starred || undefined,
    requestId: (message as { requestId?: string }).requestId,
  });

  return {
    kind: 'row',
    message: {
      messageId: key.id,
      chatId: address.chatId,
      fromMe,
      fromJid: address.fromJid,
      toJid: address.toJid,
      messageType,
      content: json,
      status: initialStatus(message, fromMe, receipts.status),
      timestamp: secondsToDate(message.messageTimestamp as LongLike),
      quotedMessage: quoted,
      metadata,
    },
  };
}

function mentionsOf(contextInfo: Record<string, unknown> | undefined, lids: LidMap): string[] | undefined {
  const mentioned = contextInfo?.mentionedJid;
  if (!Array.isArray(mentioned) || mentioned.length === 0) return undefined;
  return mentioned.map((jid) => lids.preferPhone(String(jid)));
}
