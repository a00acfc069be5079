/** Protobuf numbers arrive as number, Long, numeric string or null. */
export type LongLike = number | string | { toNumber(): number } | { low: number; high: number } | null | undefined;

export function toNumber(value: LongLike): number | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string') {
    const parsed = Number(value);
    return Number.isFinite(parsed) ? parsed : undefined;
  }
  if ('toNumber' in value) return value.toNumber();
  return value.high * 2 ** 32 + (value.low >>> 0);
}

/** A unix timestamp in seconds as a Date; undefined when absent or zero. */
export function dateFromSeconds(value: LongLike): Date | undefined {
  const seconds = toNumber(value);
  return seconds ? new Date(seconds * 1000) : undefined;
}

export function dateFromMillis(value: LongLike): Date | undefined {
  const millis = toNumber(value);
  return millis ? new Date(millis) : undefined;
}

/** ISO 8601 of a unix timestamp in seconds. */
export function isoFromSeconds(value: LongLike): string | undefined {
  return dateFromSeconds(value)?.toISOString();
}

/** The object without its undefined (and, when asked, null) properties; JSON columns never carry them. */
export function compact<T extends object>(value: T, dropNull = false): { [K in keyof T]?: Exclude<T[K], undefined> } {
  const result: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (entry === undefined || (dropNull && entry === null)) continue;
    result[key] = entry;
  }
  return result as { [K in keyof T]?: Exclude<T[K], undefined> };
}

/** Column widths of the schema's short text columns. */
export const NAME_LENGTH = 255;
export const ID_LENGTH = 128;

/** Fits a name into a varchar column: at most `max` characters (code points, as utf8mb4 counts them), never splitting one. */
export function clip(value: string, max?: number): string;
export function clip(value: string | null | undefined, max?: number): string | undefined;
export function clip(value: string | null | undefined, max = NAME_LENGTH): string | undefined {
  if (!value) return undefined;
  if (value.length <= max) return value;
  const characters = Array.from(value);
  return characters.length <= max ? value : characters.slice(0, max).join('');
}
