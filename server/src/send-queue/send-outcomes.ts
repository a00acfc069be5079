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

  /**
   * The row's next signal, or 'timeout' after `ms`; registered at once, so a signal right after the call is
   * not missed. `cancel` lets go of it early.
   */
  next(rowId: string, ms: number): { signal: Promise<OutcomeSignal>; cancel(): void } {
    let set = this.waiters.get(rowId);
    if (!set) this.waiters.set(rowId, (set = new Set()));
    const waiters = set;
    let done: (signal: OutcomeSignal) => void = () => {};
    const signal = new Promise<OutcomeSignal>((resolve) => {
      const timer = setTimeout(() => done('timeout'), ms);
      done = (outcome) => {
        clearTimeout(timer);
        waiters.delete(done);
        if (waiters.size === 0 && this.waiters.get(rowId) === waiters) this.waiters.delete(rowId);
        resolve(outcome);
      };
      waiters.add(done);
    });
    return { signal, cancel: () => done('timeout') };
  }
}
