/** mysql2 error numbers this project reacts to. */
export const ER_DUP_ENTRY = 1062;
export const ER_NO_REFERENCED_ROW = 1452;
export const ER_LOCK_DEADLOCK = 1213;

export function isDuplicateKey(error: unknown): boolean {
  return (error as { errno?: number })?.errno === ER_DUP_ENTRY;
}

export function isMissingParent(error: unknown): boolean {
  return (error as { errno?: number })?.errno === ER_NO_REFERENCED_ROW;
}

export function isDeadlock(error: unknown): boolean {
  return (error as { errno?: number })?.errno === ER_LOCK_DEADLOCK;
}

/** Runs `work` (a whole transaction) again when the database picked it as a deadlock victim, a few times. */
export async function retryOnDeadlock<T>(work: () => Promise<T>, onRetry: (attempt: number) => void = () => {}, retries = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (!isDeadlock(error) || attempt >= retries) throw error;
      onRetry(attempt);
      await new Promise((resolve) => setTimeout(resolve, 20 * attempt + Math.random() * 50));
    }
  }
}
