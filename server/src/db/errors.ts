/** mysql2 error numbers this project reacts to. */
export const ER_DUP_ENTRY = 1062;
export const ER_NO_REFERENCED_ROW = 1452;

export function isDuplicateKey(error: unknown): boolean {
  return (error as { errno?: number })?.errno === ER_DUP_ENTRY;
}

export function isMissingParent(error: unknown): boolean {
  return (error as { errno?: number })?.errno === ER_NO_REFERENCED_ROW;
}
