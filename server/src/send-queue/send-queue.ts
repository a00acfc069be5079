import { randomBytes } from 'node:crypto';
import type { Db, Session } from '../db/database';
import { isDuplicateKey } from '../db/errors';
import { newId } from '../db/ids';
import { toJson } from '../db/json';
import { HttpError } from '../http/errors';
import { keyReused } from '../messages/idempotency';
import { findPacing, savePacing, type Pacing } from './pacing-repository';
import { findQueued, insertQueued, type NewQueuedSend, type QueuedSend } from './queue-repository';
import type { QueuedRequest } from './queued-request';
import type { SendOutcomes } from './send-outcomes';

export interface SendQueueServices {
  db: Db;
  outcomes: SendOutcomes;
  /** Tells the session's worker (when this process runs it) that rows were queued. */
  wake(sessionRowId: string): void;
  pacingDefaults: Pacing;
}

export interface Accepted {
  row: QueuedSend;
  /** An earlier request with the same Idempotency-Key queued it. */
  replayed: boolean;
}

const ER_NET_PACKET_TOO_LARGE = 1153;
/** How often a waiting request looks at its row again when no signal came (sent by another process). */
const RECHECK_MS = 1000;
const FINAL = new Set(['SENT', 'FAILED', 'CANCELLED']);

/** A WhatsApp-style message id (3EB0 + 18 hex digits, like Baileys'), chosen when a send is accepted. */
export const newMessageId = (): string => `3EB0${randomBytes(9).toString('hex').toUpperCase()}`;

/** Accepted sends, written before they are sent; a session's worker sends them (SessionSendWorker). */
export class SendQueue {
  constructor(private readonly services: SendQueueServices) {}

  /** Rows were queued for the session (by someone else than accept). */
  wake(sessionRowId: string): void {
    this.services.wake(sessionRowId);
  }

  pacing(sessionRowId: string): Promise<Pacing> {
    return findPacing(this.services.db, sessionRowId, this.services.pacingDefaults);
  }

  async setPacing(sessionRowId: string, changes: Partial<Pacing>): Promise<Pacing> {
    const pacing = { ...(await this.pacing(sessionRowId)), ...changes };
    await savePacing(this.services.db, sessionRowId, pacing);
    this.wake(sessionRowId);
    return pacing;
  }

  /** The row an earlier request with this message id (from its Idempotency-Key) queued; 422 when that request was another one. */
  async earlier(
    sessionRowId: string,
    messageId: string,
    idempotency: { key: string; requestHash: string },
  ): Promise<QueuedSend | undefined> {
    const row = await findQueued(this.services.db, sessionRowId, { messageId });
    if (row && row.requestHash !== idempotency.requestHash) {
      throw keyReused(idempotency.key);
    }
    return row;
  }

  /**
   * Writes one accepted send. The row is the Idempotency-Key's claim: (sessionId, messageId) is unique and
   * the id derives from the key, so of concurrent requests with one key, in any processes, one inserts and
   * the others get its row back.
   */
  async accept(
    session: Pick<Session, 'id'>,
    input: {
      userId: string;
      messageId: string;
      request: QueuedRequest;
      paced: boolean;
      idempotency?: { key: string; requestHash: string };
    },
  ): Promise<Accepted> {
    const row: NewQueuedSend = {
      id: newId(),
      sessionId: session.id,
      userId: input.userId,
      messageId: input.messageId,
      idempotencyKey: input.idempotency?.key ?? null,
      requestHash: input.idempotency?.requestHash ?? null,
      request: toJson(input.request),
      paced: input.paced,
      status: 'QUEUED',
    };
    try {
      await insertQueued(this.services.db, [row]);
    } catch (error) {
      if ((error as { errno?: number }).errno === ER_NET_PACKET_TOO_LARGE) {
        throw new HttpError(
          413,
          'The message is larger than the database accepts in one piece (max_allowed_packet); send the media by url',
        );
      }
      if (!isDuplicateKey(error) || !input.idempotency) throw error;
      const earlier = await this.earlier(session.id, input.messageId, input.idempotency);
      if (earlier) return { row: earlier, replayed: true };
      throw error;
    }
    this.wake(session.id);
    return { row: (await findQueued(this.services.db, session.id, { id: row.id }))!, replayed: false };
  }

  /**
   * Waits up to `waitMs` for the row to be SENT, FAILED or CANCELLED, and answers it as it then is; a row
   * put back to wait for the connection is answered at once.
   */
  async settled(row: QueuedSend, waitMs: number): Promise<QueuedSend> {
    const deadline = Date.now() + waitMs;
    let current = row;
    for (;;) {
      const left = deadline - Date.now();
      const next = left > 0 ? this.services.outcomes.next(row.id, Math.min(left, RECHECK_MS)) : undefined;
      current = (await findQueued(this.services.db, row.sessionId, { id: row.id })) ?? current;
      const deferred = current.status === 'QUEUED' && current.attempts > 0;
      if (!next || FINAL.has(current.status) || deferred) {
        next?.cancel();
        return current;
      }
      await next.signal;
    }
  }
}
