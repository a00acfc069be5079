import type { proto } from '@whiskeysockets/baileys';
import type { MessageStatus } from '../../db/database';
import { isGroupJid, isStatusBroadcast, normalizeJid, type LidMap } from '../jids';
import type { MessageContent } from './message-content';
import type { MappingContext } from './context';
import { maxStatus } from './message-status';
import { compact, dateFromMillis, dateFromSeconds, type LongLike } from './values';

/** What a recipient has done with one of our messages; ISO timestamps. */
export interface Receipt {
  deliveredAt?: string;
  readAt?: string;
  playedAt?: string;
}

export interface Reaction {
  text: string;
  at?: string;
}

/** Message.metadata: everything WhatsApp said about a message that has no column of its own. */
export interface MessageMetadata {
  /** 'history' for rows from a history sync, 'live' otherwise. */
  source?: 'live' | 'history';
  /** The proto field of the content (conversation, imageMessage, groupInviteMessage…). */
  contentType?: string;
  pushName?: string;
  verifiedBizName?: string;
  /** LID of the chat / sender, kept when the columns hold phone JIDs. */
  chatLid?: string;
  senderLid?: string;
  /** The broadcast list a message came through. */
  broadcast?: string;
  addressingMode?: string;
  viewOnce?: boolean;
  ephemeral?: boolean;
  ephemeralExpiration?: number;
  forwarded?: boolean;
  mentions?: string[];
  /** For REACTION rows: the message reacted to. */
  reactionTo?: { messageId: string; fromMe: boolean };
  /** By recipient phone JID (groups and broadcasts; 1:1 receipts move the status only). */
  receipts?: Record<string, Receipt>;
  /** Current reaction of each person to this message, by their JID. */
  reactions?: Record<string, Reaction>;
  starred?: boolean;
  requestId?: string;
  /** Set when the text or caption was edited; originalContent is the content before the first edit. */
  editedAt?: string;
  originalContent?: MessageContent;
  /** Deleted for everyone: the row and its content stay, flagged. */
  revoked?: boolean;
  revokedAt?: string;
  revokedBy?: string;
  /** Deleted for me (app state) or chat cleared: the row stays, flagged. */
  deleted?: boolean;
  deletedAt?: string;
}

export interface ReceiptSummary {
  byRecipient?: Record<string, Receipt>;
  /** The highest status the receipts prove. */
  status?: MessageStatus;
}

export function receiptFromUserReceipt(receipt: proto.IUserReceipt): Receipt {
  return compact({
    deliveredAt: dateFromSeconds(receipt.receiptTimestamp as LongLike)?.toISOString(),
    readAt: dateFromSeconds(receipt.readTimestamp as LongLike)?.toISOString(),
    playedAt: dateFromSeconds(receipt.playedTimestamp as LongLike)?.toISOString(),
  });
}

export function statusOfReceipt(receipt: Receipt): MessageStatus | undefined {
  if (receipt.readAt || receipt.playedAt) return 'READ';
  return receipt.deliveredAt ? 'DELIVERED' : undefined;
}

export function receiptsFromUserReceipts(list: proto.IUserReceipt[] | null | undefined, lids: LidMap): ReceiptSummary {
  if (!list?.length) return {};
  const byRecipient: Record<string, Receipt> = {};
  let status: MessageStatus | undefined;
  for (const entry of list) {
    if (!entry.userJid) continue;
    const receipt = receiptFromUserReceipt(entry);
    const jid = lids.preferPhone(entry.userJid);
    byRecipient[jid] = { ...byRecipient[jid], ...receipt };
    const proven = statusOfReceipt(receipt);
    if (proven) status = status ? maxStatus(status, proven) : proven;
  }
  return { byRecipient: Object.keys(byRecipient).length ? byRecipient : undefined, status };
}

/** Who sent a reaction (or any message) with this key, as a phone JID when known. */
export function authorOf(key: proto.IMessageKey | null | undefined, ctx: MappingContext): string | undefined {
  if (!key) return undefined;
  if (key.fromMe) return ctx.me ? ctx.lids.preferPhone(ctx.me.id) : undefined;
  const remote = key.remoteJid ?? undefined;
  const author = key.participant || (isGroupJid(remote) || isStatusBroadcast(remote) ? undefined : remote);
  return author ? ctx.lids.preferPhone(normalizeJid(author)) : undefined;
}

/** Applies reactions in order: the latest per author wins, an empty text takes the reaction back. */
export function applyReactions(
  current: Record<string, Reaction> | undefined,
  reactions: proto.IReaction[],
  ctx: MappingContext,
): Record<string, Reaction> | undefined {
  const result = { ...current };
  for (const reaction of reactions) {
    const author = authorOf(reaction.key, ctx);
    if (!author) continue;
    const at = dateFromMillis(reaction.senderTimestampMs as LongLike)?.toISOString();
    if (reaction.text) result[author] = at ? { text: reaction.text, at } : { text: reaction.text };
    else delete result[author];
  }
  return Object.keys(result).length ? result : undefined;
}

export function reactionsFromList(list: proto.IReaction[] | null | undefined, ctx: MappingContext): Record<string, Reaction> | undefined {
  return list?.length ? applyReactions(undefined, list, ctx) : undefined;
}
