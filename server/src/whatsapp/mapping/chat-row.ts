import type { Chat, ChatUpdate, WAMessage } from '@whiskeysockets/baileys';
import type { MessageType } from '../../db/database';
import { isGroupJid, isLidJid, normalizeJid } from '../jids';
import type { MappingContext } from './context';
import { contentToJson, messageTypeOf, previewText, unwrapContent } from './message-content';
import type { MessageInput } from './message-row';
import { clip, compact, dateFromSeconds, toNumber, type LongLike } from './values';

/** Chat.lastMessage. */
export interface LastMessagePreview {
  id: string;
  fromMe: boolean;
  type: MessageType;
  text?: string;
  /** ISO 8601; chats are ordered by it. */
  timestamp: string;
}

export interface ChatMetadata {
  lid?: string;
  conversationAt?: string;
  /** null (in a change) removes it: the chat was unpinned. */
  pinnedAt?: string | null;
  /** ISO 8601, or 'forever'; null (in a change) removes it: the chat was unmuted. */
  mutedUntil?: string | null;
  readOnly?: boolean;
  ephemeralExpiration?: number;
  description?: string;
  displayName?: string;
  username?: string;
  markedAsUnread?: boolean;
  unreadMentionCount?: number;
  notSpam?: boolean;
}

/**
 * How a change moves Chat.unreadCount: `set` an absolute count (history, chat upserts, read), `atLeast` one
 * (marked unread), `add` new incoming messages.
 */
export type UnreadChange = { mode: 'set'; count: number } | { mode: 'atLeast'; count: 1 } | { mode: 'add'; count: number };

/** A change to one Chat row; absent fields are left as stored. */
export interface ChatPatch {
  jid: string;
  name?: string | null;
  isGroup?: boolean;
  isArchived?: boolean;
  isPinned?: boolean;
  isMuted?: boolean;
  unread?: UnreadChange;
  lastMessage?: LastMessagePreview;
  metadata?: ChatMetadata;
}

/** WhatsApp writes these either in seconds or in milliseconds. */
function instantOf(value: LongLike): Date | undefined {
  const number = toNumber(value);
  if (!number || number < 0) return undefined;
  return new Date(number > 1e11 ? number : number * 1000);
}

function unreadChange(chat: Partial<Chat>, origin: 'state' | 'update'): UnreadChange | undefined {
  const count = chat.unreadCount;
  if (typeof count === 'number' && count < 0) return { mode: 'atLeast', count: 1 };
  // Positive counts in chats.update are Baileys' own per-message increments; the messages themselves are counted instead.
  if (origin === 'update') return count === 0 ? { mode: 'set', count: 0 } : undefined;
  if (typeof count === 'number' && count > 0) return { mode: 'set', count };
  if (chat.markedAsUnread) return { mode: 'atLeast', count: 1 };
  return typeof count === 'number' ? { mode: 'set', count } : undefined;
}

function mutedUntil(value: LongLike): { isMuted: boolean; until?: string } {
  const raw = toNumber(value);
  if (raw === -1) return { isMuted: true, until: 'forever' };
  const end = instantOf(value);
  return { isMuted: !!end && end.getTime() > Date.now(), until: end?.toISOString() };
}

/**
 * A Baileys chat (history set, `chats.upsert`: the whole state, `origin: 'state'`) or chat update (`chats.update`,
 * `origin: 'update'`) → the change to its Chat row. Undefined when the chat has no usable id.
 */
