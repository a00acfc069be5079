import { sql, type RawBuilder } from 'kysely';

/** Rows per multi-row statement: well under MySQL's 65,535 placeholders and max_allowed_packet for message rows. */
export const CHUNK_ROWS = 1000;

/**
 * Bytes of row data per statement: a statement must fit MySQL's max_allowed_packet (16 MiB by default on
 * MariaDB 10.6+, 64 MiB on MySQL 8), and message content with media thumbnails runs to tens of KiB a row.
 */
export const CHUNK_BYTES = 4 * 1024 * 1024;

/** Splits rows into statements of at most `maxRows` rows and about `maxBytes` of data (a larger single row goes alone). */
export function chunkBySize<T>(items: readonly T[], sizeOf: (item: T) => number, maxRows = CHUNK_ROWS, maxBytes = CHUNK_BYTES): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = sizeOf(item);
    if (current.length > 0 && (current.length >= maxRows || bytes + size > maxBytes)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

export function chunk<T>(items: readonly T[], size = CHUNK_ROWS): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}

/**
 * Groups rows by which fields they carry (plus an extra discriminator), so each group can be upserted with
 * an ON DUPLICATE KEY UPDATE that touches only those columns: a field a change does not mention is never
 * overwritten. The number of groups depends on the kinds of changes, not on how many rows there are.
 */
export function groupByShape<T extends object>(rows: readonly T[], discriminator: (row: T) => string = () => ''): T[][] {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const shape = `${Object.keys(row)
      .filter((key) => (row as Record<string, unknown>)[key] !== undefined)
      .sort()
      .join(',')}|${discriminator(row)}`;
    let group = groups.get(shape);
    if (!group) groups.set(shape, (group = []));
    group.push(row);
  }
  return [...groups.values()];
}

/** The value the INSERT carried for a column, inside ON DUPLICATE KEY UPDATE (MariaDB 10.6+ and MySQL 8). */
export const incoming = <T = unknown>(column: string): RawBuilder<T> => sql<T>`VALUES(${sql.ref(column)})`;

/** JSON column merged key by key (RFC 7396) with the incoming object; the incoming value wins, a NULL incoming keeps the stored one. */
export const mergeJsonColumn = (column: string): RawBuilder<string> => {
  const ref = sql.ref(column);
  return sql<string>`IF(VALUES(${ref}) IS NULL, ${ref}, JSON_MERGE_PATCH(COALESCE(${ref}, '{}'), VALUES(${ref})))`;
};

/** Row objects for Kysely: absent fields dropped so the INSERT uses column defaults for them. */
export function definedFields<T extends object>(row: T): T {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) if (value !== undefined) result[key] = value;
  return result as T;
}

/** JSON with object keys sorted, so equal values compare equal whatever order the database kept the keys in. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, entry: unknown) =>
    entry && typeof entry === 'object' && !Array.isArray(entry) && !(entry instanceof Date)
      ? Object.fromEntries(Object.entries(entry as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : entry,
  );
}

export interface RecordChanges<T> {
  created: T[];
  changed: T[];
}

/** Which records are new and which differ (ignoring updatedAt) between two reads of the same keys. */
export function diffRecords<T extends { updatedAt: Date }>(
  before: ReadonlyMap<string, T>,
  after: ReadonlyMap<string, T>,
): RecordChanges<T> {
  const created: T[] = [];
  const changed: T[] = [];
  const comparable = (record: T) => stableJson({ ...record, updatedAt: undefined });
  for (const [key, record] of after) {
    const previous = before.get(key);
    if (!previous) created.push(record);
    else if (comparable(previous) !== comparable(record)) changed.push(record);
  }
  return { created, changed };
}
