import { proto, type BaileysEventMap, type MessageUserReceiptUpdate, type WAMessageUpdate } from '@whiskeysockets/baileys';
import type { ReceiptPayload } from '../../events/catalogue';
import { normalizeJid } from '../jids';
import type { MappingContext } from './context';
import { contentToJson, messageTypeOf, unwrapContent } from './message-content';
import { authorOf, receiptFromUserReceipt, statusOfReceipt } from './message-metadata';
import type { MessageActor } from './message-identity';
import type { MessageOperation } from './message-patches';
import { protocolType, PROTOCOL } from './message-row';
import { refusal, statusFromWhatsApp } from './message-status';
import { dateFromMillis, dateFromSeconds, type LongLike } from './values';

/** An operation and the message it applies to: by WhatsApp id, in the chat WhatsApp named. */
export interface TargetedOperation {
  messageId: string;
  chatId: string;
  /** The direction of the target, when the change names it (edits and revoke name who made them instead). */
  fromMe?: boolean;
  /** Who made an edit or revoke. */
  by?: MessageActor;
  operation: MessageOperation;
}

/** The chat and direction a key names, as stored. */
function placeOf(key: proto.IMessageKey, ctx: MappingContext): { chatId: string; fromMe: boolean } {
  return { chatId: ctx.lids.preferPhone(normalizeJid(key.remoteJid ?? '')), fromMe: !!key.fromMe };
}

const REVOKE_STUB = proto.WebMessageInfo.StubType.REVOKE;

function isRevokeStub(value: unknown): boolean {
  return value === REVOKE_STUB || value === 'REVOKE';
}

/** One `messages.update` entry → the operations it carries (status, edit, revoke, new content, star, receipts, reactions). */
export function operationsFromUpdate({ key, update }: WAMessageUpdate, ctx: MappingContext, now: Date): TargetedOperation[] {
  const messageId = key?.id;
  if (!messageId || !key.remoteJid) return [];
  const { chatId, fromMe } = placeOf(key, ctx);
  const by: MessageActor = { fromMe, jid: authorOf(key, ctx) };
  const operations: MessageOperation[] = [];
  const authored: MessageOperation[] = [];
  const status = statusFromWhatsApp(update.status as number | string | null | undefined);
  const errorCode = status === 'FAILED' ? update.messageStubParameters?.[0] : undefined;
  if (status) operations.push({ kind: 'status', status, ...(errorCode ? { refusal: refusal(String(errorCode)) } : {}) });

  const protocol = update.message ? unwrapContent(update.message).content?.protocolMessage : undefined;
  const targets: TargetedOperation[] = [];
  if (isRevokeStub(update.messageStubType) || (protocol && protocolType(protocol.type) === PROTOCOL.REVOKE)) {
    const revokedBy = authorOf((update.key as proto.IMessageKey | undefined) ?? undefined, ctx);
    authored.push({ kind: 'revoke', revokedAt: now, ...(revokedBy ? { revokedBy } : {}) });
  } else if (protocol && protocolType(protocol.type) === PROTOCOL.MESSAGE_EDIT && protocol.editedMessage) {
    const editedAt = dateFromMillis(protocol.timestampMs as LongLike) ?? dateFromSeconds(update.messageTimestamp as LongLike) ?? now;
    const operation: MessageOperation = { kind: 'edit', content: contentToJson(protocol.editedMessage), editedAt };
    targets.push({ messageId: protocol.key?.id ?? messageId, chatId, by, operation });
  } else if (update.message?.editedMessage?.message) {
    const edited = unwrapContent(update.message.editedMessage.message).content;
    const editedAt = dateFromSeconds(update.messageTimestamp as LongLike) ?? now;
    if (edited && messageTypeOf(edited)) authored.push({ kind: 'edit', content: contentToJson(edited), editedAt });
  } else if (update.message && messageTypeOf(update.message)) {
    operations.push({ kind: 'content', content: contentToJson(update.message) });
  }

  if (typeof update.starred === 'boolean') operations.push({ kind: 'star', starred: update.starred });
  for (const receipt of update.userReceipt ?? []) {
    if (receipt.userJid)
      operations.push({ kind: 'receipt', recipient: ctx.lids.preferPhone(receipt.userJid), receipt: receiptFromUserReceipt(receipt) });
  }
  for (const reaction of update.reactions ?? []) operations.push(...reactionOperation(reaction, ctx));
  return [
    ...targets,
    ...authored.map((operation) => ({ messageId, chatId, by, operation })),
    ...operations.map((operation) => ({ messageId, chatId, fromMe, operation })),
  ];
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
    key?.id && key.remoteJid
      ? reactionOperation(reaction, ctx).map((operation) => ({ messageId: key.id!, ...placeOf(key, ctx), operation }))
      : [],
  );
}

/** `message-receipt.update` entries → receipt operations, and the receipts to report, each with the operation it depends on. */
export function operationsFromReceipts(
  receipts: readonly MessageUserReceiptUpdate[],
  ctx: MappingContext,
): { operations: TargetedOperation[]; payloads: { operation: TargetedOperation; payload: ReceiptPayload }[] } {
  const operations: TargetedOperation[] = [];
  const payloads: { operation: TargetedOperation; payload: ReceiptPayload }[] = [];
  for (const { key, receipt } of receipts) {
    if (!key?.id || !key.remoteJid || !receipt.userJid) continue;
    const recipient = ctx.lids.preferPhone(receipt.userJid);
    const parsed = receiptFromUserReceipt(receipt);
    const status = statusOfReceipt(parsed);
    const place = placeOf(key, ctx);
    const operation: TargetedOperation = { messageId: key.id, ...place, operation: { kind: 'receipt', recipient, receipt: parsed } };
    operations.push(operation);
    if (status === 'DELIVERED' || status === 'READ') {
      payloads.push({ operation, payload: { messageId: key.id, chatId: place.chatId, recipient, status, ...parsed } });
    }
  }
  return { operations, payloads };
}

/** `messages.delete` with keys (deleted for me) → delete operations. */
export function operationsFromDeletes(keys: readonly proto.IMessageKey[], ctx: MappingContext, now: Date): TargetedOperation[] {
  return keys.flatMap((key) =>
    key.id && key.remoteJid
      ? [{ messageId: key.id, ...placeOf(key, ctx), operation: { kind: 'delete', deletedAt: now } as MessageOperation }]
      : [],
  );
}
