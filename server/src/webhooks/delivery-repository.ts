import { sql, type Selectable } from 'kysely';
import type { Db, Queryable, WebhookDeliveryAttemptTable, WebhookDeliveryTable, WebhookStatus } from '../db/database';
import { newId } from '../db/ids';
import { fromJson, toJson } from '../db/json';
import type { AttemptResult } from './delivery-sender';

/** A delivery the dispatcher holds: its body and where it goes, with the lease that marks it as taken. */
export interface ClaimedDelivery {
  id: string;
  event: string;
  payload: string;
  attempts: number;
  webhookId: string;
  url: string;
  secret: string | null;
  previousSecret: string | null;
  previousSecretExpiresAt: Date | null;
  maxRetries: number;
  userId: string;
  /** When the outbox wrote it. */
  createdAt: Date;
  /** nextRetry as set by the claim: the outcome is recorded only while the row still carries it. */
  lease: Date;
}

/** The state a delivery moves to after an attempt. */
export interface DeliveryOutcome {
  id: string;
  status: WebhookStatus;
  attempts: number;
  nextRetry: Date | null;
  response: string | null;
}

export type Delivery = Selectable<WebhookDeliveryTable>;
export type DeliveryAttempt = Omit<Selectable<WebhookDeliveryAttemptTable>, 'requestHeaders'> & { requestHeaders: Record<string, string> };

const DUE = ['PENDING', 'RETRYING'] as const;

/**
 * Takes up to `limit` due deliveries: rows locked by another claimer are skipped, and the claimed rows get
 * `nextRetry = lease` so no one else takes them until the lease runs out (a crashed dispatcher's deliveries
 * come back then). New deliveries before retries, oldest first: the (status, nextRetry) index order, so
 * the locking read stops after `limit` rows instead of sorting (and locking) the whole backlog.
 * Deliveries of a disabled webhook are parked (nextRetry NULL) until it is enabled again.
 */
export async function claimDue(db: Db, limit: number, now: Date, lease: Date): Promise<ClaimedDelivery[]> {
  // READ COMMITTED: the locking read takes record locks only, no gap locks that the outbox's inserts
  // (new deliveries landing in the same index range) would deadlock against.
  return db
    .transaction()
    .setIsolationLevel('read committed')
    .execute(async (trx) => {
      const rows = await trx
        .selectFrom('WebhookDelivery')
        .select(['id', 'event', 'payload', 'attempts', 'webhookId', 'createdAt'])
        .where('status', 'in', DUE)
        .where('nextRetry', '<=', now)
        .orderBy('status')
        .orderBy('nextRetry')
        .limit(limit)
        .forUpdate()
        .skipLocked()
        .execute();
      if (rows.length === 0) return [];
      const webhooks = await webhooksOf(trx, [...new Set(rows.map((row) => row.webhookId))]);
      const parked = rows.filter((row) => !webhooks.get(row.webhookId)?.isActive).map((row) => row.id);
      if (parked.length > 0) await trx.updateTable('WebhookDelivery').set({ nextRetry: null }).where('id', 'in', parked).execute();
      const taken = rows.filter((row) => webhooks.get(row.webhookId)?.isActive);
      if (taken.length === 0) return [];
      const ids = taken.map((row) => row.id);
      await trx.updateTable('WebhookDelivery').set({ nextRetry: lease }).where('id', 'in', ids).execute();
      return taken.map((row) => {
        const { url, secret, maxRetries, userId, previousSecret, previousSecretExpiresAt } = webhooks.get(row.webhookId)!;
        const payload = typeof row.payload === 'string' ? row.payload : toJson(row.payload);
        return { ...row, payload, url, secret, maxRetries, userId, previousSecret, previousSecretExpiresAt, lease };
      });
    });
}

/** Where claimed deliveries go and how they are signed (not locked: a change lands with the next claim). */
async function webhooksOf(db: Queryable, ids: string[]) {
  const rows = await db
    .selectFrom('Webhook as w')
    .leftJoin('WebhookSettings as s', 's.webhookId', 'w.id')
    .select(['w.id', 'w.url', 'w.secret', 'w.maxRetries', 'w.userId', 'w.isActive', 's.previousSecret', 's.previousSecretExpiresAt'])
    .where('w.id', 'in', ids)
    .execute();
  return new Map(
    rows.map((row) => [
      row.id,
      { ...row, previousSecret: row.previousSecret ?? null, previousSecretExpiresAt: row.previousSecretExpiresAt ?? null },
    ]),
  );
}

/** A webhook was enabled again: its waiting deliveries (parked or between retries) are due now. */
export async function resumeDeliveries(db: Queryable, webhookId: string, now: Date): Promise<void> {
  await db.updateTable('WebhookDelivery').set({ nextRetry: now }).where('webhookId', '=', webhookId).where('status', 'in', DUE).execute();
}

/**
 * Records attempts and moves their deliveries on, in one transaction with few statements: one UPDATE
 * per distinct outcome (all first-attempt successes share one) and one multi-row INSERT of attempts.
 * A delivery whose lease was taken over meanwhile (it outlived the lease) keeps the newer claimer's
 * state; its attempt is logged all the same, because it happened.
 */
