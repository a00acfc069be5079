import type { FastifyInstance } from 'fastify';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { buildApp } from './app';
import { Authenticator } from './auth/authenticator';
import { LoginThrottle } from './auth/login-throttle';
import { PasswordHasher } from './auth/passwords';
import { PrincipalCache } from './auth/principal-cache';
import { LoginTokens } from './auth/tokens';
import type { Config } from './config';
import type { AppContext } from './context';
import { MediaWork } from './messages/media-work';
import { createDb, ensureDatabase, parseDatabaseUrl } from './db/connection';
import type { Db } from './db/database';
import { sharedSecret } from './db/gateway-secrets';
import { migrateToLatest } from './db/migrate';
import { createLogger } from './logger';
import { UsageRecorder } from './usage/usage-recorder';
import { ensureFirstAdmin } from './users/bootstrap-admin';
import { UserService } from './users/user-service';
import { SessionService } from './sessions/session-service';
import { createSendQueue } from './send-queue/create-send-queue';
import { EventBus } from './events/event-bus';
import { sealAuthStateAtRest } from './whatsapp/auth/mysql-auth-state';
import { authCodec, createWhatsApp } from './whatsapp/create-whatsapp';
import { createWebhooks } from './webhooks/create-webhooks';
import { GatewayMetrics } from './metrics/gateway-metrics';
import { Readiness } from './http/readiness';

export interface ServerOptions {
  logger?: Logger;
  /** Where the first admin's one-time credentials go; stdout by default. */
  print?: (line: string) => void;
}

export interface Server {
  app: FastifyInstance;
  ctx: AppContext;
}

/** Creates the database if it is missing, migrates it, and hands back a pool on it. */
export async function openMigratedDatabase(config: Config, log?: Logger): Promise<Db> {
  const target = parseDatabaseUrl(config.DATABASE_URL);
  await ensureDatabase(target);
  const db = createDb(target, config.DATABASE_POOL_SIZE);
  try {
    const applied = await migrateToLatest(db);
    if (applied.length > 0) log?.info({ migrations: applied }, 'database migrated');
    return db;
  } catch (error) {
    await db.destroy();
    throw error;
  }
}

export interface SharedSecrets {
  /** Signs login tokens: JWT_SECRET, or one generated once and kept in the database, so every process accepts every token. */
  loginToken: string;
  /** Proves a request was forwarded by another gateway process. */
  internal: string;
}

export async function sharedSecrets(config: Config, db: Db): Promise<SharedSecrets> {
  return { loginToken: config.JWT_SECRET ?? (await sharedSecret(db, 'jwt')), internal: await sharedSecret(db, 'internal') };
}

/** Every service, wired once. */
export function createContext(config: Config, db: Db, log: Logger, secrets: SharedSecrets): AppContext {
  const bus = new EventBus((error, event) => log.error({ err: error, event: event.type }, 'event handler failed'));
  const metrics = new GatewayMetrics({ db, runningStatuses: () => manager.liveStatuses() });
  metrics.countMessages(bus);
  const delivery = createWebhooks(config, db, log, metrics.deliveriesRecorded);
  const { manager, ingest, ownership } = createWhatsApp(config, db, log, bus, delivery.outbox);
  bus.onAny(() => delivery.dispatcher.wake());
  const sending = createSendQueue(config, db, log, manager, ingest);
  bus.on('session.status', (event) => sending.workers.wake(event.sessionRowId));
  const tokens = new LoginTokens(secrets.loginToken, config.TOKEN_TTL_SECONDS);
  const cache = new PrincipalCache(config.AUTH_CACHE_TTL_MS);
  const users = new UserService(
    db,
    new PasswordHasher(config.BCRYPT_COST),
    tokens,
    cache,
    manager,
    new LoginThrottle({ maxFailures: config.LOGIN_FAILURES_PER_ACCOUNT, windowMs: config.LOGIN_FAILURE_WINDOW_MS }),
  );
  const usage = new UsageRecorder(db, log, {
    flushIntervalMs: config.USAGE_FLUSH_INTERVAL_MS,
    flushSize: config.USAGE_FLUSH_SIZE,
  });
  return {
    config,
    db,
    log,
    users,
    usage,
    bus,
    manager,
    ingest,
    ownership,
    internalSecret: Buffer.from(secrets.internal),
    sessions: new SessionService(db, manager),
    sendQueue: sending.queue,
    sending,
    webhooks: delivery.service,
    delivery,
    mediaWork: new MediaWork({
      overall: config.MEDIA_CONCURRENCY,
      perUser: config.MEDIA_CONCURRENCY_PER_USER,
      waitMs: config.MEDIA_QUEUE_WAIT_MS,
    }),
    authenticator: new Authenticator(db, tokens, cache),
    metrics,
    readiness: new Readiness(db, log),
  };
}

/** Where the other processes reach this one: GATEWAY_INTERNAL_URL, or the address it listens on. */
function internalUrl(config: Config, app: FastifyInstance): string {
  if (config.GATEWAY_INTERNAL_URL) return config.GATEWAY_INTERNAL_URL.replace(/\/+$/, '');
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const wildcard = ['0.0.0.0', '::', ''].includes(config.HOST);
  const host = wildcard ? hostname() : config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST;
  return `http://${host}:${port}`;
}

/** The whole gateway: migrated database, first admin, services and the app; closing the app releases all of it. */
export async function createServer(config: Config, options: ServerOptions = {}): Promise<Server> {
  const log = options.logger ?? createLogger(config);
  const db = await openMigratedDatabase(config, log);
  const ctx = createContext(config, db, log, await sharedSecrets(config, db));
  try {
    await ensureFirstAdmin(db, ctx.users, config, options.print ?? ((line) => process.stdout.write(`${line}\n`)));
    const app = await buildApp(ctx);
    app.addHook('onClose', async () => {
      ctx.sending.pruner.stop();
      await ctx.manager.shutdown();
      await ctx.delivery.close();
      await ctx.usage.close();
      await db.destroy();
    });
    // Not before the server listens: deliveries claimed while startup still holds the event loop would
    // run out of time before they are even sent.
    if (config.WEBHOOK_DISPATCH) app.addHook('onListen', async () => ctx.delivery.dispatcher.start());
    app.addHook('onListen', async () => ctx.ownership.advertise(internalUrl(config, app)));
    app.addHook('onListen', async () => ctx.sending.pruner.start());
    await sealAuthStateAtRest(db, authCodec(config), log);
    const restored = await ctx.manager.restore();
    if (restored > 0) log.info({ sessions: restored }, 'reconnecting stored sessions');
    return { app, ctx };
  } catch (error) {
    await ctx.delivery.close();
    await ctx.usage.close();
    await db.destroy();
    throw error;
  }
}
