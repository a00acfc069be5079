import type { Selectable } from 'kysely';
import type { Queryable, WebhookSettingsTable, WebhookTable } from '../db/database';
import { fromJson, toNullableJson } from '../db/json';

/** A webhook with its routing and rotation settings. */
export interface WebhookRow extends Selectable<WebhookTable> {
  workflowId: string | null;
  sessionIds: string[] | null;
  previousSecret: string | null;
  previousSecretExpiresAt: Date | null;
}

/** What the outbox needs of a webhook to decide whether an event goes to it. */
export interface WebhookRoute {
  id: string;
  event: string;
  sessionIds: string[] | null;
}

export interface NewWebhook {
  id: string;
  userId: string;
  url: string;
  event: string;
  secret: string;
  maxRetries: number;
  metadata: unknown;
  workflowId: string | null;
  sessionIds: string[] | null;
}

export type WebhookChange = Partial<Pick<WebhookRow, 'url' | 'event' | 'isActive' | 'maxRetries' | 'retries' | 'lastError' | 'secret'>> &
  Partial<Pick<WebhookRow, 'workflowId' | 'sessionIds' | 'previousSecret' | 'previousSecretExpiresAt'>> & { metadata?: unknown };

function selectWebhooks(db: Queryable) {
  return db
    .selectFrom('Webhook as w')
    .leftJoin('WebhookSettings as s', 's.webhookId', 'w.id')
    .selectAll('w')
    .select(['s.workflowId', 's.sessionIds', 's.previousSecret', 's.previousSecretExpiresAt']);
}

function toRow(row: Selectable<WebhookTable> & Partial<Selectable<WebhookSettingsTable>>): WebhookRow {
  return {
    ...row,
    workflowId: row.workflowId ?? null,
    sessionIds: fromJson<string[] | null>(row.sessionIds ?? null),
    previousSecret: row.previousSecret ?? null,
    previousSecretExpiresAt: row.previousSecretExpiresAt ?? null,
  };
}

export async function insertWebhook(db: Queryable, webhook: NewWebhook): Promise<void> {
  await db
    .insertInto('Webhook')
    .values({
      id: webhook.id,
      userId: webhook.userId,
      url: webhook.url,
      event: webhook.event,
      secret: webhook.secret,
      maxRetries: webhook.maxRetries,
      metadata: toNullableJson(webhook.metadata),
    })
    .execute();
  await db
    .insertInto('WebhookSettings')
    .values({ webhookId: webhook.id, workflowId: webhook.workflowId, sessionIds: toNullableJson(webhook.sessionIds) })
    .execute();
}

export async function findWebhook(db: Queryable, id: string, ownerId?: string): Promise<WebhookRow | undefined> {
  let query = selectWebhooks(db).where('w.id', '=', id);
  if (ownerId) query = query.where('w.userId', '=', ownerId);
  const row = await query.executeTakeFirst();
  return row ? toRow(row) : undefined;
}

/** A page of webhooks, newest first; ownerId limits it to one user's. */
export async function listWebhooks(
  db: Queryable,
  options: { ownerId?: string; limit: number; before?: { createdAt: Date; id: string } },
): Promise<WebhookRow[]> {
  let query = selectWebhooks(db).orderBy('w.createdAt', 'desc').orderBy('w.id', 'desc').limit(options.limit);
  if (options.ownerId) query = query.where('w.userId', '=', options.ownerId);
  const before = options.before;
  if (before) {
    query = query.where((eb) =>
      eb.or([eb('w.createdAt', '<', before.createdAt), eb.and([eb('w.createdAt', '=', before.createdAt), eb('w.id', '<', before.id)])]),
    );
  }
  return (await query.execute()).map(toRow);
}

export async function updateWebhook(db: Queryable, id: string, change: WebhookChange): Promise<void> {
  const { workflowId, sessionIds, previousSecret, previousSecretExpiresAt, metadata, ...columns } = change;
  const webhookColumns = { ...columns, ...(metadata !== undefined ? { metadata: toNullableJson(metadata) } : {}) };
  if (Object.keys(webhookColumns).length > 0) await db.updateTable('Webhook').set(webhookColumns).where('id', '=', id).execute();
  const settings = {
    workflowId,
    sessionIds: sessionIds === undefined ? undefined : toNullableJson(sessionIds),
    previousSecret,
    previousSecretExpiresAt,
  };
  const defined = Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== undefined));
  if (Object.keys(defined).length > 0) {
    await db
      .insertInto('WebhookSettings')
      .values({ webhookId: id, ...defined })
      .onDuplicateKeyUpdate(defined)
      .execute();
  }
}

export async function deleteWebhook(db: Queryable, id: string): Promise<void> {
  await db.deleteFrom('Webhook').where('id', '=', id).execute();
}

/**
 * The active webhooks an event of this session may go to: its owner's (those bound to a workflow only
 * when the session is on it), and every ADMIN's webhooks bound to the session's workflow.
 */
export async function findSessionRoutes(db: Queryable, session: { userId: string; workflowId: string | null }): Promise<WebhookRoute[]> {
  const rows = await db
    .selectFrom('Webhook as w')
    .innerJoin('User as u', 'u.id', 'w.userId')
    .leftJoin('WebhookSettings as s', 's.webhookId', 'w.id')
    .select(['w.id', 'w.event', 's.sessionIds'])
    .where('w.isActive', '=', true)
    .where('u.isActive', '=', true)
    .where((eb) => {
      const own = eb.and([
        eb('w.userId', '=', session.userId),
        session.workflowId === null
          ? eb('s.workflowId', 'is', null)
          : eb.or([eb('s.workflowId', 'is', null), eb('s.workflowId', '=', session.workflowId)]),
      ]);
      return session.workflowId === null
        ? own
        : eb.or([own, eb.and([eb('s.workflowId', '=', session.workflowId), eb('u.role', '=', 'ADMIN')])]);
    })
    .execute();
  return rows.map((row) => ({ id: row.id, event: row.event, sessionIds: fromJson<string[] | null>(row.sessionIds ?? null) }));
}

/** A user's active webhooks (for events about the account itself). */
export async function findAccountRoutes(db: Queryable, userId: string): Promise<WebhookRoute[]> {
  const rows = await db.selectFrom('Webhook').select(['id', 'event']).where('userId', '=', userId).where('isActive', '=', true).execute();
  return rows.map((row) => ({ ...row, sessionIds: null }));
}
