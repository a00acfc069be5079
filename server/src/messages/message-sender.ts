import type { Principal } from '../auth/principal';
import type { AppContext } from '../context';
import type { MessageStatus, Session } from '../db/database';
import { HttpError } from '../http/errors';
import { forwardMessage, sendContent, type SentMessage, type SentMessageStore } from '../whatsapp/operations/messages';
import type { WASocket } from '../whatsapp/socket-factory';
import { IdempotentSends, type IdempotentOutcome } from './idempotency';
import { sendMediaLimits } from './media-input';
import { planSend, storedMessage } from './outgoing-content';
import { confirmOnWhatsApp, parseRecipient } from './recipients';
import type { SendMessageBody } from './send-schemas';

export interface SendResult {
  messageId: string;
  status: MessageStatus;
  timestamp: Date;
  /** True when an earlier request with the same Idempotency-Key sent it. */
  replayed: boolean;
}

const FORWARDABLE = new Set(['TEXT', 'IMAGE', 'VIDEO', 'AUDIO', 'DOCUMENT', 'STICKER', 'LOCATION', 'CONTACT']);

/** Sends new messages (and forwards): validated in full first, stored at once, optionally idempotent. */
export class MessageSender {
  private readonly idempotent: IdempotentSends;

  constructor(private readonly ctx: AppContext) {
    this.idempotent = new IdempotentSends(ctx.db);
  }

  async send(principal: Principal, sessionId: string, body: SendMessageBody, idempotencyKey?: string): Promise<SendResult> {
    const session = await this.ctx.sessions.find(principal, sessionId);
    const limits = sendMediaLimits(this.ctx.config);
    const outcome = await this.idempotent.run(
      { sessionRowId: session.id, userId: principal.id },
      idempotencyKey,
      { send: body },
      async (messageId) => {
        const plan = await planSend(this.ctx.db, session.id, body, limits);
        const send = () =>
          this.deliver(principal, sessionId, async (store, socket) => {
            const jid = await confirmOnWhatsApp(socket, plan.to);
            return sendContent(store, socket, jid, await plan.content(), { messageId, quoted: plan.quoted });
          });
        // The fetched bytes are held until WhatsApp has them: the turn lasts until the send is done.
        return plan.fetchesMedia ? this.ctx.mediaWork.run(principal.id, send) : send();
      },
    );
    return resultOf(outcome);
  }

  async forward(principal: Principal, sessionId: string, sourceId: string, to: string, idempotencyKey?: string): Promise<SendResult> {
    const session = await this.ctx.sessions.find(principal, sessionId);
    const request = { forward: sourceId, to };
    const outcome = await this.idempotent.run(
      { sessionRowId: session.id, userId: principal.id },
      idempotencyKey,
      request,
      async (messageId) => {
        const source = await storedMessage(this.ctx.db, session.id, sourceId);
        if (!FORWARDABLE.has(source.messageType)) {
          throw new HttpError(422, `A ${source.messageType.toLowerCase()} message cannot be forwarded`);
        }
        if (source.metadata?.revoked) throw new HttpError(422, `Message "${sourceId}" was deleted for everyone and cannot be forwarded`);
        const target = parseRecipient(to);
        return this.deliver(principal, sessionId, async (store, socket) =>
          forwardMessage(store, socket, await confirmOnWhatsApp(socket, target), source, { messageId }),
        );
      },
    );
    return resultOf(outcome);
  }

  /** Sends with the session's socket; the message is stored before this returns, with WhatsApp's reason when it refused it at once. */
  private deliver(
    principal: Principal,
    sessionId: string,
    send: (store: SentMessageStore, socket: WASocket) => Promise<SentMessage>,
  ): Promise<string> {
    return this.ctx.sessions.withSocket(principal, sessionId, async (socket, session: Session) => {
      const sent = await send({ ingest: this.ctx.ingest, session }, socket);
      return sent.messageId;
    });
  }
}

function resultOf({ message, messageId, replayed }: IdempotentOutcome): SendResult {
  if (!message) return { messageId, status: 'PENDING', timestamp: new Date(), replayed };
  return { messageId: message.messageId, status: message.status, timestamp: message.timestamp, replayed };
}
