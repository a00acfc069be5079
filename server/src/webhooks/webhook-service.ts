import { isAdmin, type Principal } from '../auth/principal';
import type { Db, WebhookStatus } from '../db/database';
import { newId } from '../db/ids';
import { fromJson } from '../db/json';
import { badRequest, notFound } from '../http/errors';
import { checkOutboundUrl, PrivateAddressError } from '../net/outbound-guard';
import * as deliveries from './delivery-repository';
import type { DeliverySender } from './delivery-sender';
import { secretsOf } from './dispatcher';
import { EventFilter, InvalidEventFilter } from './event-filter';
import { envelope } from './outbox';
import { outcomeOf } from './retry-policy';
import { generateWebhookSecret, isValidWebhookSecret } from './signing';
import * as webhooks from './webhook-repository';
import type { CreateWebhookBody, UpdateWebhookBody } from './webhook-schemas';

export interface WebhookView {
  id: string;
  url: string;
  event: string;
  isActive: boolean;
  maxRetries: number;
  retries: number;
  lastError: string | null;
  workflowId: string | null;
  sessionIds: string[] | null;
  metadata: Record<string, unknown> | null;
  userId: string;
  secret?: string;
  secretRotatedUntil: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface WebhookPolicy {
  allowPrivate: boolean;
  allowedHosts: readonly string[];
  secretGraceMs: number;
}

/** Registration, the delivery log and replays; every query is scoped to the caller (an admin sees all). */
export class WebhookService {
  constructor(
    private readonly db: Db,
    private readonly policy: WebhookPolicy,
    private readonly sender: DeliverySender,
    /** Called when deliveries were queued again, so the dispatcher looks at once. */
    private readonly wake: () => void,
  ) {}

  async create(principal: Principal, body: CreateWebhookBody): Promise<WebhookView> {
    const event = this.eventSetting(body.event);
    await this.checkUrl(body.url);
    if (body.secret !== undefined && !isValidWebhookSecret(body.secret)) {
      throw badRequest('secret must be whsec_ followed by the base64 of 24 to 64 random bytes (or leave it out to get one)');
    }
    const id = newId();
    const secret = body.secret ?? generateWebhookSecret();
    await this.db.transaction().execute((trx) =>
      webhooks.insertWebhook(trx, {
        id,
        userId: principal.id,
        url: body.url,
        event,
        secret,
        maxRetries: body.maxRetries ?? 3,
        metadata: body.metadata ?? null,
        workflowId: body.workflowId ?? null,
        sessionIds: body.sessionIds ?? null,
      }),
    );
    return { ...view(await this.find(principal, id)), secret };
  }

  async list(principal: Principal, limit: number, before?: { createdAt: Date; id: string }) {
    const rows = await webhooks.listWebhooks(this.db, { ownerId: isAdmin(principal) ? undefined : principal.id, limit, before });
    return rows.map((row) => ({ row, view: view(row) }));
  }

  async get(principal: Principal, id: string): Promise<WebhookView> {
    return view(await this.find(principal, id));
  }

  async update(principal: Principal, id: string, body: UpdateWebhookBody): Promise<WebhookView> {
    const current = await this.find(principal, id);
    const event = body.event === undefined ? undefined : this.eventSetting(body.event);
    if (body.url !== undefined) await this.checkUrl(body.url);
    const reenabled = body.isActive === true && !current.isActive;
    await this.db.transaction().execute(async (trx) => {
      await webhooks.updateWebhook(trx, id, {
        ...(body.url !== undefined ? { url: body.url } : {}),
        ...(event !== undefined ? { event } : {}),
        ...(body.isActive !== undefined ? { isActive: body.isActive } : {}),
        ...(reenabled ? { retries: 0 } : {}),
        ...(body.maxRetries !== undefined ? { maxRetries: body.maxRetries } : {}),
        ...(body.workflowId !== undefined ? { workflowId: body.workflowId } : {}),
        ...(body.sessionIds !== undefined ? { sessionIds: body.sessionIds } : {}),
        ...(body.metadata !== undefined ? { metadata: body.metadata } : {}),
      });
      if (reenabled) await deliveries.resumeDeliveries(trx, id, new Date());
    });
    if (reenabled) this.wake();
    return view(await this.find(principal, id));
  }

  async remove(principal: Principal, id: string): Promise<void> {
    await this.find(principal, id);
    await webhooks.deleteWebhook(this.db, id);
  }

  /** A new secret; the old one keeps signing (as a second signature) for the grace period. */
  async rotateSecret(principal: Principal, id: string): Promise<WebhookView> {
    const current = await this.find(principal, id);
    const secret = generateWebhookSecret();
    const graceEnds = new Date(Date.now() + this.policy.secretGraceMs);
    await this.db.transaction().execute((trx) =>
      webhooks.updateWebhook(trx, id, {
        secret,
        previousSecret: this.policy.secretGraceMs > 0 ? current.secret : null,
        previousSecretExpiresAt: this.policy.secretGraceMs > 0 ? graceEnds : null,
      }),
    );
    return { ...view(await this.find(principal, id)), secret };
  }

