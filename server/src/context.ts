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
import type { SessionIngest } from './whatsapp/session-ingest';
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
  ingest: SessionIngest;
  sessions: SessionService;
  /** Accepted sends, written before the session's worker sends them. */
  sendQueue: SendQueue;
  /** The queue's workers (one per session runtime held here) and pruner. */
  sending: SendQueueing;
  webhooks: WebhookService;
  /** The outbox, dispatcher and sender behind the webhook service. */
  delivery: Webhooks;
}
