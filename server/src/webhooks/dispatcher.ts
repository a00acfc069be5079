import type { Logger } from 'pino';
import type { Db, Queryable } from '../db/database';
import {
  claimDue,
  pruneFinished,
  recordOutcomes,
  recordWebhookHealth,
  type ClaimedDelivery,
  type DeliveryOutcome,
} from './delivery-repository';
import type { AttemptResult, DeliverySender } from './delivery-sender';
import { writeAccountEvent } from './outbox';
import { outcomeOf, type RetryOptions } from './retry-policy';

export interface DispatcherOptions {
  /** Deliveries in flight at once in this process. */
  concurrency: number;
  /** Most deliveries claimed by one query. */
  batchSize: number;
  /** How often to look for due deliveries when nothing woke the dispatcher. */
  pollIntervalMs: number;
  /** How long a claimed delivery stays taken (longer than an attempt can last). */
  leaseMs: number;
  retry: RetryOptions;
  disableAfterFailures: number;
  /** Finished deliveries older than this are pruned; 0 keeps them. */
  retentionMs: number;
}

const PRUNE_INTERVAL_MS = 60_000;
const PRUNE_BATCH = 1000;

/**
 * Sends what the outbox wrote. Claims due deliveries in small batches (SKIP LOCKED, so any number of
 * dispatchers in any number of processes share the work without taking the same row), POSTs them, and
 * records each attempt, the delivery's next state and the webhook's health in one transaction per batch.
 */
export class WebhookDispatcher {
  private running = false;
  private inFlight = 0;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private woken = false;
  private readonly settled = new Set<Promise<void>>();
  private pruneTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Db,
    private readonly sender: DeliverySender,
    private readonly log: Logger,
    private readonly options: DispatcherOptions,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
    if (this.options.retentionMs > 0) {
      this.pruneTimer = setInterval(() => void this.prune(), PRUNE_INTERVAL_MS);
      this.pruneTimer.unref();
    }
  }

  /** Something was written: look for due deliveries now instead of at the next poll. */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  /** Stops claiming and waits until every delivery in flight is sent and recorded. */
  async stop(): Promise<void> {
    this.running = false;
    clearInterval(this.pruneTimer);
    this.wake();
    await this.loop;
    await Promise.all(this.settled);
  }

  /** Deletes finished deliveries past the retention, in small batches so no statement holds locks for long. */
  async prune(now = new Date()): Promise<number> {
    const before = new Date(now.getTime() - this.options.retentionMs);
    let total = 0;
    try {
      for (;;) {
        const deleted = await pruneFinished(this.db, before, PRUNE_BATCH);
        total += deleted;
        if (deleted < PRUNE_BATCH || !this.running) break;
      }
    } catch (error) {
      this.log.error({ err: error }, 'could not prune webhook deliveries');
    }
    return total;
  }

  private async run(): Promise<void> {
    while (this.running) {
      const capacity = this.options.concurrency - this.inFlight;
      if (capacity <= 0) {
        await this.pause(this.options.pollIntervalMs);
        continue;
      }
      this.woken = false;
      const claimed = await this.claim(Math.min(capacity, this.options.batchSize));
      if (claimed.length === 0) {
        if (!this.woken) await this.pause(this.options.pollIntervalMs);
        continue;
      }
      this.inFlight += claimed.length;
      const done: Promise<void> = this.deliver(claimed).finally(() => {
        this.inFlight -= claimed.length;
        this.settled.delete(done);
        this.wake();
      });
      this.settled.add(done);
    }
  }

  private async claim(limit: number): Promise<ClaimedDelivery[]> {
    const now = Date.now();
    try {
      return await claimDue(this.db, limit, new Date(now), new Date(now + this.options.leaseMs));
    } catch (error) {
      this.log.error({ err: error }, 'could not claim webhook deliveries');
      await this.pause(this.options.pollIntervalMs);
      return [];
    }
  }

  private pause(ms: number): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = done;
    }).then(() => void (this.wakeUp = undefined));
  }

  private async deliver(claimed: ClaimedDelivery[]): Promise<void> {
    const results = await Promise.all(
      claimed.map(async (delivery) => {
        const attempt = await this.sender.send(delivery.url, envelopeId(delivery.payload), delivery.payload, secretsOf(delivery));
        return { delivery, attempt, outcome: outcomeOf(delivery, attempt, this.options.retry) };
      }),
    );
    for (let attempt = 1; ; attempt++) {
      try {
        await this.db
          .transaction()
          .setIsolationLevel('read committed')
          .execute((trx) => this.record(trx, results));
        return;
      } catch (error) {
        // The attempts happened; if they cannot be recorded the lease runs out and they are sent again.
        this.log.error({ err: error, attempt }, 'could not record webhook attempts');
        if (attempt >= 3) return;
        await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
      }
    }
  }

  private async record(
    trx: Queryable,
    results: readonly { delivery: ClaimedDelivery; attempt: AttemptResult; outcome: DeliveryOutcome }[],
  ): Promise<void> {
    const recorded = await recordOutcomes(trx, results);
    const byWebhook = new Map<string, typeof results>();
    for (const entry of results) {
      if (recorded.has(entry.delivery.id))
        byWebhook.set(entry.delivery.webhookId, [...(byWebhook.get(entry.delivery.webhookId) ?? []), entry]);
    }
    for (const [webhookId, entries] of byWebhook) {
      const lastSuccess = entries.findLastIndex((entry) => entry.outcome.status === 'SUCCESS');
      const failures = entries.slice(lastSuccess + 1).filter((entry) => entry.outcome.status !== 'SUCCESS');
      const lastError = failures.at(-1)?.attempt.error ?? null;
      const consecutive = await recordWebhookHealth(trx, webhookId, { failures: failures.length, lastError, succeeded: lastSuccess >= 0 });
      const gone = entries.some((entry) => entry.attempt.statusCode === 410);
      if (gone || consecutive >= this.options.disableAfterFailures) {
        const reason = gone
          ? 'the receiver answered 410 Gone'
          : `${consecutive} consecutive failed attempts; the last: ${lastError ?? 'unknown error'}`;
        await this.disable(trx, entries[0]!.delivery, reason);
      }
    }
  }

  private async disable(trx: Queryable, delivery: ClaimedDelivery, reason: string): Promise<void> {
    const result = await trx
      .updateTable('Webhook')
      .set({ isActive: false, lastError: `disabled: ${reason}` })
      .where('id', '=', delivery.webhookId)
      .where('isActive', '=', true)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) return;
    this.log.warn({ webhookId: delivery.webhookId, reason }, 'webhook disabled');
    await writeAccountEvent(
      trx,
      delivery.userId,
      { event: 'webhook.disabled', data: { webhookId: delivery.webhookId, url: delivery.url, reason } },
      delivery.webhookId,
    );
  }
}

/** The signing secrets: the current one, and the previous one while its grace period lasts. */
export function secretsOf(
  webhook: Pick<ClaimedDelivery, 'secret' | 'previousSecret' | 'previousSecretExpiresAt'>,
  now = Date.now(),
): string[] {
  const secrets = webhook.secret ? [webhook.secret] : [];
  if (webhook.previousSecret && webhook.previousSecretExpiresAt && webhook.previousSecretExpiresAt.getTime() > now)
    secrets.push(webhook.previousSecret);
  return secrets;
}

function envelopeId(payload: string): string {
  return (JSON.parse(payload) as { id: string }).id;
}
