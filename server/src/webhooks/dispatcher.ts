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
  /** Hears the attempts whose outcomes were recorded. */
  recorded?: (attempts: readonly RecordedAttempt[]) => void;
}

export type RecordedAttempt = { delivery: ClaimedDelivery; outcome: DeliveryOutcome };

const PRUNE_INTERVAL_MS = 60_000;
const PRUNE_BATCH = 1000;

type Sent = { delivery: ClaimedDelivery; attempt: AttemptResult; outcome: DeliveryOutcome };

/** Claim queries running at once in one process. */
const CLAIMERS = 3;

/** Record transactions running at once in one process. */
const RECORDERS = 2;

/** Most outcomes written by one record transaction. */
const RECORD_BATCH = 200;

/**
 * Sends what the outbox wrote, as a pipeline: a claimer takes due deliveries in batches (SKIP LOCKED, so
 * any number of dispatchers in any number of processes share the work without taking the same row) and
 * keeps a short queue of them; up to `concurrency` POSTs run at once, each slot taken by the next
 * queued delivery as soon as it frees; a recorder writes finished attempts, the deliveries' next states
 * and the webhooks' health in batched transactions.
 */
export class WebhookDispatcher {
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly sleepers = new Set<() => void>();
  private woken = false;
  private pruneTimer: NodeJS.Timeout | undefined;
  /** Claimed, waiting for a free slot. */
  private readonly queued: ClaimedDelivery[] = [];
  private inFlight = 0;
  /** Sent, waiting to be recorded. */
  private readonly sent: Sent[] = [];
  private recorders = 0;
  private idle: (() => void) | undefined;

  constructor(
    private readonly db: Db,
    private readonly sender: DeliverySender,
    private readonly log: Logger,
    private readonly options: DispatcherOptions,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    // Claims take a few commits' time each; overlapping claimers keep the slots fed.
    this.loop = Promise.all(Array.from({ length: CLAIMERS }, () => this.run())).then(() => undefined);
    if (this.options.retentionMs > 0) {
      this.pruneTimer = setInterval(() => void this.prune(), PRUNE_INTERVAL_MS);
      this.pruneTimer.unref();
    }
  }

  /** Something was written: look for due deliveries now instead of at the next poll. */
  wake(): void {
    this.woken = true;
    for (const wake of this.sleepers) wake();
  }

  /** Stops claiming and waits until every delivery it holds is sent and recorded. */
  async stop(): Promise<void> {
    this.running = false;
    clearInterval(this.pruneTimer);
    this.wake();
    await this.loop;
    if (this.queued.length > 0 || this.inFlight > 0 || this.sent.length > 0 || this.recorders > 0) {
      await new Promise<void>((resolve) => (this.idle = resolve));
    }
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

  /** A claimer: keeps enough deliveries at hand for two full claims or two rounds of slots. */
  private async run(): Promise<void> {
    const target = Math.max(this.options.concurrency * 2, this.options.batchSize * 2);
    while (this.running) {
      const room = target - this.queued.length - this.inFlight;
      if (room < Math.min(this.options.batchSize, this.options.concurrency) / 2) {
        await this.pause(this.options.pollIntervalMs);
        continue;
      }
      this.woken = false;
      const claimed = await this.claim(Math.min(room, this.options.batchSize));
      if (claimed.length === 0) {
        if (!this.woken) await this.pause(this.options.pollIntervalMs);
        continue;
      }
      this.queued.push(...claimed);
      this.fillSlots();
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
      const done = () => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.sleepers.add(done);
    });
  }

  private fillSlots(): void {
    while (this.inFlight < this.options.concurrency && this.queued.length > 0) {
      const delivery = this.queued.shift()!;
      this.inFlight++;
      void this.send(delivery).then((sent) => {
        this.inFlight--;
        this.sent.push(sent);
        if (this.recorders === 0 || (this.recorders < RECORDERS && this.sent.length >= RECORD_BATCH)) void this.recordAll();
        this.fillSlots();
        this.wake();
      });
    }
  }

  private async send(delivery: ClaimedDelivery): Promise<Sent> {
    const attempt = await this.sender.send(delivery.url, envelopeId(delivery.payload), delivery.payload, secretsOf(delivery));
    return { delivery, attempt, outcome: outcomeOf(delivery, attempt, this.options.retry) };
  }

  /** A recorder: writes what was sent, in batches, until nothing is left (a second one joins when a full batch waits). */
  private async recordAll(): Promise<void> {
    this.recorders++;
    while (this.sent.length > 0) {
      const batch = this.sent.splice(0, RECORD_BATCH);
      for (let attempt = 1; ; attempt++) {
        try {
          await this.db
            .transaction()
            .setIsolationLevel('read committed')
            .execute((trx) => this.record(trx, batch));
          this.options.recorded?.(batch);
          break;
        } catch (error) {
          // The attempts happened; if they cannot be recorded the lease runs out and they are sent again.
          this.log.error({ err: error, attempt }, 'could not record webhook attempts');
          if (attempt >= 5) break;
          await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
        }
      }
    }
    this.recorders--;
    if (this.idle && this.recorders === 0 && this.queued.length === 0 && this.inFlight === 0 && this.sent.length === 0) this.idle();
  }

  private async record(trx: Queryable, results: readonly Sent[]): Promise<void> {
    await recordOutcomes(trx, results);
    const byWebhook = new Map<string, Sent[]>();
    for (const entry of results) {
      let list = byWebhook.get(entry.delivery.webhookId);
      if (!list) byWebhook.set(entry.delivery.webhookId, (list = []));
      list.push(entry);
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

/** The event id: the outbox writes it first, so it is read without parsing the whole body. */
function envelopeId(payload: string): string {
  const head = /^\{"id":"([^"]+)"/.exec(payload);
  return head ? head[1]! : (JSON.parse(payload) as { id: string }).id;
}
