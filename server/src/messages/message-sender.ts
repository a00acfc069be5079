import type { Principal } from '../auth/principal';
import type { AppContext } from '../context';
import type { MessageStatus, Session } from '../db/database';
import { HttpError } from '../http/errors';
import { newMessageId } from '../send-queue/send-queue';
import type { QueuedRequest } from '../send-queue/queued-request';
import type { QueuedSend } from '../send-queue/queue-repository';
import { SessionNotConnectedError } from '../whatsapp/whatsapp-errors';
import { findMessage } from '../whatsapp/store/read-queries';
import { toHttpError } from '../http/whatsapp-errors';
import { hashRequest, idempotentMessageId, keyReused, type IdempotencyRecord } from './idempotency';
import { sendMediaLimits } from './media-input';
import { forwardableMessage, planSend } from './outgoing-content';
import { parseRecipient } from './recipients';
import type { SendMessageBody } from './send-schemas';

/** What a send request is answered with: the message once sent, or the queued row. */
export type SendAnswer =
  { sent: { messageId: string; status: MessageStatus; timestamp: Date }; replayed: boolean } | { queued: QueuedSend; replayed: boolean };

export interface SendOptions {
  idempotencyKey?: string;
  /** false: answer 202 with the queued row at once. */
  wait: boolean;
}

/**
 * Sends new messages (and forwards) through the send queue: validated in full first, written to the queue,
 * then sent by the session's worker. Unpaced sends wait for the worker (up to SEND_WAIT_MS) and answer the
 * stored message or WhatsApp's refusal, as a direct send would; paced ones (and `wait: false`) answer the
 * queued row. With an Idempotency-Key the message id derives from the key, so a retry finds the first row.
 */
export class MessageSender {
  constructor(private readonly ctx: AppContext) {}

  async send(principal: Principal, sessionId: string, body: SendMessageBody, options: SendOptions): Promise<SendAnswer> {
    const session = await this.ctx.sessions.find(principal, sessionId);
    const plan = await planSend(this.ctx.db, session.id, body, sendMediaLimits(this.ctx.config));
    const send = () => this.enqueue(principal, session, { send: body }, options, async () => plan);
    // A waiting request for media from a URL holds a media turn until the worker has sent it (the fetched
    // bytes live that long), so the caller hears 429/503 at once when the user or the process is busy.
    return plan.fetchesMedia && options.wait ? this.ctx.mediaWork.run(principal.id, send) : send();
  }

  async forward(principal: Principal, sessionId: string, sourceId: string, to: string, options: SendOptions): Promise<SendAnswer> {
    const session = await this.ctx.sessions.find(principal, sessionId);
    return this.enqueue(principal, session, { forward: sourceId, to }, options, async () => {
      await forwardableMessage(this.ctx.db, session.id, sourceId);
      parseRecipient(to);
    });
  }

  private async enqueue(
    principal: Principal,
    session: Session,
    request: QueuedRequest,
    options: SendOptions,
    validate: () => Promise<unknown>,
  ): Promise<SendAnswer> {
    const queue = this.ctx.sendQueue;
    const key = options.idempotencyKey;
    const idempotency = key === undefined ? undefined : { key, requestHash: hashRequest(request) };
    const messageId = key === undefined ? newMessageId() : idempotentMessageId(session.id, principal.id, key);
    const paced = (await queue.pacing(session.id)).paceSingleSends;
    const wait = options.wait && !paced;
    if (idempotency) {
      const earlier = await queue.earlier(session.id, messageId, idempotency);
      if (earlier) return this.answer(earlier, wait, true);
      const legacy = await this.sentBeforeTheQueue(session.id, messageId, idempotency);
      if (legacy) return legacy;
    }
    await validate();
    if (wait && !this.ctx.manager.isConnected(session.id)) throw toHttpError(new SessionNotConnectedError('not connected'));
    const { row, replayed } = await queue.accept(session, { userId: principal.id, messageId, request, paced, idempotency });
    return this.answer(row, wait, replayed);
  }

  private async answer(row: QueuedSend, wait: boolean, replayed: boolean): Promise<SendAnswer> {
    const current = wait ? await this.ctx.sendQueue.settled(row, this.ctx.config.SEND_WAIT_MS) : row;
    if (current.status === 'FAILED') throw new HttpError(current.errorStatus ?? 500, current.error ?? 'The message could not be sent');
    if (current.status !== 'SENT' || !wait) return { queued: current, replayed };
    const message = await findMessage(this.ctx.db, current.sessionId, current.messageId);
    return {
      sent: {
        messageId: current.messageId,
        status: message?.status ?? 'PENDING',
        timestamp: message?.timestamp ?? current.sentAt ?? new Date(),
      },
      replayed,
    };
  }

  /** A message sent with this key before sends were queued: its Message row carries the key. */
  private async sentBeforeTheQueue(
    sessionRowId: string,
    messageId: string,
    idempotency: { key: string; requestHash: string },
  ): Promise<SendAnswer | undefined> {
    const message = await findMessage(this.ctx.db, sessionRowId, messageId);
    if (!message) return undefined;
    const stored = (message.metadata as { idempotency?: IdempotencyRecord } | null)?.idempotency;
    if (stored && stored.requestHash !== idempotency.requestHash) {
      throw keyReused(idempotency.key);
    }
    return { sent: { messageId, status: message.status, timestamp: message.timestamp }, replayed: true };
  }
}
