import type { MessageStatus, MessageType } from '../../db/database';
import { contentKey, innerContent, messageTypeOf, replaceInner, type MessageContent } from './message-content';
import { statusOfReceipt, type MessageMetadata, type Receipt } from './message-metadata';
import { isStatusAfter } from './message-status';

/** A change WhatsApp reported for a message that may already be stored. */
export type MessageOperation =
  | { kind: 'status'; status: MessageStatus; refusal?: { error: string; errorCode: string } }
  | { kind: 'receipt'; recipient: string; receipt: Receipt }
  | { kind: 'edit'; content: MessageContent; editedAt: Date }
  /** New content that is not an edit: refreshed media after a re-upload, an expired group invite. */
  | { kind: 'content'; content: MessageContent }
  | { kind: 'revoke'; revokedAt: Date; revokedBy?: string }
  | { kind: 'reaction'; author: string; text: string; at?: string }
  | { kind: 'star'; starred: boolean }
  | { kind: 'delete'; deletedAt: Date };

export type MessageChange = 'status' | 'receipts' | 'edited' | 'content' | 'revoked' | 'reactions' | 'starred' | 'deleted';

/** The mutable part of a stored message. */
export interface MessageState {
  messageType: MessageType;
  content: MessageContent;
  status: MessageStatus;
  metadata: MessageMetadata;
}

/** An edit carries only the changed fields of the same message type; keep the rest (media keys, quote) and the wrappers of the original. */
function editedContent(original: MessageContent, edit: MessageContent): MessageContent {
  const inner = innerContent(original) ?? {};
  const replacement = innerContent(edit) ?? edit;
  const key = contentKey(replacement);
  const before = key ? inner[key] : undefined;
  const after = key ? replacement[key] : undefined;
  if (key && before && after && typeof before === 'object' && typeof after === 'object') {
    return replaceInner(original, { ...inner, [key]: { ...(before as object), ...(after as object) } });
  }
  const rest = { ...inner };
  const previousKey = contentKey(inner);
  if (previousKey) delete rest[previousKey];
  return replaceInner(original, { ...rest, ...replacement });
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function apply(state: MessageState, op: MessageOperation): MessageChange | undefined {
  const metadata = state.metadata;
  switch (op.kind) {
    case 'status':
      if (!isStatusAfter(op.status, state.status)) return undefined;
      state.status = op.status;
      if (op.refusal) Object.assign(metadata, op.refusal);
      return 'status';
    case 'receipt': {
      const before = metadata.receipts?.[op.recipient];
      const merged = { ...before, ...op.receipt };
      const proven = statusOfReceipt(merged);
      if (proven && isStatusAfter(proven, state.status)) state.status = proven;
      if (same(before, merged)) return undefined;
      metadata.receipts = { ...metadata.receipts, [op.recipient]: merged };
      return 'receipts';
    }
    case 'edit': {
      if (metadata.revoked) return undefined;
      const at = op.editedAt.toISOString();
      if (metadata.editedAt && metadata.editedAt > at) return undefined;
      const content = editedContent(metadata.originalContent ?? state.content, op.content);
      // Baileys reports one edit twice (the protocol message and a messages.update), with different timestamp precision.
      if (same(content, state.content)) return undefined;
      metadata.originalContent ??= state.content;
      metadata.editedAt = at;
      state.content = content;
      state.messageType = messageTypeOf(content) ?? state.messageType;
      return 'edited';
    }
    case 'content': {
      if (metadata.revoked || same(op.content, state.content)) return undefined;
      state.content = metadata.editedAt ? editedContent(state.content, op.content) : op.content;
      state.messageType = messageTypeOf(state.content) ?? state.messageType;
      return 'content';
    }
    case 'revoke':
      if (metadata.revoked) return undefined;
      Object.assign(metadata, { revoked: true, revokedAt: op.revokedAt.toISOString() }, op.revokedBy ? { revokedBy: op.revokedBy } : {});
      return 'revoked';
    case 'reaction': {
      const reactions = { ...metadata.reactions };
      if (op.text) reactions[op.author] = op.at ? { text: op.text, at: op.at } : { text: op.text };
      else delete reactions[op.author];
      if (same(reactions, metadata.reactions ?? {})) return undefined;
      if (Object.keys(reactions).length) metadata.reactions = reactions;
      else delete metadata.reactions;
      return 'reactions';
    }
    case 'star':
      if (!!metadata.starred === op.starred) return undefined;
      if (op.starred) metadata.starred = true;
      else delete metadata.starred;
      return 'starred';
    case 'delete':
      if (metadata.deleted) return undefined;
      metadata.deleted = true;
      metadata.deletedAt = op.deletedAt.toISOString();
      return 'deleted';
  }
}

/** Applies operations in order to a copy of the state; `changes` lists what actually changed (empty: nothing to write). */
export function applyMessageOperations(
  state: MessageState,
  operations: readonly MessageOperation[],
): { state: MessageState; changes: MessageChange[] } {
  const next: MessageState = { ...state, metadata: { ...state.metadata } };
  const changes = new Set<MessageChange>();
  const statusBefore = state.status;
  for (const op of operations) {
    const change = apply(next, op);
    if (change) changes.add(change);
  }
  if (next.status !== statusBefore) changes.add('status');
  return { state: next, changes: [...changes] };
}
