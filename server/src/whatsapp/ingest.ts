import { proto, type BaileysEventMap, type WAMessage } from '@whiskeysockets/baileys';
import type { Queryable } from '../db/database';
import { newId } from '../db/ids';
import {
  domainEvent,
  serialize,
  type DomainEvent,
  type DomainEventPayloads,
  type DomainEventType,
  type MessagePayload,
  type MessageRef,
} from '../events/catalogue';
import { isGroupJid, isStatusBroadcast, normalizeJid, type LidPair } from './jids';
import { chatPatchFromChat, mergeChatPatches, previewOfMessage, type ChatPatch } from './mapping/chat-row';
import { blockPatches, contactPatchFromContact, mergeContactPatches, type ContactPatch } from './mapping/contact-row';
import type { MappingContext } from './mapping/context';
import {
  applyParticipantAction,
  groupPatchFromMetadata,
  mergeGroupPatches,
  participantEntry,
  type ParticipantRole,
} from './mapping/group-row';
import { callPayload, presencePayload } from './mapping/live-events';
import { applyMessageOperations, type MessageOperation } from './mapping/message-patches';
import { classifyMessage } from './mapping/message-row';
import { isStatusAfter, maxStatus } from './mapping/message-status';
import {
  operationsFromDeletes,
  operationsFromReactions,
  operationsFromReceipts,
  operationsFromUpdate,
  type TargetedOperation,
} from './mapping/message-updates';
import { chunk, diffRecords } from './store/batch';
import { deleteChats, findChats, upsertChats } from './store/chat-store';
import { findContacts, upsertContacts } from './store/contact-store';
import { findGroups, upsertGroups } from './store/group-store';
import type { EarlyOperations } from './early-operations';
import { relinkLids } from './store/relink';
import {
  countMessagesByChat,
  findExistingMessages,
  loadMessagesForUpdate,
  markChatMessagesDeleted,
  upsertMessages,
  writeMessageStates,
  type NewMessage,
} from './store/message-store';
import { messageRecord, type MessageRecord } from './store/records';

export interface HistoryCutoff {
  /** History messages older than this many days are not stored. */
  maxAgeDays: number;
  /** A chat takes history messages (newest first) until it holds this many messages. */
  maxMessagesPerChat: number;
}

export interface IngestContext extends MappingContext {
  historyCutoff: HistoryCutoff;
  /** Where changes to messages not stored yet wait for them (one per session). */
  early?: EarlyOperations;
  /** The clock; tests pin it. */
  now?: Date;
}

/** Payloads of history messages are split into events of at most this many messages. */
const HISTORY_EVENT_SIZE = 500;

/** Order in which a batch's events are handed out: containers before what they contain. */
const EVENT_ORDER: readonly DomainEventType[] = [
  'contacts.upsert',
  'groups.upsert',
  'groups.update',
  'group.participants',
  'chats.upsert',
  'messages.upsert',
  'messages.update',
  'messages.delete',
  'message.receipt',
  'chats.update',
  'presence.update',
  'call',
  'history.progress',
];

class EventList {
  private readonly byType = new Map<DomainEventType, DomainEvent[]>();
  constructor(
    private readonly sessionRowId: string,
    private readonly now: Date,
  ) {}

  add<T extends DomainEventType>(type: T, payload: DomainEventPayloads[T]): void {
    const list = this.byType.get(type) ?? [];
    list.push(domainEvent(type, this.sessionRowId, payload, this.now) as DomainEvent);
    this.byType.set(type, list);
  }

  ordered(): DomainEvent[] {
    return EVENT_ORDER.flatMap((type) => this.byType.get(type) ?? []);
  }
}

type Events = Partial<BaileysEventMap>;
type Batch = {
  trx: Queryable;
  sessionRowId: string;
  events: Events;
  prepared: PreparedEvents;
  ctx: IngestContext;
  out: EventList;
  now: Date;
};

