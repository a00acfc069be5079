import type { Logger } from 'pino';

/** The logger interface Baileys calls (its ILogger). */
export interface BaileysLogger {
  level: string;
  child(bindings: Record<string, unknown>): BaileysLogger;
  trace(obj: unknown, msg?: string): void;
  debug(obj: unknown, msg?: string): void;
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
}

const CENSOR = '[redacted]';

/**
 * Fields whose values are never logged, at any depth: credentials and key material, pairing and QR
 * codes, message content. (The app's own redaction, REDACTED_PATHS, names fixed paths; Baileys logs
 * arbitrary structures, so these are matched by name wherever they appear.)
 */
const SECRET_FIELDS = new Set(
  [
    'private',
    'privKey',
    'privateKey',
    'keyPair',
    'noiseKey',
    'pairingEphemeralKeyPair',
    'signedIdentityKey',
    'signedPreKey',
    'advSecretKey',
    'encKey',
    'macKey',
    'mediaKey',
    'keyData',
    'creds',
    'keys',
    'authData',
    'pairingCode',
    'qr',
    'password',
    'apiKey',
    'conversation',
    'text',
    'caption',
    'message',
    'messages',
    'content',
    'plaintext',
    'ciphertext',
  ].map((field) => field.toLowerCase()),
);
/** Of these, a string value is kept: an error's `message` is not message content. */
const OBJECT_ONLY = new Set(['message']);

/** Lines of a Baileys binary node dump (`xml` at trace) that are data, not tags: payloads, keys, refs. */
const scrubXml = (xml: string) =>
  xml
    .split('\n')
    .map((line) => (/^\s*<\/?[\w:-]/.test(line) ? line : line.replace(/^(\s*).*$/, `$1${CENSOR}`)))
    .join('\n');

function scrub(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (value instanceof Uint8Array) return `[redacted ${value.length} bytes]`;
  if (typeof value !== 'object' || value === null) return value;
  if (value instanceof Error) return value;
  if (seen.has(value) || depth > 12) return '[…]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => scrub(item, depth + 1, seen));
  const out: Record<string, unknown> = {};
  for (const [field, inner] of Object.entries(value)) {
    const name = field.toLowerCase();
    if (SECRET_FIELDS.has(name) && !(OBJECT_ONLY.has(name) && typeof inner === 'string')) out[field] = CENSOR;
    else if (name === 'xml' && typeof inner === 'string') out[field] = scrubXml(inner);
    else out[field] = scrub(inner, depth + 1, seen);
  }
  return out;
}

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error'] as const;

/**
 * The logger handed to Baileys (and its key store): pino underneath, with every logged object and
 * child binding scrubbed of secrets first, and only when the level is enabled.
 */
export function redactingLogger(log: Logger): BaileysLogger {
  const logger = {
    get level() {
      return log.level;
    },
    set level(level: string) {
      log.level = level;
    },
    child: (bindings: Record<string, unknown>) => redactingLogger(log.child(scrub(bindings) as Record<string, unknown>)),
  } as BaileysLogger;
  for (const level of LEVELS) {
    logger[level] = (obj: unknown, msg?: string) => {
      if (!log.isLevelEnabled(level)) return;
      if (typeof obj === 'string') log[level](obj);
      else if (msg === undefined) log[level](scrub(obj) as object);
      else log[level](scrub(obj) as object, msg);
    };
  }
  return logger;
}
