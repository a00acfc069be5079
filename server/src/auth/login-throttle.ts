/** How many password attempts one account gets per window before further attempts are refused unchecked. */
export interface LoginThrottleOptions {
  maxFailures: number;
  windowMs: number;
  /** Accounts tracked at once; beyond it, windows that have ended are dropped first, then the oldest. */
  maxAccounts?: number;
}

interface Window {
  startedAt: number;
  failures: number;
}

/**
 * Counts password attempts per account (by normalized email, whether or not the account exists, so
 * the answer reveals nothing), independent of the client address: rotating addresses (or a spoofed
 * X-Forwarded-For) does not buy more guesses at one password. Per process, in memory.
 */
export class LoginThrottle {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly options: LoginThrottleOptions,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Counts an attempt before the password is checked (so parallel guesses count too). Returns 0 when it
   * may proceed, or the seconds until the account's window ends when it is refused.
   */
  attempt(account: string): number {
    const now = this.now();
    let window = this.windows.get(account);
    if (!window || now - window.startedAt >= this.options.windowMs) {
      this.makeRoom(now);
      window = { startedAt: now, failures: 0 };
      this.windows.set(account, window);
    }
    if (window.failures >= this.options.maxFailures) {
      return Math.max(1, Math.ceil((window.startedAt + this.options.windowMs - now) / 1000));
    }
    window.failures++;
    return 0;
  }

  /**
   * Seconds until `key` may try again (0: it may now), counting nothing: for callers that count only
   * failures, so that successes cost one map lookup.
   */
  refusedFor(key: string): number {
    const window = this.windows.get(key);
    if (!window) return 0;
    const now = this.now();
    if (now - window.startedAt >= this.options.windowMs || window.failures < this.options.maxFailures) return 0;
    return Math.max(1, Math.ceil((window.startedAt + this.options.windowMs - now) / 1000));
  }

  /** Counts one failure of `key` after the fact (see `refusedFor`). */
  failed(key: string): void {
    const now = this.now();
    let window = this.windows.get(key);
    if (!window || now - window.startedAt >= this.options.windowMs) {
      this.makeRoom(now);
      window = { startedAt: now, failures: 0 };
      this.windows.set(key, window);
    }
    window.failures++;
  }

  /** The password was right: the attempt does not count. */
  succeeded(account: string): void {
    const window = this.windows.get(account);
    if (window && window.failures > 0) window.failures--;
  }

  private makeRoom(now: number): void {
    const max = this.options.maxAccounts ?? 100_000;
    if (this.windows.size < max) return;
    for (const [account, window] of this.windows) {
      if (now - window.startedAt >= this.options.windowMs) this.windows.delete(account);
    }
    // Still full (a flood of distinct emails): drop the oldest windows (Map keeps insertion order).
    for (const account of this.windows.keys()) {
      if (this.windows.size < max) break;
      this.windows.delete(account);
    }
  }
}