/**
 * Applies one consolidated batch of Baileys events (what `ev.process` hands over) to the store and returns the
 * domain events it produced. Run it inside one transaction; the number of statements grows with the batch
 * size in chunks of rows, never per row.
 */
export async function ingestEvents(trx: Queryable, sessionRowId: string, events: Events, ctx: IngestContext): Promise<DomainEvent[]> {
  return ingestPrepared(trx, sessionRowId, prepareEvents(events, ctx), ctx);
}

/** The CPU part of ingesting a batch, done before its transaction: LID pairs learned and messages classified. */
export interface PreparedEvents {
  events: Events;
  learned: LidPair[];
  history: NewMessage[];
  live: NewMessage[];
  operations: TargetedOperation[];
}

/**
 * Learns the batch's LID pairs and classifies its messages. Pure apart from the LID map; call it in arrival
 * order, so a session can prepare the next batch while the previous one is still being written.
 */
export function prepareEvents(events: Events, ctx: IngestContext): PreparedEvents {
  const prepared = emptyPreparation(events, ctx);
  classifyInto(prepared, prepared.history, events['messaging-history.set']?.messages ?? [], 'history', ctx);
  classifyInto(prepared, prepared.live, events['messages.upsert']?.messages ?? [], 'live', ctx);
  return prepared;
}

/**
 * prepareEvents in slices of history messages, giving the event loop back in between so that a write in
 * flight keeps moving while a large history chunk is classified.
 */
export async function prepareEventsInSlices(events: Events, ctx: IngestContext, sliceSize = 200): Promise<PreparedEvents> {
  const prepared = emptyPreparation(events, ctx);
  const history = events['messaging-history.set']?.messages ?? [];
  for (let start = 0; start < history.length; start += sliceSize) {
    if (start > 0) await new Promise((resolve) => setImmediate(resolve));
    classifyInto(prepared, prepared.history, history.slice(start, start + sliceSize), 'history', ctx);
  }
  classifyInto(prepared, prepared.live, events['messages.upsert']?.messages ?? [], 'live', ctx);
  return prepared;
}

const isHistoryOnly = (prepared: PreparedEvents) => Object.keys(prepared.events).every((name) => name === 'messaging-history.set');

/**
 * Joins consecutive prepared batches that carry nothing but history into one, so a backlog of history
 * chunks is written with one set of statements instead of one per chunk. Other batches stay as they are.
 */
export function mergeHistoryBatches(batches: readonly PreparedEvents[]): PreparedEvents[] {
  const merged: PreparedEvents[] = [];
  for (const batch of batches) {
    const previous = merged.at(-1);
    if (!previous || !isHistoryOnly(previous) || !isHistoryOnly(batch)) {
      merged.push(batch);
      continue;
    }
    const a = previous.events['messaging-history.set']!;
    const b = batch.events['messaging-history.set']!;
    merged[merged.length - 1] = {
      events: {
        'messaging-history.set': {
          ...b,
          chats: [...a.chats, ...b.chats],
          contacts: [...a.contacts, ...b.contacts],
          messages: [...a.messages, ...b.messages],
          lidPnMappings: [...(a.lidPnMappings ?? []), ...(b.lidPnMappings ?? [])],
        },
      },
      learned: [...previous.learned, ...batch.learned],
      history: [...previous.history, ...batch.history],
      live: [...previous.live, ...batch.live],
      operations: [...previous.operations, ...batch.operations],
    };
  }
  return merged;
}

function emptyPreparation(events: Events, ctx: IngestContext): PreparedEvents {
  return { events, learned: learnMappings(events, ctx), history: [], live: [], operations: [] };
}

