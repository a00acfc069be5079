import { fromJson } from '../db/json';
import { serialize, type DomainEventPayloads, type MessagePayload, type MessageRef } from '../events/catalogue';
import type { Batch, IngestContext } from './ingest';
import { isGroupJid, isStatusBroadcast, normalizeJid } from './jids';
import { mergeChatPatches, previewOfMessage, type ChatPatch } from './mapping/chat-row';
import { admitOperations } from './mapping/message-admission';
import { samePlace, type JidForm, type MessagePlace } from './mapping/message-identity';
import { applyMessageOperations, type MessageOperation } from './mapping/message-patches';
import { isStatusAfter, maxStatus } from './mapping/message-status';
import {
  operationsFromDeletes,
  operationsFromReactions,
  operationsFromReceipts,
  operationsFromUpdate,
  type TargetedOperation,
} from './mapping/message-updates';
import { chunk } from './store/batch';
import { setAsideConflicts, type MessageConflict } from './store/conflict-store';
import { findGroups } from './store/group-store';
import {
  countMessagesByChat,
  findExistingMessages,
  loadMessagesForUpdate,
  markChatMessagesDeleted,
  upsertMessages,
  writeMessageStates,
  type MessageRow,
  type NewMessage,
} from './store/message-store';
import { messageRecord, type MessageRecord } from './store/records';

/** Payloads of history messages are split into events of at most this many messages. */
const HISTORY_EVENT_SIZE = 500;

/** Stores messages and their changes; returns the chat activity (last message, unread) of the new ones. */
export async function ingestMessages(batch: Batch): Promise<ChatPatch[]> {
  const { trx, sessionRowId, events, prepared, ctx, out, now } = batch;
  const history = await applyHistoryCutoff(batch, prepared.history);
  const form = storedForm(ctx);
  const unique = dedupe([...history, ...prepared.live], form);
  const existing = await findExistingMessages(
    trx,
    sessionRowId,
    unique.rows.map((row) => row.messageId),
  );
  const elsewhere = unique.rows.filter((row) => {
    const stored = existing.get(row.messageId);
    return stored && !samePlace(stored, row, form);
  });
  const rows = unique.rows.filter((row) => !elsewhere.includes(row));
  await setAsideMessages(batch, [...unique.conflicts, ...elsewhere]);
  await upsertMessages(trx, sessionRowId, rows);
  const created = rows.filter((row) => !existing.has(row.messageId));
  const operations = [...(ctx.early?.for(created.map((row) => row.messageId)) ?? []), ...prepared.operations];
  const live = created.filter((row) => row.metadata.source === 'live');
  if (live.length) out.add('messages.upsert', { source: 'live', messages: live.map(newMessagePayload) });
  for (const part of chunk(
    created.filter((row) => row.metadata.source === 'history'),
    HISTORY_EVENT_SIZE,
  )) {
    out.add('messages.upsert', { source: 'history', messages: part.map(newMessagePayload) });
  }
  const raised = rows.filter((row) => {
    const stored = existing.get(row.messageId);
    return stored && isStatusAfter(row.status, stored.status);
  });
  const raisedRecords = raised.length
    ? (
        await loadMessagesForUpdate(
          trx,
          sessionRowId,
          raised.map((row) => row.messageId),
        )
      ).map(messageRecord)
    : [];

  for (const update of events['messages.update'] ?? []) operations.push(...operationsFromUpdate(update, ctx, now));
  operations.push(...operationsFromReactions(events['messages.reaction'] ?? [], ctx));
  const receipts = operationsFromReceipts(events['message-receipt.update'] ?? [], ctx);
  operations.push(...receipts.operations);
  const deletion = events['messages.delete'];
  if (deletion && 'keys' in deletion) operations.push(...operationsFromDeletes(deletion.keys, ctx, now));
  const ignored = await applyOperations(batch, operations, raisedRecords);
  const reported = receipts.payloads.filter(({ operation }) => !ignored.has(operation)).map(({ payload }) => payload);
  if (reported.length) out.add('message.receipt', { receipts: reported });

  if (deletion && 'all' in deletion) {
    const chatId = ctx.lids.preferPhone(normalizeJid(deletion.jid));
    await markChatMessagesDeleted(trx, sessionRowId, [chatId], now);
    out.add('messages.delete', { scope: 'chat', chatId });
  }
  return chatActivity(created);
}

/** JIDs as the store keeps them: phone JIDs when the LID mapping is known. */
const storedForm = (ctx: IngestContext) => (jid: string) => ctx.lids.preferPhone(jid);

/**
 * One row per messageId; a later copy in the batch wins, the status never goes back. A message that reuses
 * the id of an earlier one in another chat, direction or sender is a conflict.
 */
