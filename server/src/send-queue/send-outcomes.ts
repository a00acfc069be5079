export type OutcomeSignal = 'settled' | 'deferred' | 'timeout';

/**
 * In-process signals from the workers to requests waiting for a row: it was settled (SENT or FAILED),
 * or deferred (the session is not connected). Only a hint to read the row again: a row sent by another
 * process signals nothing here, so waiters also look again after a while.
 */
export class SendOutcomes {
  private readonly waiters = new Map<string, Set<(signal: OutcomeSignal) => void>>();

  notify(rowId: string, signal: Exclude<OutcomeSignal, 'timeout'>): void {
    for (const wake of this.waiters.get(rowId) ?? []) wake(signal);
  }

  /** Resolves at the row's next signal, or with 'timeout' after `ms`; registered at once, so a signal right after the call is not missed. */
  next(rowId: string, ms: number): Promise<OutcomeSignal> {
    return new Promise((resolve) => {
      let set = this.waiters.get(rowId);
      if (!set) this.waiters.set(rowId, (set = new Set()));
      const done = (signal: OutcomeSignal) => {
        clearTimeout(timer);
        set.delete(done);
        if (set.size === 0 && this.waiters.get(rowId) === set) this.waiters.delete(rowId);
        resolve(signal);
      };
      const timer = setTimeout(() => done('timeout'), ms);
      set.add(done);
    });
  }
}
