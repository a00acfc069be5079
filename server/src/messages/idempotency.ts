import { createHash } from 'node:crypto';
import { HttpError } from '../http/errors';

/*
 * Sends that are safe to retry. The WhatsApp message id is derived from (session, caller, key), and the
 * send queue's row for it is unique per (session, message id): the first request's insert claims the key
 * in every process at once, a retry finds that row. The request's hash is kept with it (and in
 * Message.metadata) to catch a key reused for another request.
 */

/** Message.metadata.idempotency of a message sent with an Idempotency-Key. */
export interface IdempotencyRecord {
  key: string;
  requestHash: string;
}

/** 422: the key was sent before with another request. */
export const keyReused = (key: string) =>
  new HttpError(422, `Idempotency-Key "${key}" was already used for a different request; use a new key for a new message`);

/** A WhatsApp-style message id (like Baileys': 3EB0 + 18 hex digits), the same for the same session, caller and key. */
export function idempotentMessageId(sessionRowId: string, userId: string, key: string): string {
  const digest = createHash('sha256').update(`${sessionRowId}\n${userId}\n${key}`).digest('hex');
  return `3EB0${digest.slice(0, 18).toUpperCase()}`;
}

/** SHA-256 of the request as canonical JSON (object keys sorted). */
export function hashRequest(request: unknown): string {
  return createHash('sha256').update(canonicalJson(request)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