function dedupe(rows: readonly NewMessage[], form: JidForm): { rows: NewMessage[]; conflicts: NewMessage[] } {
  const byId = new Map<string, NewMessage>();
  const conflicts: NewMessage[] = [];
  for (const row of rows) {
    const earlier = byId.get(row.messageId);
    if (earlier && !samePlace(earlier, row, form)) conflicts.push(row);
    else byId.set(row.messageId, earlier ? { ...row, id: earlier.id, status: maxStatus(earlier.status, row.status) } : row);
  }
  return { rows: [...byId.values()], conflicts };
}

/** Messages whose id another chat, direction or sender holds are kept aside, never merged into that row. */
async function setAsideMessages({ trx, sessionRowId, ctx }: Batch, messages: readonly NewMessage[]): Promise<void> {
  if (messages.length === 0) return;
  await setAsideConflicts(
    trx,
    sessionRowId,
    messages.map((message) => ({ ...message, kind: 'MESSAGE' })),
  );
  ctx.log?.warn(
    { messages: messages.map(({ messageId, chatId, fromMe, fromJid }) => ({ messageId, chatId, fromMe, fromJid })) },
    'messages reuse the id of a stored message in another chat, direction or sender; kept aside as conflicts',
  );
}

/** Drops history older than maxAgeDays and keeps, per chat, the newest messages that still fit under maxMessagesPerChat. */
async function applyHistoryCutoff({ trx, sessionRowId, ctx, now }: Batch, rows: NewMessage[]): Promise<NewMessage[]> {
  if (rows.length === 0) return rows;
  const { maxAgeDays, maxMessagesPerChat } = ctx.historyCutoff;
  const oldest = now.getTime() - maxAgeDays * 86_400_000;
  const byChat = new Map<string, NewMessage[]>();
  for (const row of rows) {
    if (row.timestamp.getTime() < oldest) continue;
    const list = byChat.get(row.chatId) ?? [];
    list.push(row);
    byChat.set(row.chatId, list);
  }
  if (byChat.size === 0) return [];
  const stored = await countMessagesByChat(trx, sessionRowId, [...byChat.keys()]);
  return [...byChat].flatMap(([chatId, list]) => {
    const room = Math.max(0, maxMessagesPerChat - (stored.get(chatId) ?? 0));
    return list.sort((a, b) => b.timestamp.getTime() - a.timestamp.getTime()).slice(0, room);
  });
}

/**
 * Loads the targeted rows once, applies every operation they admit in order, writes back what changed, and
 * reports it. Returns the operations the stored rows did not admit.
 */
async function applyOperations(
  batch: Batch,
  operations: readonly TargetedOperation[],
  raised: readonly MessageRecord[],
): Promise<Set<TargetedOperation>> {
  const { trx, sessionRowId, out, ctx } = batch;
  const byMessage = new Map<string, TargetedOperation[]>();
  for (const operation of operations) byMessage.set(operation.messageId, [...(byMessage.get(operation.messageId) ?? []), operation]);
  const rows = byMessage.size ? await loadMessagesForUpdate(trx, sessionRowId, [...byMessage.keys()]) : [];
  if (ctx.early && rows.length < byMessage.size) {
    const stored = new Set(rows.map((row) => row.messageId));
    ctx.early.hold(operations.filter((operation) => !stored.has(operation.messageId)));
  }
  const updates = new Map<
    string,
    { message: MessagePayload; changes: DomainEventPayloads['messages.update']['updates'][number]['changes'] }
  >();
  for (const record of raised) updates.set(record.messageId, { message: messagePayload(record), changes: ['status'] });
  const revoked: (MessageRef & { revokedBy?: string })[] = [];
  const deleted: MessageRef[] = [];
  const writes = [];
  const { admitted, ignored } = await admitAll(batch, rows, byMessage);

  for (const row of rows) {
    const record = messageRecord(row);
    const { state, changes } = applyMessageOperations(
      { messageType: record.messageType, content: record.content, status: record.status, metadata: record.metadata ?? {} },
      admitted.get(row.messageId)!,
    );
    if (changes.length === 0) continue;
    writes.push({ ...row, ...state });
    const ref: MessageRef = { id: row.id, messageId: row.messageId, chatId: row.chatId, fromMe: row.fromMe };
    if (changes.includes('revoked')) revoked.push({ ...ref, ...(state.metadata.revokedBy ? { revokedBy: state.metadata.revokedBy } : {}) });
    if (changes.includes('deleted')) deleted.push(ref);
    const rest = changes.filter((change) => change !== 'revoked' && change !== 'deleted');
    const earlier = updates.get(row.messageId)?.changes ?? [];
    if (rest.length)
      updates.set(row.messageId, { message: messagePayload({ ...record, ...state }), changes: [...new Set([...earlier, ...rest])] });
  }
  await writeMessageStates(trx, writes);
  if (updates.size) out.add('messages.update', { updates: [...updates.values()] });
  if (revoked.length) out.add('messages.delete', { scope: 'everyone', messages: revoked });
  if (deleted.length) out.add('messages.delete', { scope: 'me', messages: deleted });
  return ignored;
}

