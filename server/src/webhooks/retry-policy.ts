import type { AttemptResult } from './delivery-sender';
import type { ClaimedDelivery, DeliveryOutcome } from './delivery-repository';

export interface RetryOptions {
  baseDelayMs: number;
  maxDelayMs: number;
}

const RESPONSE_COLUMN_LIMIT = 1024;

/**
 * Where a delivery goes after an attempt: SUCCESS on 2xx; FAILED on 410 (the receiver says it is gone)
 * or once its retries are used up (maxRetries retries after the first attempt); RETRYING otherwise, after
 * an exponential delay with jitter, or after what Retry-After asked for on 429/503 (capped).
 */
export function outcomeOf(delivery: ClaimedDelivery, attempt: AttemptResult, options: RetryOptions, now = Date.now()): DeliveryOutcome {
  const attempts = delivery.attempts + 1;
  const response = summary(attempt);
  const code = attempt.statusCode;
  if (code !== null && code >= 200 && code < 300) return { id: delivery.id, status: 'SUCCESS', attempts, nextRetry: null, response };
  if (code === 410 || attempts > delivery.maxRetries) return { id: delivery.id, status: 'FAILED', attempts, nextRetry: null, response };
  const delay = attempt.retryAfterMs !== undefined ? Math.min(attempt.retryAfterMs, options.maxDelayMs) : backoff(attempts, options);
  return { id: delivery.id, status: 'RETRYING', attempts, nextRetry: new Date(now + delay), response };
}

/** base · 2^(n−1), capped, ±25 % jitter so receivers coming back are not hit by every retry at once. */
export function backoff(attempt: number, options: RetryOptions): number {
  const exponential = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.min(attempt - 1, 30));
  return Math.round(exponential * (0.75 + Math.random() * 0.5));
}

function summary(attempt: AttemptResult): string {
  const head = attempt.statusCode === null ? (attempt.error ?? 'no response') : `HTTP ${attempt.statusCode}`;
  const text = attempt.response ? `${head}: ${attempt.response}` : head;
  return text.length > RESPONSE_COLUMN_LIMIT ? `${text.slice(0, RESPONSE_COLUMN_LIMIT - 1)}…` : text;
}