export function chatPatchFromChat(chat: ChatUpdate | Chat, ctx: MappingContext, origin: 'state' | 'update'): ChatPatch | undefined {
  if (!chat.id) return undefined;
  const raw = normalizeJid(chat.id);
  const jid = ctx.lids.preferPhone(raw);
  const patch: ChatPatch = { jid, isGroup: isGroupJid(jid) };
  const name = clip(chat.name ?? (origin === 'state' ? chat.displayName : undefined));
  if (name) patch.name = name;
  if (typeof chat.archived === 'boolean') patch.isArchived = chat.archived;

  const metadata: ChatMetadata = {};
  // In an update, null removes the stored pin time / mute end (metadata is merged as a JSON merge patch).
  if (chat.pinned !== undefined) {
    const pinnedAt = instantOf(chat.pinned as LongLike);
    patch.isPinned = !!pinnedAt;
    if (pinnedAt) metadata.pinnedAt = pinnedAt.toISOString();
    else if (origin === 'update') metadata.pinnedAt = null;
  }
  if (chat.muteEndTime !== undefined) {
    const mute = mutedUntil(chat.muteEndTime as LongLike);
    patch.isMuted = mute.isMuted;
    if (mute.until) metadata.mutedUntil = mute.until;
    else if (origin === 'update') metadata.mutedUntil = null;
  }
  const unread = unreadChange(chat, origin);
  if (unread) patch.unread = unread;
  if (origin === 'state') {
    const last = chat.messages?.[0]?.message;
    const preview = last ? previewOfWaMessage(last as WAMessage) : undefined;
    if (preview) patch.lastMessage = preview;
  }

  Object.assign(
    metadata,
    compact({
      lid: isLidJid(jid) ? undefined : isLidJid(raw) ? raw : chat.lidJid ? normalizeJid(chat.lidJid) : ctx.lids.toLid(jid),
      conversationAt: dateFromSeconds(chat.conversationTimestamp as LongLike)?.toISOString(),
      readOnly: chat.readOnly ?? undefined,
      ephemeralExpiration: chat.ephemeralExpiration ?? undefined,
      description: chat.description ?? undefined,
      displayName: chat.displayName ?? undefined,
      username: chat.username ?? undefined,
      markedAsUnread: chat.markedAsUnread ?? undefined,
      unreadMentionCount: chat.unreadMentionCount ?? undefined,
      notSpam: chat.notSpam ?? undefined,
    }),
  );
  if (Object.keys(metadata).length) patch.metadata = metadata;
  return patch;
}

export function previewOfMessage(message: MessageInput): LastMessagePreview {
  return compact({
    id: message.messageId,
    fromMe: message.fromMe,
    type: message.messageType,
    text: previewText(message.content),
    timestamp: message.timestamp.toISOString(),
  }) as LastMessagePreview;
}

function previewOfWaMessage(message: WAMessage): LastMessagePreview | undefined {
  const { content } = unwrapContent(message.message);
  const type = messageTypeOf(content);
  const timestamp = dateFromSeconds(message.messageTimestamp as LongLike);
  if (!content || !type || !message.key?.id || !timestamp) return undefined;
  return compact({
    id: message.key.id,
    fromMe: !!message.key.fromMe,
    type,
    text: previewText(contentToJson(content)),
    timestamp: timestamp.toISOString(),
  }) as LastMessagePreview;
}

function combineUnread(before: UnreadChange | undefined, after: UnreadChange | undefined): UnreadChange | undefined {
  if (!before || !after) return after ?? before;
  if (after.mode === 'add')
    return before.mode === 'atLeast' ? after : ({ mode: before.mode, count: before.count + after.count } as UnreadChange);
  if (after.mode === 'atLeast' && before.mode === 'set') return { mode: 'set', count: Math.max(before.count, 1) };
  return after;
}

function laterPreview(a: LastMessagePreview | undefined, b: LastMessagePreview | undefined): LastMessagePreview | undefined {
  if (!a || !b) return b ?? a;
  return b.timestamp >= a.timestamp ? b : a;
}

/** Folds several changes to the same chat into one, later ones winning. */
export function mergeChatPatches(patches: Iterable<ChatPatch>): ChatPatch[] {
  const byJid = new Map<string, ChatPatch>();
  for (const patch of patches) {
    const before = byJid.get(patch.jid);
    if (!before) {
      byJid.set(patch.jid, patch);
      continue;
    }
    const merged: ChatPatch = { ...before, ...compact(patch) };
    const unread = combineUnread(before.unread, patch.unread);
    if (unread) merged.unread = unread;
    const lastMessage = laterPreview(before.lastMessage, patch.lastMessage);
    if (lastMessage) merged.lastMessage = lastMessage;
    if (before.metadata || patch.metadata) merged.metadata = { ...before.metadata, ...patch.metadata };
    byJid.set(patch.jid, merged);
  }
  return [...byJid.values()];
}
