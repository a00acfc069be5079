import { createHash } from 'node:crypto';
import type { Db } from '../db/database';
import { HttpError } from '../http/errors';
import { findMessage } from '../whatsapp/store/read-queries';
import type { MessageRecord } from '../whatsapp/store/records';
import { mergeMessageMetadata } from './message-repository';

/** Message.metadata.idempotency of a message sent with an Idempotency-Key. */
export interface IdempotencyRecord {
  key: string;
  requestHash: string;
}

export interface IdempotentOutcome {
  message: MessageRecord | undefined;
  /** The WhatsApp id of the message (also when its row could not be read back). */
  messageId: string;
  /** True when an earlier request with the same key sent it. */
  replayed: boolean;
}

/**
 * Sends that are safe to retry. The WhatsApp message id is derived from (session, caller, key), so the
 * Message row of an earlier attempt is found by id without a table of its own; requests with the same key
 * run one at a time in this process; the request's hash is kept in Message.metadata to catch a key reused
 * for another request.
 */
export class IdempotentSends {
  private readonly running = new Map<string, Promise<unknown>>();

  constructor(private readonly db: Db) {}

  /**
   * Runs `send` (which gets the message id to use, or undefined without a key, and returns the id it sent)
   * unless a request with the same key already sent the message.
   */
  async run(
    scope: { sessionRowId: string; userId: string },
    key: string | undefined,
    request: unknown,
    send: (messageId: string | undefined) => Promise<string>,
  ): Promise<IdempotentOutcome> {
    if (key === undefined) {
      const messageId = await send(undefined);
      return { messageId, message: await findMessage(this.db, scope.sessionRowId, messageId), replayed: false };
    }
    const messageId = idempotentMessageId(scope.sessionRowId, scope.userId, key);
    const requestHash = hashRequest(request);
    return this.oneAtATime(`${scope.sessionRowId}/${messageId}`, async () => {
      const earlier = await findMessage(this.db, scope.sessionRowId, messageId);
      if (earlier) {
        const stored = (earlier.metadata as { idempotency?: IdempotencyRecord } | null)?.idempotency;
        if (stored && stored.requestHash !== requestHash) {
          throw new HttpError(422, `Idempotency-Key "${key}" was already used for a different request; use a new key for a new message`);
        }
        return { messageId, message: earlier, replayed: true };
      }
      await send(messageId);
      await mergeMessageMetadata(this.db, scope.sessionRowId, messageId, { idempotency: { key, requestHash } satisfies IdempotencyRecord });
      return { messageId, message: await findMessage(this.db, scope.sessionRowId, messageId), replayed: false };
    });
  }

  private async oneAtATime<T>(lock: string, work: () => Promise<T>): Promise<T> {
    const before = this.running.get(lock) ?? Promise.resolve();
    const current = before.then(work, work);
    const settled = current.then(
      () => undefined,
      () => undefined,
    );
    this.running.set(lock, settled);
    try {
      return await current;
    } finally {
      if (this.running.get(lock) === settled) this.running.delete(lock);
    }
  }
}

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
