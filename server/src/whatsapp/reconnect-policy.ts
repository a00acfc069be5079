import { DisconnectReason } from '@whiskeysockets/baileys';

export type CloseDecision =
  | { action: 'restart' }
  | { action: 'retry'; delayMs: number }
  | { action: 'logged-out' }
  | { action: 'stop'; reason: string; error: boolean };

export interface BackoffOptions {
  baseDelayMs: number;
  maxDelayMs: number;
  random?: () => number;
}

/** Capped exponential backoff with jitter: each delay lies between half the base and the doubling ceiling. */
export class Backoff {
  private failures = 0;

  constructor(private readonly options: BackoffOptions) {}

  /** The delay before the next attempt; each call doubles the ceiling, up to maxDelayMs. */
  next(): number {
    const { baseDelayMs, maxDelayMs, random = Math.random } = this.options;
    const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** this.failures);
    this.failures = Math.min(this.failures + 1, 30);
    return Math.round(baseDelayMs / 2 + random() * (ceiling - baseDelayMs / 2));
  }

  /** A success: the next delay starts from the base again. */
  reset(): void {
    this.failures = 0;
  }
}

/**
 * What to do after a socket closes: restart at once after pairing (515), never after a logout
 * (401) or when another client took the session over (440), otherwise retry with capped
 * exponential backoff and full jitter.
 */
export class ReconnectPolicy {
  private readonly backoff: Backoff;

  constructor(options: BackoffOptions) {
    this.backoff = new Backoff(options);
  }

  decide(statusCode: number | undefined, paired: boolean): CloseDecision {
    switch (statusCode) {
      case DisconnectReason.restartRequired:
        return { action: 'restart' };
      case DisconnectReason.loggedOut:
        return { action: 'logged-out' };
      case DisconnectReason.connectionReplaced:
        return { action: 'stop', reason: 'another client connected with the same credentials (440)', error: true };
      case DisconnectReason.forbidden:
        return { action: 'stop', reason: 'WhatsApp refused this account (403)', error: true };
      case DisconnectReason.badSession:
        return { action: 'stop', reason: 'the stored session is unusable (500); log out and pair again', error: true };
      case DisconnectReason.timedOut:
        if (!paired) return { action: 'stop', reason: 'the QR code was not scanned in time; connect again for a new one', error: false };
    }
    return { action: 'retry', delayMs: this.backoff.next() };
  }

  /** A connection that opened resets the backoff. */
  opened(): void {
    this.backoff.reset();
  }
}