function classifyInto(
  prepared: PreparedEvents,
  rows: NewMessage[],
  messages: readonly WAMessage[],
  source: 'live' | 'history',
  ctx: IngestContext,
): void {
  for (const message of messages) {
    const intent = classifyMessage(message, ctx, source);
    if (intent.kind === 'row') rows.push({ ...intent.message, id: newId() });
    else if (intent.kind === 'edit') {
      prepared.operations.push({
        messageId: intent.targetId,
        operation: { kind: 'edit', content: intent.content, editedAt: intent.editedAt },
      });
    } else if (intent.kind === 'revoke') {
      const operation: MessageOperation = {
        kind: 'revoke',
        revokedAt: intent.revokedAt,
        ...(intent.revokedBy ? { revokedBy: intent.revokedBy } : {}),
      };
      prepared.operations.push({ messageId: intent.targetId, operation });
    }
  }
}

/** Writes a prepared batch in the caller's transaction and returns the domain events it produced. */
export async function ingestPrepared(
  trx: Queryable,
  sessionRowId: string,
  prepared: PreparedEvents,
  ctx: IngestContext,
): Promise<DomainEvent[]> {
  const { events, learned } = prepared;
  const now = ctx.now ?? new Date();
  const batch: Batch = { trx, sessionRowId, events, prepared, ctx, out: new EventList(sessionRowId, now), now };
  if (learned.length) await relinkLids(trx, sessionRowId, learned);
  await ingestContacts(batch);
  const groupChats = await ingestGroups(batch);
  const activity = await ingestMessages(batch);
  await ingestChats(batch, groupChats, activity);
  if (events['presence.update']) batch.out.add('presence.update', presencePayload(events['presence.update'], ctx));
  if (events.call?.length) batch.out.add('call', callPayload(events.call, ctx));
  const history = events['messaging-history.set'];
  if (history) {
    batch.out.add('history.progress', {
      messages: history.messages.length,
      chats: history.chats.length,
      contacts: history.contacts.length,
      progress: history.progress ?? null,
      syncType:
        history.syncType === undefined || history.syncType === null ? null : (proto.HistorySync.HistorySyncType[history.syncType] ?? null),
      isLatest: history.isLatest ?? null,
    });
  }
  return batch.out.ordered();
}

/** Every LID ↔ phone pair the batch reveals is learned before anything is mapped; returns those not known before. */
function learnMappings(events: Events, ctx: IngestContext): LidPair[] {
  const learned: LidPair[] = [];
  const lids = {
    learn(a: string | null | undefined, b: string | null | undefined) {
      const pair = ctx.lids.learn(a, b);
      if (pair) learned.push(pair);
    },
  };
  const { me } = ctx;
  if (me) lids.learn(me.id, me.lid);
  const mapping = events['lid-mapping.update'];
  if (mapping) lids.learn(mapping.lid, mapping.pn);
  const history = events['messaging-history.set'];
  for (const pair of history?.lidPnMappings ?? []) lids.learn(pair.lid, pair.pn);
  for (const chat of history?.chats ?? []) lids.learn(chat.id, chat.pnJid ?? chat.lidJid);
  for (const contact of [...(history?.contacts ?? []), ...(events['contacts.upsert'] ?? []), ...(events['contacts.update'] ?? [])]) {
    lids.learn(contact.id, contact.phoneNumber);
    lids.learn(contact.id, contact.lid);
  }
  for (const group of [...(events['groups.upsert'] ?? []), ...(events['groups.update'] ?? [])]) {
    lids.learn(group.owner, group.ownerPn);
    lids.learn(group.author, group.authorPn);
    for (const participant of group.participants ?? []) {
      lids.learn(participant.id, participant.phoneNumber);
      lids.learn(participant.id, participant.lid);
    }
  }
  const participants = events['group-participants.update'];
  if (participants) {
    lids.learn(participants.author, participants.authorPn);
    for (const participant of participants.participants) lids.learn(participant.id, participant.phoneNumber ?? participant.lid);
  }
  for (const { key } of [
    ...(history?.messages ?? []),
    ...(events['messages.upsert']?.messages ?? []),
    ...(events['messages.update'] ?? []),
  ]) {
    lids.learn(key?.remoteJid, key?.remoteJidAlt);
    lids.learn(key?.participant, key?.participantAlt);
  }
  for (const call of events.call ?? []) lids.learn(call.from, call.callerPn);
  return learned;
}

