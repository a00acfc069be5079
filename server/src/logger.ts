import pino, { type Logger } from 'pino';
import type { Config } from './config';

/** Paths never written to logs. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'password',
  'apiKey',
  'authData',
  '*.password',
  '*.apiKey',
  '*.authData',
];

export function createLogger(config: Pick<Config, 'LOG_LEVEL'>): Logger {
  return pino({ level: config.LOG_LEVEL, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } });
}
