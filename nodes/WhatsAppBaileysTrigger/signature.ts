import { createHmac, timingSafeEqual } from 'node:crypto';

/** How far `webhook-timestamp` may be from our clock, either way (Standard Webhooks' usual 5 minutes). */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

export interface SignedRequest {
  /** `webhook-id` header. */
  id: string | undefined;
  /** `webhook-timestamp` header: unix seconds. */
  timestamp: string | undefined;
  /** `webhook-signature` header: one or more space-separated `v1,<base64>`. */
  signature: string | undefined;
  /** The body exactly as received. */
  rawBody: Buffer | string | undefined;
}

export type Verification = { valid: true } | { valid: false; reason: string };

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The three Standard Webhooks headers and the raw body of a request. */
export function signedRequest(headers: Record<string, string | string[] | undefined>, rawBody: Buffer | string | undefined): SignedRequest {
  return {
    id: headerValue(headers['webhook-id']),
    timestamp: headerValue(headers['webhook-timestamp']),
    signature: headerValue(headers['webhook-signature']),
    rawBody,
  };
}

/** The HMAC key of a `whsec_…` secret: the base64 after the prefix. */
function secretKey(secret: string): Buffer {
  return Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64');
}

/** `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`, as the gateway signs. */
export function sign(secret: string, id: string, timestamp: string, rawBody: Buffer | string): string {
  const mac = createHmac('sha256', secretKey(secret)).update(`${id}.${timestamp}.`).update(rawBody).digest('base64');
  return `v1,${mac}`;
}

/**
 * Checks a delivery against every secret that may have signed it: the request is accepted when
 * any `v1` signature in the header matches any secret (the gateway sends several signatures while
 * a secret rotates). Comparisons run in constant time; the timestamp must be within the tolerance.
 */
export function verify(request: SignedRequest, secrets: string[], nowSeconds = Math.floor(Date.now() / 1000)): Verification {
  const { id, timestamp, signature, rawBody } = request;
  if (!id || !timestamp || !signature) {
    return { valid: false, reason: 'Missing webhook-id, webhook-timestamp or webhook-signature header' };
  }
  if (rawBody === undefined) {
    return { valid: false, reason: 'The raw request body is not available' };
  }
  if (!/^\d{1,12}$/.test(timestamp)) {
    return { valid: false, reason: 'Malformed webhook-timestamp' };
  }
  if (Math.abs(nowSeconds - Number(timestamp)) > SIGNATURE_TOLERANCE_SECONDS) {
    return { valid: false, reason: 'webhook-timestamp is too old or too far in the future' };
  }
  const candidates = signature
    .split(' ')
    .map((part) => part.split(','))
    .filter(([version, value]) => version === 'v1' && value)
    .map(([, value]) => Buffer.from(value, 'base64'));
  for (const secret of secrets) {
    const expected = Buffer.from(sign(secret, id, timestamp, rawBody).slice(3), 'base64');
    for (const candidate of candidates) {
      if (candidate.length === expected.length && timingSafeEqual(candidate, expected)) {
        return { valid: true };
      }
    }
  }
  return { valid: false, reason: 'No valid signature' };
}