  /** Sends a signed webhook.test now and answers with the result; the attempt is kept in the delivery log. */
  async test(principal: Principal, id: string) {
    const webhook = await this.find(principal, id);
    const body = envelope(
      { event: 'webhook.test', data: { webhookId: id, message: 'Test delivery from the Baileys API gateway' } },
      webhook.workflowId,
    );
    const payload = JSON.stringify(body);
    const attempt = await this.sender.send(webhook.url, body.id, payload, secretsOf(webhook));
    const deliveryId = newId();
    const delivery = {
      ...webhook,
      id: deliveryId,
      event: body.event,
      payload,
      attempts: 0,
      webhookId: id,
      maxRetries: 0,
      lease: new Date(),
    };
    const outcome = outcomeOf(delivery, attempt, { baseDelayMs: 0, maxDelayMs: 0 });
    await this.db.transaction().execute(async (trx) => {
      await deliveries.insertDelivery(trx, { id: deliveryId, event: body.event, payload, webhookId: id, nextRetry: delivery.lease });
      await deliveries.recordOutcomes(trx, [{ delivery, outcome, attempt }]);
    });
    const { statusCode, durationMs, error, response } = attempt;
    return { success: outcome.status === 'SUCCESS', statusCode, durationMs, error, response, deliveryId };
  }

  async deliveriesOf(
    principal: Principal,
    id: string,
    query: { status?: WebhookStatus; from?: Date; to?: Date; limit: number; before?: { createdAt: Date; id: string } },
  ) {
    await this.find(principal, id);
    const rows = await deliveries.listDeliveries(this.db, id, query);
    return rows.map((row) => ({ row, view: deliveryView(row) }));
  }

  async delivery(principal: Principal, deliveryId: string) {
    const row = await this.findDelivery(principal, deliveryId);
    const attempts = await deliveries.attemptsOf(this.db, deliveryId);
    return {
      ...deliveryView(row),
      payload: fromJson<Record<string, unknown>>(row.payload),
      attemptLog: attempts.map(({ id: _id, deliveryId: _d, ...rest }) => rest),
    };
  }

  async redeliver(principal: Principal, deliveryId: string) {
    await this.findDelivery(principal, deliveryId);
    await deliveries.requeueDelivery(this.db, deliveryId, new Date());
    this.wake();
    return deliveryView(await this.findDelivery(principal, deliveryId));
  }

  private async find(principal: Principal, id: string): Promise<webhooks.WebhookRow> {
    const row = await webhooks.findWebhook(this.db, id, isAdmin(principal) ? undefined : principal.id);
    if (!row) throw notFound(`Webhook "${id}" not found`);
    return row;
  }

  private async findDelivery(principal: Principal, id: string) {
    const row = await deliveries.findDelivery(this.db, id);
    if (!row || (!isAdmin(principal) && row.userId !== principal.id)) throw notFound(`Delivery "${id}" not found`);
    return row;
  }

  private eventSetting(text: string): string {
    try {
      return EventFilter.normalize(text);
    } catch (error) {
      if (error instanceof InvalidEventFilter)
        throw badRequest(
          error.message,
          error.unknown.map((token) => ({ path: '/body/event', message: `unknown event '${token}'` })),
        );
      throw error;
    }
  }

  private async checkUrl(url: string): Promise<void> {
    try {
      await checkOutboundUrl(url, { allowPrivate: this.policy.allowPrivate, allowedHosts: this.policy.allowedHosts });
    } catch (error) {
      if (error instanceof PrivateAddressError) throw badRequest(error.message);
      throw error;
    }
  }
}

function view(row: webhooks.WebhookRow): WebhookView {
  return {
    id: row.id,
    url: row.url,
    event: row.event,
    isActive: row.isActive,
    maxRetries: row.maxRetries,
    retries: row.retries,
    lastError: row.lastError,
    workflowId: row.workflowId,
    sessionIds: row.sessionIds,
    metadata: fromJson<Record<string, unknown> | null>(row.metadata),
    userId: row.userId,
    secretRotatedUntil:
      row.previousSecret && row.previousSecretExpiresAt && row.previousSecretExpiresAt > new Date() ? row.previousSecretExpiresAt : null,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

function deliveryView(row: deliveries.Delivery) {
  const payload = fromJson<{ id?: string }>(row.payload);
  return {
    id: row.id,
    webhookId: row.webhookId,
    event: row.event,
    status: row.status,
    attempts: row.attempts,
    nextRetry: row.status === 'SUCCESS' || row.status === 'FAILED' ? null : row.nextRetry,
    response: row.response,
    eventId: payload.id ?? row.id,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
