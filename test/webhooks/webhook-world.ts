import { newId } from '../../server/src/db/ids';
import { domainEvent, type DomainEvent } from '../../server/src/events/catalogue';
import type { EventSession } from '../../server/src/webhooks/outbox';
import { verifyWebhook } from '../../server/src/webhooks/signing';
import type { TestGateway } from '../helpers/gateway';
import type { ReceivedRequest } from '../helpers/webhook-receiver';

/** A Session row that never connects (isActive false), to attribute events to. */
export async function addSession(
  gateway: TestGateway,
  userId: string,
  sessionId: string,
  workflowId: string | null = null,
): Promise<EventSession> {
  const id = newId();
  await gateway.ctx.db.insertInto('Session').values({ id, sessionId, userId, workflowId, isActive: false }).execute();
  return { id, sessionId, userId, workflowId };
}

/** Stores events for a session the way the ingest does (outbox inside a transaction), then wakes the dispatcher. */
export async function emit(gateway: TestGateway, session: EventSession, events: DomainEvent[]): Promise<number> {
  const written = await gateway.ctx.db.transaction().execute((trx) => gateway.ctx.delivery.outbox(trx, session, events));
  gateway.ctx.delivery.dispatcher.wake();
  return written as number;
}

export function textEvent(session: EventSession, text: string, messageId = `MSG${newId().toUpperCase().slice(0, 16)}`): DomainEvent {
  return domainEvent('messages.upsert', session.id, {
    source: 'live',
    messages: [
      {
        id: newId(),
        messageId,
        chatId: '15550009999@s.whatsapp.net',
        fromMe: false,
        fromJid: '15550009999@s.whatsapp.net',
        toJid: '15550001111@s.whatsapp.net',
        messageType: 'TEXT',
        content: { conversation: text },
        status: 'DELIVERED',
        timestamp: new Date().toISOString(),
        quotedMessage: null,
        metadata: { source: 'live', pushName: 'Zoe' },
      },
    ],
  });
}

export const statusEvent = (session: EventSession, status: 'CONNECTED' | 'DISCONNECTED' = 'CONNECTED') =>
  domainEvent('session.status', session.id, { status, phoneNumber: '15550001111' });

/** Whether the request carries a valid Standard Webhooks signature for `secret`. */
export function signedWith(request: ReceivedRequest, secret: string): boolean {
  return verifyWebhook({
    id: String(request.headers['webhook-id']),
    timestamp: String(request.headers['webhook-timestamp']),
    body: request.body,
    signatureHeader: String(request.headers['webhook-signature']),
    secret,
  });
}

export async function deliveriesOf(gateway: TestGateway, webhookId: string) {
  return gateway.ctx.db.selectFrom('WebhookDelivery').selectAll().where('webhookId', '=', webhookId).orderBy('createdAt').execute();
}