async function ingestContacts({ trx, sessionRowId, events, ctx, out }: Batch): Promise<void> {
  const patches: (ContactPatch | undefined)[] = [];
  for (const contact of events['messaging-history.set']?.contacts ?? []) patches.push(contactPatchFromContact(contact, ctx));
  for (const contact of events['contacts.upsert'] ?? []) patches.push(contactPatchFromContact(contact, ctx));
  for (const contact of events['contacts.update'] ?? []) patches.push(contactPatchFromContact(contact, ctx));
  if (events['blocklist.set']) patches.push(...blockPatches(events['blocklist.set'].blocklist, true, ctx));
  const blockUpdate = events['blocklist.update'];
  if (blockUpdate) patches.push(...blockPatches(blockUpdate.blocklist, blockUpdate.type === 'add', ctx));
  const merged = mergeContactPatches(patches.filter((patch): patch is ContactPatch => !!patch));
  if (merged.length === 0) return;
  const jids = merged.map((patch) => patch.jid);
  const before = await findContacts(trx, sessionRowId, jids);
  await upsertContacts(trx, sessionRowId, merged);
  const { created, changed } = diffRecords(before, await findContacts(trx, sessionRowId, jids));
  if (created.length + changed.length) out.add('contacts.upsert', { contacts: [...created, ...changed].map(serialize) });
}

const ROLE_BY_ACTION: Partial<Record<string, ParticipantRole>> = { promote: 'admin', demote: 'member' };

/** Groups and participant changes; returns the chat changes they imply (group chats named after their subject). */
async function ingestGroups({ trx, sessionRowId, events, ctx, out }: Batch): Promise<ChatPatch[]> {
  const patches = mergeGroupPatches(
    [...(events['groups.upsert'] ?? []), ...(events['groups.update'] ?? [])].flatMap((group) => groupPatchFromMetadata(group, ctx) ?? []),
  );
  const action = events['group-participants.update'];
  const actionJid = action ? normalizeJid(action.id) : undefined;
  if (patches.size === 0 && !actionJid) return [];
  const jids = [...patches.keys(), ...(actionJid ? [actionJid] : [])];
  const before = await findGroups(trx, sessionRowId, jids, true);

  if (action && actionJid) {
    const entries = action.participants.map((participant) => participantEntry(participant, ctx, ROLE_BY_ACTION[action.action]));
    const patch = patches.get(actionJid) ?? { jid: actionJid };
    const known = patch.participants ?? before.get(actionJid)?.participants ?? undefined;
    // Without a known list the change is reported but not stored: a partial list would pass for the whole group.
    if (known) {
      patch.participants = applyParticipantAction(known, action.action, entries);
      patch.metadata = { ...patch.metadata, size: patch.participants.length };
    }
    patches.set(actionJid, patch);
    const author = action.authorPn ? normalizeJid(action.authorPn) : action.author ? ctx.lids.preferPhone(action.author) : undefined;
    out.add('group.participants', { groupJid: actionJid, action: action.action, participants: entries, ...(author ? { author } : {}) });
  }

  await upsertGroups(trx, sessionRowId, [...patches.values()]);
  const { created, changed } = diffRecords(before, await findGroups(trx, sessionRowId, jids));
  if (created.length) out.add('groups.upsert', { groups: created.map(serialize) });
  if (changed.length) out.add('groups.update', { groups: changed.map(serialize) });
  return [...patches.values()].flatMap((patch) => (patch.subject ? [{ jid: patch.jid, isGroup: true, name: patch.subject }] : []));
}

