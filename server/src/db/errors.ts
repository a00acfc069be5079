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
