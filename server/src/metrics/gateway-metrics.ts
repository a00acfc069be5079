import { sql } from 'kysely';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { SESSION_STATUSES, type Db, type SessionStatus } from '../db/database';
import type { EventBus } from '../events/event-bus';
import type { RecordedAttempt } from '../webhooks/dispatcher';
import { processMetrics } from './process-metrics';

const PREFIX = 'baileys_api_';

export interface MetricsSources {
  db: Db;
  /** The live status of every session this process runs. */
  runningStatuses: () => readonly SessionStatus[];
}

/**
 * The gateway's own metrics, in a registry per app: counted as things happen (HTTP requests, messages
 * from the event bus, recorded webhook attempts) or read at scrape time (sessions, the outbox).
 */
export class GatewayMetrics {
  readonly contentType = Registry.PROMETHEUS_CONTENT_TYPE;
  private readonly registry = new Registry();
  private readonly httpDuration = new Histogram({
    name: `${PREFIX}http_request_duration_seconds`,
    help: 'HTTP requests by route pattern, method and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  private readonly messages = new Counter({
    name: `${PREFIX}whatsapp_messages_total`,
    help: 'Live WhatsApp messages stored by the sessions this process runs: in (received) or out (sent from the account), by type',
    labelNames: ['direction', 'type'] as const,
    registers: [this.registry],
  });
  private readonly deliveries = new Counter({
    name: `${PREFIX}webhook_deliveries_total`,
    help: 'Webhook deliveries that reached a final status in this process: SUCCESS, or FAILED after the last retry',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });
  private readonly deliveryLatency = new Histogram({
    name: `${PREFIX}webhook_delivery_latency_seconds`,
    help: 'From a delivery written to the outbox to its successful attempt recorded, retries included',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
    registers: [this.registry],
  });
  private readonly sessionsRunning = new Gauge({
    name: `${PREFIX}sessions_running`,
    help: 'Sessions this process runs, by live status (sum over processes for the cluster)',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });
  private readonly sessionsStored = new Gauge({
    name: `${PREFIX}sessions`,
    help: 'Every session in the database by stored status, run or not (the same on every process: use max, not sum)',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });
  private readonly outboxDepth = new Gauge({
    name: `${PREFIX}webhook_outbox_depth`,
    help: 'Webhook deliveries waiting to be sent, retries included, parked ones of disabled webhooks not (cluster-wide: use max)',
    registers: [this.registry],
  });
  private readonly outboxOldestDue = new Gauge({
    name: `${PREFIX}webhook_outbox_oldest_due_age_seconds`,
    help: 'How long the longest-waiting due delivery has been due (written, or its retry time came) without a dispatcher taking it; 0 when none is (cluster-wide: use max)',
    registers: [this.registry],
  });
  private readonly databaseUp = new Gauge({
    name: `${PREFIX}database_up`,
    help: 'Whether the scrape could read the database (1) or not (0: the gauges read from it keep their last values)',
    registers: [this.registry],
  });

  constructor(private readonly sources: MetricsSources) {}

  /** A request answered; `route` is the route's pattern, never the raw URL. */
  observeRequest(method: string, route: string, statusCode: number, seconds: number): void {
    this.httpDuration.observe({ method, route, status_code: String(statusCode) }, seconds);
  }

  /** Counts the live messages the bus reports (history syncs are not traffic). */
  countMessages(bus: EventBus): void {
    bus.on('messages.upsert', (event) => {
      if (event.payload.source !== 'live') return;
      for (const message of event.payload.messages)
        this.messages.inc({ direction: message.fromMe ? 'out' : 'in', type: message.messageType });
    });
  }

  /** For the dispatcher: counts deliveries that reached a final status and times the successful ones. */
  readonly deliveriesRecorded = (attempts: readonly RecordedAttempt[]): void => {
    const now = Date.now();
    for (const { delivery, outcome } of attempts) {
      if (outcome.status !== 'SUCCESS' && outcome.status !== 'FAILED') continue;
      this.deliveries.inc({ status: outcome.status });
      if (outcome.status === 'SUCCESS') this.deliveryLatency.observe(Math.max(0, now - delivery.createdAt.getTime()) / 1000);
    }
  };

  /** The text exposition: the process's default metrics, then the gateway's, read fresh. */
  async render(): Promise<string> {
    await this.readState();
    return (await processMetrics().metrics()) + (await this.registry.metrics());
  }

  private async readState(): Promise<void> {
    this.sessionsRunning.reset();
    for (const status of SESSION_STATUSES) this.sessionsRunning.set({ status }, 0);
    for (const status of this.sources.runningStatuses()) this.sessionsRunning.inc({ status });
    try {
      const [sessions, outbox] = await Promise.all([this.storedSessions(), this.outbox()]);
      for (const status of SESSION_STATUSES) this.sessionsStored.set({ status }, sessions.get(status) ?? 0);
      this.outboxDepth.set(outbox.depth);
      this.outboxOldestDue.set(outbox.oldestDue ? Math.max(0, Date.now() - outbox.oldestDue.getTime()) / 1000 : 0);
      this.databaseUp.set(1);
    } catch {
      this.databaseUp.set(0);
    }
  }

  private async storedSessions(): Promise<Map<string, number>> {
    const rows = await this.sources.db
      .selectFrom('Session')
      .select(['status', (eb) => eb.fn.countAll<number>().as('count')])
      .groupBy('status')
      .execute();
    return new Map(rows.map((row) => [row.status, Number(row.count)]));
  }

  /**
   * One read of the (status, nextRetry) index range, nothing else: the index holds all it needs. (The
   * age by createdAt, outside the index, cost a table scan: 6 s at 100 000 waiting among a million rows.)
   */
  private async outbox(): Promise<{ depth: number; oldestDue: Date | null }> {
    const row = await this.sources.db
      .selectFrom('WebhookDelivery')
      .select([
        (eb) => eb.fn.countAll<number>().as('depth'),
        sql<Date | null>`MIN(CASE WHEN nextRetry <= ${new Date()} THEN nextRetry END)`.as('oldestDue'),
      ])
      .where('status', 'in', ['PENDING', 'RETRYING'])
      .where('nextRetry', 'is not', null)
      .executeTakeFirstOrThrow();
    return { depth: Number(row.depth), oldestDue: row.oldestDue ? new Date(row.oldestDue) : null };
  }
}
