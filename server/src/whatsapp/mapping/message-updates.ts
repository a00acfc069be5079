import { proto, type BaileysEventMap, type MessageUserReceiptUpdate, type WAMessageUpdate } from '@whiskeysockets/baileys';
import type { ReceiptPayload } from '../../events/catalogue';
import { normalizeJid } from '../jids';
import type { MappingContext } from './context';
import { contentToJson, messageTypeOf, unwrapContent } from './message-content';
import { authorOf, receiptFromUserReceipt, statusOfReceipt } from './message-metadata';
import type { MessageOperation } from './message-patches';
import { protocolType, PROTOCOL } from './message-row';
import { refusal, statusFromWhatsApp } from './message-status';
import { dateFromMillis, dateFromSeconds, type LongLike } from './values';

/** An operation and the message (by WhatsApp id) it applies to. */
export interface TargetedOperation {
  messageId: string;
  operation: MessageOperation;
}

const REVOKE_STUB = proto.WebMessageInfo.StubType.REVOKE;

function isRevokeStub(value: unknown): boolean {
  return value === REVOKE_STUB || value === 'REVOKE';
}

/** One `messages.update` entry → the operations it carries (status, edit, revoke, new content, star, receipts, reactions). */
export function operationsFromUpdate({ key, update }: WAMessageUpdate, ctx: MappingContext, now: Date): TargetedOperation[] {
  const messageId = key?.id;
  if (!messageId) return [];
  const operations: MessageOperation[] = [];
  const status = statusFromWhatsApp(update.status as number | string | null | undefined);
  const errorCode = status === 'FAILED' ? update.messageStubParameters?.[0] : undefined;
  if (status) operations.push({ kind: 'status', status, ...(errorCode ? { refusal: refusal(String(errorCode)) } : {}) });

  const protocol = update.message ? unwrapContent(update.message).content?.protocolMessage : undefined;
  const targets: TargetedOperation[] = [];
  if (isRevokeStub(update.messageStubType) || (protocol && protocolType(protocol.type) === PROTOCOL.REVOKE)) {
    const revokedBy = authorOf((update.key as proto.IMessageKey | undefined) ?? undefined, ctx);
    operations.push({ kind: 'revoke', revokedAt: now, ...(revokedBy ? { revokedBy } : {}) });
  } else if (protocol && protocolType(protocol.type) === PROTOCOL.MESSAGE_EDIT && protocol.editedMessage) {
    const editedAt = dateFromMillis(protocol.timestampMs as LongLike) ?? dateFromSeconds(update.messageTimestamp as LongLike) ?? now;
    const operation: MessageOperation = { kind: 'edit', content: contentToJson(protocol.editedMessage), editedAt };
    targets.push({ messageId: protocol.key?.id ?? messageId, operation });
  } else if (update.message?.editedMessage?.message) {
    const edited = unwrapContent(update.message.editedMessage.message).content;
    const editedAt = dateFromSeconds(update.messageTimestamp as LongLike) ?? now;
    if (edited && messageTypeOf(edited)) operations.push({ kind: 'edit', content: contentToJson(edited), editedAt });
  } else if (update.message && messageTypeOf(update.message)) {
    operations.push({ kind: 'content', content: contentToJson(update.message) });
  }

  if (typeof update.starred === 'boolean') operations.push({ kind: 'star', starred: update.starred });
  for (const receipt of update.userReceipt ?? []) {
    if (receipt.userJid)
      operations.push({ kind: 'receipt', recipient: ctx.lids.preferPhone(receipt.userJid), receipt: receiptFromUserReceipt(receipt) });
  }
  for (const reaction of update.reactions ?? []) operations.push(...reactionOperation(reaction, ctx));
  return [...targets, ...operations.map((operation) => ({ messageId, operation }))];
}

function reactionOperation(reaction: proto.IReaction, ctx: MappingContext): MessageOperation[] {
  const author = authorOf(reaction.key, ctx);
  if (!author) return [];
  const at = dateFromMillis(reaction.senderTimestampMs as LongLike)?.toISOString();
  return [{ kind: 'reaction', author, text: reaction.text ?? '', ...(at ? { at } : {}) }];
}

/** `messages.reaction` entries → reaction operations on the messages reacted to. */
export function operationsFromReactions(reactions: BaileysEventMap['messages.reaction'], ctx: MappingContext): TargetedOperation[] {
  return reactions.flatMap(({ key, reaction }) =>
    key?.id ? reactionOperation(reaction, ctx).map((operation) => ({ messageId: key.id!, operation })) : [],
  );
}

/** `message-receipt.update` entries → receipt operations, and the receipts as event payloads. */
export function operationsFromReceipts(
  receipts: readonly MessageUserReceiptUpdate[],
  ctx: MappingContext,
): { operations: TargetedOperation[]; payloads: ReceiptPayload[] } {
  const operations: TargetedOperation[] = [];
  const payloads: ReceiptPayload[] = [];
  for (const { key, receipt } of receipts) {
    if (!key?.id || !receipt.userJid) continue;
    const recipient = ctx.lids.preferPhone(receipt.userJid);
    const parsed = receiptFromUserReceipt(receipt);
    const status = statusOfReceipt(parsed);
    operations.push({ messageId: key.id, operation: { kind: 'receipt', recipient, receipt: parsed } });
    if (status === 'DELIVERED' || status === 'READ') {
      payloads.push({ messageId: key.id, chatId: ctx.lids.preferPhone(normalizeJid(key.remoteJid ?? '')), recipient, status, ...parsed });
    }
  }
  return { operations, payloads };
}

/** `messages.delete` with keys (deleted for me) → delete operations. */
export function operationsFromDeletes(keys: readonly proto.IMessageKey[], now: Date): TargetedOperation[] {
  return keys.flatMap((key) => (key.id ? [{ messageId: key.id, operation: { kind: 'delete', deletedAt: now } as MessageOperation }] : []));
}
