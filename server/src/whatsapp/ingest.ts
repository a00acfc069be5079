import { proto, type BaileysEventMap, type GroupMetadata, type WAMessage } from '@whiskeysockets/baileys';
import type { Logger } from 'pino';
import type { Queryable } from '../db/database';
import { newId } from '../db/ids';
import { domainEvent, serialize, type DomainEvent, type DomainEventPayloads, type DomainEventType } from '../events/catalogue';
import type { EarlyOperations } from './early-operations';
import { ingestMessages } from './ingest-messages';
import { normalizeJid, type LidPair } from './jids';
import { chatPatchFromChat, mergeChatPatches, type ChatPatch } from './mapping/chat-row';
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
import type { MessageOperation } from './mapping/message-patches';
import { classifyMessage } from './mapping/message-row';
import type { TargetedOperation } from './mapping/message-updates';
import { diffRecords } from './store/batch';
import { deleteChats, findChats, upsertChats } from './store/chat-store';
import { findContacts, upsertContacts } from './store/contact-store';
import { findGroups, upsertGroups } from './store/group-store';
import type { NewMessage } from './store/message-store';
import { relinkLids } from './store/relink';

export interface HistoryCutoff {
  /** History messages older than this many days are not stored. */
  maxAgeDays: number;
  /** A chat takes history messages (newest first) until it holds this many messages. */
  maxMessagesPerChat: number;
}

export interface IngestContext extends MappingContext {
  historyCutoff: HistoryCutoff;
  /** Where conflicts and refused changes are reported. */
  log?: Pick<Logger, 'warn'>;
  /** Where changes to messages not stored yet wait for them (one per session). */
  early?: EarlyOperations;
  /** The clock; tests pin it. */
  now?: Date;
}

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
export type Batch = {
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
        chatId: intent.chatId,
        by: intent.by,
        operation: { kind: 'edit', content: intent.content, editedAt: intent.editedAt },
      });
    } else if (intent.kind === 'revoke') {
      const operation: MessageOperation = {
        kind: 'revoke',
        revokedAt: intent.revokedAt,
        ...(intent.revokedBy ? { revokedBy: intent.revokedBy } : {}),
      };
      prepared.operations.push({ messageId: intent.targetId, chatId: intent.chatId, by: intent.by, operation });
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

/**
 * Baileys re-emits every group `groupFetchAllParticipating` answers as a `groups.update` holding the whole
 * metadata. Whoever fetched stores the answer itself; this copy waits in the session's event queue and,
 * landing after newer writes (a live read, a notification), would put the group back as it was.
 * Notifications are partial: only these snapshots carry the participant list.
 */
const isFetchedSnapshot = (group: Partial<GroupMetadata>) => Array.isArray(group.participants);

const ROLE_BY_ACTION: Partial<Record<string, ParticipantRole>> = { promote: 'admin', demote: 'member' };

/** Groups and participant changes; returns the chat changes they imply (group chats named after their subject). */
async function ingestGroups({ trx, sessionRowId, events, ctx, out }: Batch): Promise<ChatPatch[]> {
  const updates = (events['groups.update'] ?? []).filter((group) => !isFetchedSnapshot(group));
  const patches = mergeGroupPatches(
    [...(events['groups.upsert'] ?? []), ...updates].flatMap((group) => groupPatchFromMetadata(group, ctx) ?? []),
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
