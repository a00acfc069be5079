import { envSchema } from 'env-schema';
import { Type, type Static } from '@sinclair/typebox';
import { parseAddressRanges, parseTrustProxy } from './http/trust-proxy';

/** A host name or bracketed IPv6 literal with an optional port, as in WHATSAPP_MEDIA_HOSTS. */
const MEDIA_HOST = '([A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)*|\\[[0-9A-Fa-f:.]+\\])(:[0-9]{1,5})?';

export const ConfigSchema = Type.Object({
  NODE_ENV: Type.String({ default: 'production' }),
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000 }),
  HOST: Type.String({ default: '0.0.0.0' }),
  DATABASE_URL: Type.String({ pattern: '^mysql://', default: 'mysql://root@127.0.0.1:3306/baileys_api' }),
  DATABASE_POOL_SIZE: Type.Integer({ minimum: 1, maximum: 500, default: 10 }),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((level) => Type.Literal(level)),
    { default: 'info' },
  ),
  LOG_FORMAT: Type.Optional(
    Type.Union([Type.Literal('json'), Type.Literal('pretty')], { description: 'Unset: pretty when stdout is a terminal, JSON otherwise' }),
  ),
  METRICS_TOKEN: Type.Optional(Type.String({ minLength: 16, description: 'When set, GET /metrics needs Authorization: Bearer <token>' })),
  METRICS_ALLOW: Type.String({
    default: '',
    description: 'Comma-separated addresses/CIDR ranges that may read /metrics; unset: any address with METRICS_TOKEN, loopback without',
  }),
  SHUTDOWN_DRAIN_MS: Type.Integer({
    minimum: 0,
    maximum: 120000,
    default: 0,
    description: 'On SIGTERM/SIGINT, how long /ready answers 503 while everything else is still served, before closing',
  }),
  TRUST_PROXY: Type.String({
    default: 'false',
    description: 'true, false, a hop count, or comma-separated proxy addresses/CIDR ranges whose X-Forwarded-For is believed',
  }),

  ADMIN_EMAIL: Type.Optional(Type.String({ format: 'email' })),
  ADMIN_PASSWORD: Type.Optional(Type.String({ minLength: 8 })),
  ALLOW_REGISTRATION: Type.Boolean({ default: false }),
  BCRYPT_COST: Type.Integer({ minimum: 10, maximum: 15, default: 12 }),
  JWT_SECRET: Type.Optional(Type.String({ minLength: 32 })),
  TOKEN_TTL_SECONDS: Type.Integer({ minimum: 60, default: 43200 }),

  RATE_LIMIT_MAX: Type.Integer({ minimum: 1, default: 600 }),
  RATE_LIMIT_WINDOW_MS: Type.Integer({ minimum: 1000, default: 60000 }),
  AUTH_RATE_LIMIT_MAX: Type.Integer({ minimum: 1, default: 30 }),
  AUTH_FAILURES_PER_ADDRESS: Type.Integer({
    minimum: 1,
    default: 30,
    description: 'Rejected API keys/tokens per client address per RATE_LIMIT_WINDOW_MS before 429',
  }),
  LOGIN_FAILURES_PER_ACCOUNT: Type.Integer({ minimum: 1, default: 10 }),
  LOGIN_FAILURE_WINDOW_MS: Type.Integer({ minimum: 1000, default: 900000 }),
  AUTH_CACHE_TTL_MS: Type.Integer({ minimum: 0, default: 5000 }),

  MAX_SESSIONS_PER_USER: Type.Integer({ minimum: 0, default: 10, description: 'Sessions a user (not an admin) may own; 0: no limit' }),

  WHATSAPP_WS_URL: Type.Optional(Type.String({ pattern: '^wss?://' })),
  WHATSAPP_ROOT_KEY: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9+/]{43}=?$', description: 'base64 Curve25519 public key' })),
  AUTH_ENCRYPTION_KEY: Type.Optional(
    Type.String({ pattern: '^([0-9a-fA-F]{64}|[A-Za-z0-9+/]{43}=?)$', description: '32 bytes, hex or base64' }),
  ),
  BAILEYS_LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((level) => Type.Literal(level)),
    { default: 'warn' },
  ),
  RECONNECT_BASE_DELAY_MS: Type.Integer({ minimum: 100, default: 1000 }),
  RECONNECT_MAX_DELAY_MS: Type.Integer({ minimum: 1000, default: 60000 }),
  SESSION_STATUS_MIN_INTERVAL_MS: Type.Integer({ minimum: 0, default: 1000 }),
  GATEWAY_INTERNAL_URL: Type.Optional(
    Type.String({
      pattern: '^https?://',
      description:
        'Where the other gateway processes reach this one; unset: http://<HOST, or the host name when HOST is a wildcard>:<port>',
    }),
  ),
  SESSION_LEASE_TTL_MS: Type.Integer({
    minimum: 1000,
    default: 15000,
    description: 'How long a process holds a session without renewing; a crashed process’s sessions move after this',
  }),
  SESSION_LEASE_RENEW_INTERVAL_MS: Type.Integer({
    minimum: 100,
    default: 3000,
    description: 'How often leases are renewed and orphaned sessions claimed; under a third of SESSION_LEASE_TTL_MS',
  }),
  INGEST_RETRY_BASE_DELAY_MS: Type.Integer({ minimum: 1, default: 200 }),
  INGEST_RETRY_MAX_DELAY_MS: Type.Integer({ minimum: 1, default: 30000 }),
  INGEST_FAILURES_BEFORE_ERROR: Type.Integer({ minimum: 1, default: 5 }),
  INGEST_QUEUE_HIGH_WATERMARK: Type.Integer({
    minimum: 1,
    default: 64,
    description: "Event batches waiting for the database at which a session stops reading WhatsApp's websocket",
  }),
  INGEST_QUEUE_LOW_WATERMARK: Type.Integer({ minimum: 0, default: 16, description: 'Waiting batches at which it reads again' }),
  HISTORY_SYNC_MAX_DAYS: Type.Integer({ minimum: 0, default: 30, description: '0 keeps no history' }),
  HISTORY_SYNC_MAX_MESSAGES_PER_CHAT: Type.Integer({ minimum: 0, default: 1000 }),

  MEDIA_MAX_BYTES: Type.Integer({ minimum: 1024, default: 64 * 1024 * 1024, description: 'Largest media a send may carry or fetch' }),
  MEDIA_BASE64_MAX_BYTES: Type.Integer({
    minimum: 1024,
    default: 16 * 1024 * 1024,
    description: "Largest media a send may carry as base64 (WhatsApp's 16 MB limit for photos, videos and audio); larger files go by url",
  }),
  MEDIA_FETCH_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 30000 }),
  MEDIA_CONCURRENCY: Type.Integer({ minimum: 1, default: 16, description: 'Media fetches and downloads running at once per process' }),
  MEDIA_CONCURRENCY_PER_USER: Type.Integer({ minimum: 1, default: 4, description: 'Media fetches and downloads running at once per user' }),
  MEDIA_QUEUE_WAIT_MS: Type.Integer({ minimum: 0, default: 10000, description: 'Longest wait for a turn at media work before 429/503' }),
  WHATSAPP_MEDIA_HOSTS: Type.String({
    default: 'mmg.whatsapp.net,*.whatsapp.net',
    pattern: `^\\s*${MEDIA_HOST}\\s*(,\\s*(\\*\\.)?${MEDIA_HOST}\\s*)*$`,
    description:
      'Comma-separated hosts (host, host:port or *.domain) media downloads may reach; the first is used for messages whose URL names no allowed host',
  }),
  MEDIA_URL_ALLOW_PRIVATE: Type.Boolean({ default: false, description: 'Let media URLs point at loopback and private networks' }),

  SEND_QUEUE_POLL_INTERVAL_MS: Type.Integer({
    minimum: 10,
    default: 1000,
    description: 'How often a session worker looks for due sends when nothing woke it',
  }),
  SEND_QUEUE_LEASE_MS: Type.Integer({
    minimum: 1000,
    default: 120000,
    description: 'How long a claimed send stays taken before another worker may take it over',
  }),
  SEND_WAIT_MS: Type.Integer({
    minimum: 0,
    default: 30000,
    description: 'How long an unpaced send waits for WhatsApp before answering 202 (queued)',
  }),
  SEND_QUEUE_RETENTION_DAYS: Type.Number({
    minimum: 1,
    default: 7,
    description: 'Finished queued sends and bulk jobs are pruned this long after they were finished or created',
  }),
  PACING_MESSAGES_PER_MINUTE: Type.Integer({ minimum: 1, maximum: 6000, default: 20 }),
  PACING_JITTER_MS: Type.Integer({ minimum: 0, maximum: 600000, default: 3000 }),
  PACING_TYPING_MS: Type.Integer({ minimum: 0, maximum: 60000, default: 1500 }),
  PACING_DAILY_CAP: Type.Integer({ minimum: 0, default: 0, description: 'Paced messages per session per UTC day; 0: no cap' }),

  USAGE_FLUSH_INTERVAL_MS: Type.Integer({ minimum: 10, default: 1000 }),
  USAGE_FLUSH_SIZE: Type.Integer({ minimum: 1, default: 500 }),

  WEBHOOK_ALLOW_PRIVATE: Type.Boolean({ default: false, description: 'Let webhook URLs point at loopback and private networks' }),
  WEBHOOK_ALLOWED_HOSTS: Type.String({ default: '', description: 'Comma-separated host names exempt from the private-address check' }),
  WEBHOOK_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 120000, default: 10000 }),
  WEBHOOK_RETRY_BASE_DELAY_MS: Type.Integer({ minimum: 10, default: 10000 }),
  WEBHOOK_RETRY_MAX_DELAY_MS: Type.Integer({ minimum: 10, default: 3600000 }),
  WEBHOOK_DISABLE_AFTER_FAILURES: Type.Integer({
    minimum: 1,
    default: 50,
    description: 'Consecutive failed attempts that disable a webhook',
  }),
  WEBHOOK_RETENTION_DAYS: Type.Number({ minimum: 0, default: 7, description: 'Finished deliveries are pruned after this many days' }),
  WEBHOOK_DISPATCH: Type.Boolean({ default: true, description: 'Whether this process sends webhook deliveries' }),
  WEBHOOK_CONCURRENCY: Type.Integer({ minimum: 1, maximum: 1000, default: 64, description: 'Deliveries in flight per process' }),
  WEBHOOK_POLL_INTERVAL_MS: Type.Integer({ minimum: 10, default: 1000 }),
  WEBHOOK_SECRET_GRACE_SECONDS: Type.Integer({
    minimum: 0,
    default: 86400,
    description: 'How long the previous secret keeps signing after a rotation',
  }),
});

