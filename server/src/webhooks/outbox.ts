import type { Insertable } from 'kysely';
import { sql } from 'kysely';
import type { Queryable, WebhookDeliveryTable } from '../db/database';
import { newId } from '../db/ids';
import type { DomainEvent } from '../events/catalogue';
import { toPublicEvents, type PublicEvent } from '../events/public/from-domain';
import type { EnvelopeV1 } from '../events/public/payloads';
import { EventFilter } from './event-filter';
import { findAccountRoutes, findSessionRoutes, type WebhookRoute } from './webhook-repository';

/** The session an event belongs to, as the outbox needs it. */
export interface EventSession {
  id: string;
  sessionId: string;
  userId: string;
  workflowId: string | null;
}

/** A delivery INSERT stays well under max_allowed_packet. */
const MAX_STATEMENT_BYTES = 2_000_000;

/**
 * Turns events into WebhookDelivery rows inside the transaction that stored what they report, so an
 * event is either stored with its deliveries or not at all. Nothing is sent from here: the dispatcher
 * claims the rows. Returns how many deliveries were written.
 */
export async function writeSessionEvents(trx: Queryable, session: EventSession, events: readonly DomainEvent[]): Promise<number> {
  if (events.length === 0) return 0;
  const routes = routable(await findSessionRoutes(trx, session)).filter(
    (route) => !route.sessionIds || route.sessionIds.includes(session.sessionId),
  );
  if (routes.length === 0) return 0;
  const matched: { event: PublicEvent; at: string; targets: string[] }[] = [];
  for (const domain of events) {
    for (const event of toPublicEvents(domain, session.sessionId)) {
      const targets = routes.filter((route) => route.filter.matches(event.event)).map((route) => route.id);
      if (targets.length > 0) matched.push({ event, at: domain.at, targets });
    }
  }
  if (matched.length === 0) return 0;
  const first = (await allocateSequence(trx, session.id, matched.length)) - matched.length + 1;
  const rows = matched.flatMap(({ event, at, targets }, index) =>
    deliveryRows(
      {
        id: eventId(),
        event: event.event,
        sessionId: session.sessionId,
        workflowId: session.workflowId,
        timestamp: at,
        sequence: first + index,
        data: event.data,
      },
      targets,
    ),
  );
  await insertDeliveries(trx, rows);
  return rows.length;
}

/** An event about the account (no session): to the user's active webhooks that want it, except `exceptWebhookId`. */
export async function writeAccountEvent(trx: Queryable, userId: string, event: PublicEvent, exceptWebhookId?: string): Promise<number> {
  const targets = routable(await findAccountRoutes(trx, userId))
    .filter((route) => route.id !== exceptWebhookId && route.filter.matches(event.event))
    .map((route) => route.id);
  if (targets.length === 0) return 0;
  const rows = deliveryRows(envelope(event, null), targets);
  await insertDeliveries(trx, rows);
  return rows.length;
}

/** An envelope for an event outside any session's sequence. */
export function envelope(event: PublicEvent, workflowId: string | null): EnvelopeV1 {
  return {
    id: eventId(),
    event: event.event,
    sessionId: null,
    workflowId,
    timestamp: new Date().toISOString(),
    sequence: null,
    data: event.data,
  };
}

const eventId = () => `evt_${newId()}`;

function routable(routes: WebhookRoute[]) {
  return routes.map((route) => ({ ...route, filter: EventFilter.parseStored(route.event) }));
}

function deliveryRows(body: EnvelopeV1, webhookIds: readonly string[]): Insertable<WebhookDeliveryTable>[] {
  const payload = JSON.stringify(body);
  const now = new Date();
  return webhookIds.map((webhookId) => ({
    id: newId(),
    event: body.event,
    payload,
    status: 'PENDING',
    attempts: 0,
    nextRetry: now,
    webhookId,
  }));
}

/** Reserves `count` sequence numbers for the session and returns the last one (atomic under the row lock). */
async function allocateSequence(trx: Queryable, sessionRowId: string, count: number): Promise<number> {
  const result = await sql`
    INSERT INTO SessionEventSequence (sessionId, lastSequence) VALUES (${sessionRowId}, LAST_INSERT_ID(${count}))
    ON DUPLICATE KEY UPDATE lastSequence = LAST_INSERT_ID(lastSequence + ${count})`.execute(trx);
  return Number(result.insertId);
}

async function insertDeliveries(trx: Queryable, rows: Insertable<WebhookDeliveryTable>[]): Promise<void> {
  let batch: typeof rows = [];
  let bytes = 0;
  for (const row of rows) {
    const size = (row.payload as string).length + 200;
    if (batch.length > 0 && bytes + size > MAX_STATEMENT_BYTES) {
      await trx.insertInto('WebhookDelivery').values(batch).execute();
      batch = [];
      bytes = 0;
    }
    batch.push(row);
    bytes += size;
  }
  if (batch.length > 0) await trx.insertInto('WebhookDelivery').values(batch).execute();
}