export async function recordOutcomes(
  trx: Queryable,
  outcomes: readonly { delivery: ClaimedDelivery; outcome: DeliveryOutcome; attempt: AttemptResult }[],
): Promise<void> {
  if (outcomes.length === 0) return;
  const groups = new Map<string, (typeof outcomes)[number][]>();
  for (const entry of outcomes) {
    const { status, nextRetry, response } = entry.outcome;
    const key = JSON.stringify([status, nextRetry?.getTime() ?? null, response, entry.delivery.lease.getTime()]);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = []));
    group.push(entry);
  }
  for (const group of groups.values()) {
    const { status, nextRetry, response } = group[0]!.outcome;
    await trx
      .updateTable('WebhookDelivery')
      .set({ status, nextRetry, response, attempts: sql<number>`attempts + 1` })
      .where(
        'id',
        'in',
        group.map((entry) => entry.delivery.id),
      )
      .where('nextRetry', '=', group[0]!.delivery.lease)
      .execute();
  }
  // IGNORE: a delivery deleted meanwhile (its webhook was) has no log to add to.
  await trx
    .insertInto('WebhookDeliveryAttempt')
    .ignore()
    .values(
      outcomes.map(({ delivery, outcome, attempt }) => ({
        id: newId(),
        deliveryId: delivery.id,
        attempt: outcome.attempts,
        startedAt: attempt.startedAt,
        durationMs: attempt.durationMs,
        statusCode: attempt.statusCode,
        error: attempt.error,
        response: attempt.response,
        requestHeaders: toJson(attempt.requestHeaders),
      })),
    )
    .execute();
}

/** Webhook counters after a round of attempts: consecutive failures (Webhook.retries) and the last error. */
export async function recordWebhookHealth(
  trx: Queryable,
  webhookId: string,
  result: { failures: number; lastError: string | null; succeeded: boolean },
): Promise<number> {
  if (result.succeeded && result.failures === 0) {
    await trx.updateTable('Webhook').set({ retries: 0 }).where('id', '=', webhookId).where('retries', '>', 0).execute();
    return 0;
  }
  await trx
    .updateTable('Webhook')
    .set({ retries: result.succeeded ? result.failures : sql<number>`retries + ${result.failures}`, lastError: result.lastError })
    .where('id', '=', webhookId)
    .execute();
  const row = await trx.selectFrom('Webhook').select('retries').where('id', '=', webhookId).executeTakeFirst();
  return row?.retries ?? 0;
}

/** A page of one webhook's deliveries, newest first. */
export async function listDeliveries(
  db: Queryable,
  webhookId: string,
  options: { status?: WebhookStatus; from?: Date; to?: Date; limit: number; before?: { createdAt: Date; id: string } },
): Promise<Delivery[]> {
  let query = db
    .selectFrom('WebhookDelivery')
    .selectAll()
    .where('webhookId', '=', webhookId)
    .orderBy('createdAt', 'desc')
    .orderBy('id', 'desc')
    .limit(options.limit);
  if (options.status) query = query.where('status', '=', options.status);
  if (options.from) query = query.where('createdAt', '>=', options.from);
  if (options.to) query = query.where('createdAt', '<', options.to);
  const before = options.before;
  if (before) {
    query = query.where((eb) =>
      eb.or([eb('createdAt', '<', before.createdAt), eb.and([eb('createdAt', '=', before.createdAt), eb('id', '<', before.id)])]),
    );
  }
  return query.execute();
}

export async function findDelivery(db: Queryable, id: string): Promise<(Delivery & { userId: string }) | undefined> {
  return db
    .selectFrom('WebhookDelivery as d')
    .innerJoin('Webhook as w', 'w.id', 'd.webhookId')
    .selectAll('d')
    .select('w.userId')
    .where('d.id', '=', id)
    .executeTakeFirst();
}

export async function attemptsOf(db: Queryable, deliveryId: string): Promise<DeliveryAttempt[]> {
  const rows = await db.selectFrom('WebhookDeliveryAttempt').selectAll().where('deliveryId', '=', deliveryId).orderBy('attempt').execute();
  return rows.map((row) => ({ ...row, requestHeaders: fromJson<Record<string, string>>(row.requestHeaders) }));
}

/** Queues a delivery again, whatever its state; the attempt count goes on. */
export async function requeueDelivery(db: Queryable, id: string, now: Date): Promise<void> {
  await db.updateTable('WebhookDelivery').set({ status: 'PENDING', nextRetry: now }).where('id', '=', id).execute();
}

const FINISHED: WebhookStatus[] = ['SUCCESS', 'FAILED'];

/** Deletes up to `limit` finished deliveries created before `before`, oldest first; returns how many. */
export async function pruneFinished(db: Queryable, before: Date, limit: number): Promise<number> {
  const result = await db
    .deleteFrom('WebhookDelivery')
    .where('createdAt', '<', before)
    .where('status', 'in', FINISHED)
    .orderBy('createdAt')
    .limit(limit)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** How many deliveries pruneFinished would delete with this `before`. */
export async function countFinished(db: Queryable, before: Date): Promise<number> {
  const { count } = await db
    .selectFrom('WebhookDelivery')
    .select((eb) => eb.fn.countAll<number | string>().as('count'))
    .where('createdAt', '<', before)
    .where('status', 'in', FINISHED)
    .executeTakeFirstOrThrow();
  return Number(count);
}

/** A delivery about to be attempted right away (a test ping), held by `nextRetry` as its lease. */
export async function insertDelivery(
  db: Queryable,
  row: { id: string; event: string; payload: string; webhookId: string; nextRetry: Date },
): Promise<void> {
  await db
    .insertInto('WebhookDelivery')
    .values({ ...row, status: 'PENDING', attempts: 0 })
    .execute();
}