export type Config = Static<typeof ConfigSchema>;

export class ConfigError extends Error {}

/** Reads and validates configuration once; `source` defaults to the process environment. */
export function loadConfig(source: Record<string, string | undefined> = process.env): Config {
  let config: Config;
  try {
    config = envSchema<Config>({
      schema: ConfigSchema,
      data: source,
      env: false,
      ajv: {
        customOptions(ajv) {
          ajv.addFormat('email', /^[^\s@]+@[^\s@]+\.[^\s@]+$/);
          return ajv;
        },
      },
    });
  } catch (error) {
    throw new ConfigError(`Invalid configuration: ${(error as Error).message}`);
  }
  try {
    parseTrustProxy(config.TRUST_PROXY);
    if (config.METRICS_ALLOW.trim()) parseAddressRanges(config.METRICS_ALLOW, 'METRICS_ALLOW');
  } catch (error) {
    throw new ConfigError(`Invalid configuration: ${(error as Error).message}`);
  }
  if (config.INGEST_QUEUE_LOW_WATERMARK >= config.INGEST_QUEUE_HIGH_WATERMARK) {
    throw new ConfigError('Invalid configuration: INGEST_QUEUE_LOW_WATERMARK must be below INGEST_QUEUE_HIGH_WATERMARK');
  }
  if (config.SESSION_LEASE_RENEW_INTERVAL_MS * 3 > config.SESSION_LEASE_TTL_MS)
    throw new ConfigError('Invalid configuration: SESSION_LEASE_RENEW_INTERVAL_MS must be at most a third of SESSION_LEASE_TTL_MS');
  return config;
}

/** Where `baileys-api user create` may find the new user's password (never argv); the CLI's input, not a gateway setting. */
export function cliPasswordFromEnvironment(source: Record<string, string | undefined> = process.env): string | undefined {
  return source.BAILEYS_API_PASSWORD || undefined;
}
