import { badRequest } from '../http/errors';
import { parseRecipient } from '../messages/recipients';
import type { SendMessageBody } from '../messages/send-schemas';

/** A bulk send's content: a send body without its recipient; `{{name}}` in its texts is replaced per recipient. */
export type BulkTemplate = Omit<SendMessageBody, 'to'>;

/** What a SendQueue row sends (its `request` column, JSON). */
export type QueuedRequest =
  | { send: SendMessageBody }
  | { forward: string; to: string }
  /** One recipient of a bulk job; the content is the job's template. */
  | { bulk: { to: string; variables: Record<string, string> } };

/** The recipient's JID (as given when it is not one: the send then fails with the reason). */
export function recipientOf(request: QueuedRequest): string {
  const to = 'send' in request ? request.send.to : 'bulk' in request ? request.bulk.to : request.to;
  try {
    return parseRecipient(to);
  } catch {
    return to;
  }
}

/** Fields that are data, not text: never templated. */
const NOT_TEXT = new Set(['type', 'to', 'url', 'base64', 'mimetype', 'messageId', 'quotedMessageId', 'mentions', 'phone']);
const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

/** The variable names the template's texts use. */
export function placeholdersOf(template: BulkTemplate): Set<string> {
  const names = new Set<string>();
  walk(template, (text) => {
    for (const match of text.matchAll(PLACEHOLDER)) names.add(match[1]!);
    return text;
  });
  return names;
}

/** 400 naming the first recipient that lacks a variable the template uses. */
export function checkVariables(template: BulkTemplate, recipients: readonly { variables?: Record<string, string> }[]): void {
  const names = [...placeholdersOf(template)];
  recipients.forEach((recipient, index) => {
    const missing = names.filter((name) => recipient.variables?.[name] === undefined);
    if (missing.length > 0) throw badRequest(`recipients/${index} has no value for {{${missing.join('}}, {{')}}} used in the message`);
  });
}

/** The send body for one recipient of a bulk job. */
export function render(template: BulkTemplate, to: string, variables: Record<string, string>): SendMessageBody {
  const body = walk(template, (text) => text.replace(PLACEHOLDER, (whole, name: string) => variables[name] ?? whole));
  return { ...(body as object), to } as SendMessageBody;
}

function walk(value: unknown, text: (value: string) => string, key?: string): unknown {
  if (key !== undefined && NOT_TEXT.has(key)) return value;
  if (typeof value === 'string') return text(value);
  if (Array.isArray(value)) return value.map((item) => walk(item, text));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, walk(v, text, k)]));
  }
  return value;
}
