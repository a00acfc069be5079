import type { FastifyBaseLogger } from 'fastify';
import type { Authenticator } from './auth/authenticator';
import type { Config } from './config';
import type { Db } from './db/database';
import type { SendQueueing } from './send-queue/create-send-queue';
import type { SendQueue } from './send-queue/send-queue';
import type { SessionService } from './sessions/session-service';
import type { UsageRecorder } from './usage/usage-recorder';
import type { UserService } from './users/user-service';
import type { EventBus } from './events/event-bus';
import type { MediaWork } from './messages/media-work';
import type { GatewayMetrics } from './metrics/gateway-metrics';
import type { Readiness } from './http/readiness';
import type { SessionIngest } from './whatsapp/session-ingest';
import type { SessionOwnership } from './whatsapp/ownership/session-ownership';
import type { SessionManager } from './whatsapp/session-manager';
import type { Webhooks } from './webhooks/create-webhooks';
import type { WebhookService } from './webhooks/webhook-service';

/** Everything the routes need, built once at start and passed down. */
export interface AppContext {
  config: Config;
  db: Db;
  log: FastifyBaseLogger;
  authenticator: Authenticator;
  users: UserService;
  usage: UsageRecorder;
  bus: EventBus;
  manager: SessionManager;
  /** This process's place among the gateway processes sharing the database. */
  ownership: SessionOwnership;
  /** Shared by every gateway process: proves a request was forwarded by one of them. */
  internalSecret: Buffer;
  ingest: SessionIngest;
  sessions: SessionService;
  /** Accepted sends, written before the session's worker sends them. */
  sendQueue: SendQueue;
  /** The queue's workers (one per session runtime held here) and pruner. */
  sending: SendQueueing;
  webhooks: WebhookService;
  /** Turns for media fetches and downloads, per user and for the process. */
  mediaWork: MediaWork;
  /** The outbox, dispatcher and sender behind the webhook service. */
  delivery: Webhooks;
  /** What GET /metrics reports. */
  metrics: GatewayMetrics;
  /** What GET /ready answers. */
  readiness: Readiness;
}
