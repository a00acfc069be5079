import type { IDataObject } from 'n8n-workflow';

/** What the gateway POSTs: one event per delivery. */
export interface Envelope {
  id: string;
  event: string;
  /** The user-facing session id; null for account events (webhook.disabled, webhook.test). */
  sessionId: string | null;
  workflowId: string | null;
  /** ISO 8601. */
  timestamp: string;
  sequence: number;
  data: IDataObject;
}

/** The item the trigger emits, one per event. Message fields are null for events without a message. */
export interface TriggerItem extends IDataObject {
  sessionId: string | null;
  event: string;
  messageId: string | null;
  chatId: string | null;
  from: string | null;
  fromMe: boolean | null;
  isGroup: boolean | null;
  type: string | null;
  text: string | null;
  timestamp: string | number | null;
  data: IDataObject;
}

export interface EventOptions {
  ignoreFromMe?: boolean;
  ignoreGroups?: boolean;
  ignoreStatus?: boolean;
}

export const STATUS_BROADCAST = 'status@broadcast';

const isGroupJid = (jid: string | null) => !!jid && jid.endsWith('@g.us');

const stringOrNull = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const booleanOrNull = (value: unknown): boolean | null => (typeof value === 'boolean' ? value : null);

/** The message an event is about: `data.message` (messages.upsert), else the data itself when it names one. */
function messageOf(data: IDataObject): IDataObject | undefined {
  const message = data.message;
  if (typeof message === 'object' && message !== null && !Array.isArray(message)) return message as IDataObject;
  if (typeof data.messageId === 'string') return data;
  return undefined;
}

export function isEnvelope(body: unknown): body is Envelope {
  const value = body as Envelope;
  return (
    typeof body === 'object' &&
    body !== null &&
    typeof value.event === 'string' &&
    typeof value.data === 'object' &&
    value.data !== null &&
    !Array.isArray(value.data)
  );
}

/** The envelope as the trigger's item. */
export function toItem(envelope: Envelope): TriggerItem {
  const message = messageOf(envelope.data);
  const chatId = stringOrNull(message?.chatId);
  return {
    sessionId: envelope.sessionId ?? null,
    event: envelope.event,
    messageId: stringOrNull(message?.messageId),
    chatId,
    from: stringOrNull(message?.from),
    fromMe: booleanOrNull(message?.fromMe),
    isGroup: message ? (booleanOrNull(message.isGroup) ?? (chatId ? isGroupJid(chatId) : null)) : null,
    type: stringOrNull(message?.type),
    text: stringOrNull(message?.text),
    timestamp: (message?.timestamp as string | number | undefined) ?? envelope.timestamp ?? null,
    data: envelope.data,
  };
}

/** Why the options drop this item, or undefined when it passes. */
export function droppedBy(item: TriggerItem, options: EventOptions): string | undefined {
  if (options.ignoreFromMe && item.fromMe === true) return 'sent by me';
  if (options.ignoreStatus && item.chatId === STATUS_BROADCAST) return 'status broadcast';
  if (options.ignoreGroups && (item.isGroup === true || isGroupJid(item.chatId))) return 'group chat';
  return undefined;
}

/** The media description of a message event: `{ mimetype, fileName, size }`, or undefined. */
export function mediaOf(item: TriggerItem): { mimetype?: string; fileName?: string } | undefined {
  const message = messageOf(item.data);
  const media = message?.media;
  if (typeof media !== 'object' || media === null || Array.isArray(media)) return undefined;
  const { mimetype, fileName } = media as IDataObject;
  return { mimetype: stringOrNull(mimetype) ?? undefined, fileName: stringOrNull(fileName) ?? undefined };
}

/** The longest `event` setting the gateway stores. */
export const MAX_EVENT_SETTING_LENGTH = 255;

/**
 * The gateway's `event` setting for the chosen events: their names joined by commas, or, when that
 * is too long for the gateway, each prefix whose every (non-opt-in) event is chosen written as
 * `prefix.*` (patterns never match opt-in events, so those stay named). When even that is too long,
 * `*` plus the chosen opt-in events: webhook() drops what was not chosen.
 */
export function eventSetting(
  chosen: string[],
  catalogue: { name: string; optIn: boolean }[],
  maxLength = MAX_EVENT_SETTING_LENGTH,
): string {
  const plain = chosen.join(',');
  if (plain.length <= maxLength) return plain;
  const selected = new Set(chosen);
  const byPrefix = new Map<string, string[]>();
  for (const { name, optIn } of catalogue) {
    if (optIn || !name.includes('.')) continue;
    const prefix = name.split('.')[0]!;
    byPrefix.set(prefix, [...(byPrefix.get(prefix) ?? []), name]);
  }
  const covered = new Set<string>();
  const tokens: string[] = [];
  for (const [prefix, names] of byPrefix) {
    if (names.length > 1 && names.every((name) => selected.has(name))) {
      tokens.push(`${prefix}.*`);
      for (const name of names) covered.add(name);
    }
  }
  const compact = [...tokens, ...chosen.filter((name) => !covered.has(name))].join(',');
  if (compact.length <= maxLength) return compact;
  const optIn = new Set(catalogue.filter((event) => event.optIn).map((event) => event.name));
  return ['*', ...chosen.filter((name) => optIn.has(name))].join(',');
}