/**
 * The operations each stored row admits (by messageId), and those it does not. Edits and revokes it refuses,
 * or that name another chat, are kept aside as conflicts; other changes naming another chat or direction
 * are dropped. Both are logged.
 */
async function admitAll(
  { trx, sessionRowId, ctx }: Batch,
  rows: readonly MessageRow[],
  byMessage: ReadonlyMap<string, TargetedOperation[]>,
): Promise<{ admitted: Map<string, MessageOperation[]>; ignored: Set<TargetedOperation> }> {
  const form = storedForm(ctx);
  const me = ctx.me ? ctx.lids.preferPhone(ctx.me.id) : undefined;
  const revokedGroups = rows.filter(
    (row) => isGroupJid(row.chatId) && byMessage.get(row.messageId)!.some(({ operation }) => operation.kind === 'revoke'),
  );
  const groups = revokedGroups.length
    ? await findGroups(
        trx,
        sessionRowId,
        revokedGroups.map((row) => row.chatId),
      )
    : new Map();
  const admitted = new Map<string, MessageOperation[]>();
  const misplaced: TargetedOperation[] = [];
  const refused: TargetedOperation[] = [];
  for (const row of rows) {
    const place = { ...row, metadata: fromJson<MessagePlace['metadata']>(row.metadata) };
    const participants = groups.get(row.chatId)?.participants;
    const admission = admitOperations(place, byMessage.get(row.messageId)!, { form, me, participants });
    admitted.set(row.messageId, admission.accepted);
    misplaced.push(...admission.misplaced);
    refused.push(...admission.refused);
  }
  const ofContent = ({ operation }: TargetedOperation) => operation.kind === 'edit' || operation.kind === 'revoke';
  const conflicts = [
    ...refused
      .filter(ofContent)
      .map((operation) => conflictOfOperation(operation, 'not made by the author (nor, for a revoke, a group admin)')),
    ...misplaced.filter(ofContent).map((operation) => conflictOfOperation(operation, 'names another chat than the stored message')),
  ];
  if (conflicts.length) await setAsideConflicts(trx, sessionRowId, conflicts);
  if (refused.length || misplaced.length) {
    const summary = (list: TargetedOperation[]) =>
      list.map(({ messageId, chatId, fromMe, by, operation }) => ({ messageId, chatId, fromMe, by, kind: operation.kind }));
    ctx.log?.warn(
      { refused: summary(refused), misplaced: summary(misplaced) },
      'changes to stored messages ignored: not made by their author (or a group admin), or naming another chat or direction',
    );
  }
  return { admitted, ignored: new Set([...misplaced, ...refused]) };
}

/** An edit or revoke set aside, with why. */
function conflictOfOperation({ messageId, chatId, fromMe, by, operation }: TargetedOperation, reason: string): MessageConflict {
  const edit = operation.kind === 'edit' ? operation : undefined;
  return {
    kind: edit ? 'EDIT' : 'REVOKE',
    messageId,
    chatId,
    fromMe: by?.fromMe ?? fromMe ?? false,
    fromJid: by?.jid,
    content: edit?.content ?? {},
    timestamp: edit?.editedAt ?? (operation.kind === 'revoke' ? operation.revokedAt : new Date()),
    metadata: { reason },
  };
}

/** New messages move their chat's preview; new unread incoming live ones count as unread. */
function chatActivity(created: readonly NewMessage[]): ChatPatch[] {
  const patches: ChatPatch[] = [];
  for (const message of created) {
    if (isStatusBroadcast(message.chatId) || message.messageType === 'REACTION') continue;
    const unread = message.metadata.source === 'live' && !message.fromMe && message.status !== 'READ';
    patches.push({
      jid: message.chatId,
      isGroup: isGroupJid(message.chatId),
      lastMessage: previewOfMessage(message),
      ...(unread ? { unread: { mode: 'add', count: 1 } as const } : {}),
    });
  }
  return mergeChatPatches(patches);
}

function messagePayload(record: MessageRecord): MessagePayload {
  const { createdAt: _created, updatedAt: _updated, ...rest } = record;
  return serialize(rest);
}

function newMessagePayload(message: NewMessage): MessagePayload {
  return serialize({ ...message, metadata: message.metadata });
}
