import { createHmac, createSecretKey, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';

/**
 * Standard Webhooks (https://www.standardwebhooks.com) symmetric signatures: a receiver's existing
 * library (standardwebhooks, svix, ...) verifies what the gateway sends.
 *
 * - Secret: `whsec_` + base64 of 24 to 64 random bytes; the HMAC key is the decoded bytes.
 * - Signed content: `${webhook-id}.${webhook-timestamp}.${body}` (timestamp in unix seconds).
 * - Header `webhook-signature`: `v1,<base64 HMAC-SHA256>`, space-separated when several secrets are
 *   valid at once (rotation grace period).
 */

const PREFIX = 'whsec_';
const MIN_KEY_BYTES = 24;
const MAX_KEY_BYTES = 64;
const DEFAULT_TOLERANCE_SECONDS = 300;
/** Standard base64 with padding, as Buffer#toString('base64') writes it. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Decodes strict standard base64; undefined when the text is not exactly that (Buffer.from alone skips junk). */
function decodeBase64(text: string): Buffer | undefined {
  if (!BASE64.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  // Rejects non-zero trailing bits, so one key has exactly one spelling.
  return bytes.toString('base64') === text ? bytes : undefined;
}

function secretKey(secret: string): Buffer | undefined {
  if (!secret.startsWith(PREFIX)) return undefined;
  const key = decodeBase64(secret.slice(PREFIX.length));
  return key && key.length >= MIN_KEY_BYTES && key.length <= MAX_KEY_BYTES ? key : undefined;
}

/** A new secret: `whsec_` + base64 of 32 random bytes. */
export function generateWebhookSecret(): string {
  return PREFIX + randomBytes(32).toString('base64');
}

/** Whether a user-supplied secret is `whsec_` followed by standard base64 of 24 to 64 bytes. */
export function isValidWebhookSecret(secret: string): boolean {
  return typeof secret === 'string' && secretKey(secret) !== undefined;
}

function hmac(key: Buffer | KeyObject, id: string, timestamp: number | string, body: string): Buffer {
  return createHmac('sha256', key).update(`${id}.${timestamp}.${body}`, 'utf8').digest();
}

/** HMAC with a raw Buffer key costs four times what it costs with a KeyObject; senders reuse these. */
const signingKeys = new Map<string, KeyObject>();
const SIGNING_KEY_CACHE = 1000;

function signingKey(secret: string): KeyObject | undefined {
  let key = signingKeys.get(secret);
  if (!key) {
    const bytes = secretKey(secret);
    if (!bytes) return undefined;
    if (signingKeys.size >= SIGNING_KEY_CACHE) signingKeys.clear();
    signingKeys.set(secret, (key = createSecretKey(bytes)));
  }
  return key;
}

/**
 * The `webhook-signature` header value: `v1,<signature>` for each secret, space-separated.
 * Throws a TypeError on an invalid secret or timestamp, or when there is no secret: signing with those
 * would only produce deliveries no receiver can verify.
 */
export function signWebhook(input: { id: string; timestamp: number; body: string; secrets: readonly string[] }): string {
  const { id, timestamp, body, secrets } = input;
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) throw new TypeError('The webhook timestamp must be whole unix seconds');
  if (secrets.length === 0) throw new TypeError('A webhook needs at least one secret to be signed');
  return secrets
    .map((secret) => {
      const key = signingKey(secret);
      if (!key) throw new TypeError('A webhook secret is not whsec_ followed by base64 of 24 to 64 bytes');
      return `v1,${hmac(key, id, timestamp, body).toString('base64')}`;
    })
    .join(' ');
}

/**
 * The receiver's check: true when any `v1,` signature in the header is the HMAC of this id, timestamp
 * and body under the secret, and the timestamp is within `toleranceSeconds` (default 300) of `now`
 * (unix seconds, default the clock). Never throws: malformed input is simply not verified.
 */
export function verifyWebhook(input: {
  id: string;
  timestamp: string | number;
  body: string;
  signatureHeader: string;
  secret: string;
  toleranceSeconds?: number;
  now?: number;
}): boolean {
  const { id, body, signatureHeader, secret } = input;
  if (typeof id !== 'string' || typeof body !== 'string' || typeof signatureHeader !== 'string') return false;
  const key = typeof secret === 'string' ? secretKey(secret) : undefined;
  if (!key) return false;

  const timestampText = String(input.timestamp);
  if (!/^\d{1,15}$/.test(timestampText)) return false;
  const timestamp = Number(timestampText);
  const now = input.now ?? Math.floor(Date.now() / 1000);
  const tolerance = input.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (!(Math.abs(now - timestamp) <= tolerance)) return false;

  const expected = hmac(key, id, timestampText, body);
  let matched = false;
  for (const entry of signatureHeader.split(' ')) {
    const comma = entry.indexOf(',');
    if (comma < 0 || entry.slice(0, comma) !== 'v1') continue;
    const candidate = decodeBase64(entry.slice(comma + 1));
    // Every candidate is compared (no early exit), each in constant time on equal-length buffers.
    if (candidate && candidate.length === expected.length && timingSafeEqual(candidate, expected)) matched = true;
  }
  return matched;
}

/** The three Standard Webhooks headers of one delivery attempt. */
export function webhookHeaders(
  id: string,
  timestamp: number | string,
  signature: string,
): { 'webhook-id': string; 'webhook-timestamp': string; 'webhook-signature': string } {
  return { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signature };
}
