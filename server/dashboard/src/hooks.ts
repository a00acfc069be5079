import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

export interface Polled<T> {
  data: T | undefined;
  error: Error | undefined;
  /** Loads again now (after an action), without waiting for the next tick. */
  reload: () => void;
}

/**
 * Loads with `load` now and every `intervalMs` after each answer (never two at once), while the
 * component is mounted and the tab visible; starts over when `deps` change. Keeps the last data when a load fails.
 */
export function usePoll<T>(load: () => Promise<T>, intervalMs: number, deps: unknown[]): Polled<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<Error | undefined>(undefined);
  const wake = useRef<() => void>(() => {});

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let running = false;
    const tick = async () => {
      clearTimeout(timer);
      if (running) return;
      // A tab in the background asks nothing; it catches up as soon as it is shown again.
      if (document.hidden) {
        document.addEventListener('visibilitychange', wakeOnShow);
        return;
      }
      running = true;
      try {
        const value = await load();
        if (!stopped) {
          setData(value);
          setError(undefined);
        }
      } catch (failure) {
        if (!stopped) setError(failure instanceof Error ? failure : new Error(String(failure)));
      } finally {
        running = false;
        if (!stopped) timer = setTimeout(tick, intervalMs);
      }
    };
    const wakeOnShow = () => {
      document.removeEventListener('visibilitychange', wakeOnShow);
      if (!stopped) void tick();
    };
    setData(undefined);
    wake.current = () => void tick();
    void tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', wakeOnShow);
    };
  }, deps);

  return { data, error, reload: useCallback(() => wake.current(), []) };
}

/** Runs an action, tracking that it is busy and its error message; returns whether it succeeded. */
export function useAction(): { busy: boolean; error: string | undefined; run: (action: () => Promise<unknown>) => Promise<boolean> } {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const run = useCallback(async (action: () => Promise<unknown>) => {
    setBusy(true);
    setError(undefined);
    try {
      await action();
      return true;
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
      return false;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, run };
}