/** Stores messages and their changes; returns the chat activity (last message, unread) of the new ones. */
async function ingestMessages(batch: Batch): Promise<ChatPatch[]> {
  const { trx, sessionRowId, events, prepared, ctx, out, now } = batch;
  const history = await applyHistoryCutoff(batch, prepared.history);
  const rows = dedupe([...history, ...prepared.live]);

  const existing = await findExistingMessages(
    trx,
    sessionRowId,
    rows.map((row) => row.messageId),
  );
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
  if (deletion && 'keys' in deletion) operations.push(...operationsFromDeletes(deletion.keys, now));
  await applyOperations(batch, operations, raisedRecords);
  if (receipts.payloads.length) out.add('message.receipt', { receipts: receipts.payloads });

  if (deletion && 'all' in deletion) {
    const chatId = ctx.lids.preferPhone(normalizeJid(deletion.jid));
    await markChatMessagesDeleted(trx, sessionRowId, [chatId], now);
    out.add('messages.delete', { scope: 'chat', chatId });
  }
  return chatActivity(created);
}

/** One row per messageId; a later copy in the batch wins, the status never goes back. */
function dedupe(rows: readonly NewMessage[]): NewMessage[] {
  const byId = new Map<string, NewMessage>();
  for (const row of rows) {
    const earlier = byId.get(row.messageId);
    byId.set(row.messageId, earlier ? { ...row, id: earlier.id, status: maxStatus(earlier.status, row.status) } : row);
  }
  return [...byId.values()];
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

/** Loads the targeted rows once, applies every operation in order, writes back what changed, and reports it. */
async function applyOperations(
  { trx, sessionRowId, out, ctx }: Batch,
  operations: readonly TargetedOperation[],
  raised: readonly MessageRecord[],
): Promise<void> {
  const byMessage = new Map<string, MessageOperation[]>();
  for (const { messageId, operation } of operations) byMessage.set(messageId, [...(byMessage.get(messageId) ?? []), operation]);
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

  for (const row of rows) {
    const record = messageRecord(row);
    const { state, changes } = applyMessageOperations(
      { messageType: record.messageType, content: record.content, status: record.status, metadata: record.metadata ?? {} },
      byMessage.get(row.messageId)!,
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

async function ingestChats({ trx, sessionRowId, events, ctx, out }: Batch, groupChats: ChatPatch[], activity: ChatPatch[]): Promise<void> {
  const state: (ChatPatch | undefined)[] = [...groupChats];
  for (const chat of events['messaging-history.set']?.chats ?? []) state.push(chatPatchFromChat(chat, ctx, 'state'));
  for (const chat of events['chats.upsert'] ?? []) state.push(chatPatchFromChat(chat, ctx, 'state'));
  for (const chat of events['chats.update'] ?? []) state.push(chatPatchFromChat(chat, ctx, 'update'));
  const changes = mergeChatPatches(state.filter((patch): patch is ChatPatch => !!patch));
  const deleted = (events['chats.delete'] ?? []).map((jid) => ctx.lids.preferPhone(normalizeJid(jid)));
  const jids = [...new Set([...changes.map((patch) => patch.jid), ...activity.map((patch) => patch.jid), ...deleted])];
  if (jids.length === 0) return;

  const before = await findChats(trx, sessionRowId, jids);
  await upsertChats(trx, sessionRowId, changes);
  await deleteChats(trx, sessionRowId, deleted);
  await upsertChats(trx, sessionRowId, activity);
  const after = await findChats(trx, sessionRowId, jids);
  const { created, changed } = diffRecords(before, after);
  const gone = deleted.filter((jid) => before.has(jid) && !after.has(jid));
  if (created.length) out.add('chats.upsert', { chats: created.map(serialize) });
  if (changed.length || gone.length) out.add('chats.update', { chats: changed.map(serialize), deleted: gone });
}

function messagePayload(record: MessageRecord): MessagePayload {
  const { createdAt: _created, updatedAt: _updated, ...rest } = record;
  return serialize(rest);
}

function newMessagePayload(message: NewMessage): MessagePayload {
  return serialize({ ...message, metadata: message.metadata });
}
