/**
 * JSON columns are JSON on MySQL (mysql2 parses them) but LONGTEXT on MariaDB (they arrive as text).
 * Every JSON column this project writes holds an object, an array or null, never a bare string.
 */
export function fromJson<T = unknown>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

export function toJson(value: unknown): string {
  return JSON.stringify(value ?? null);
}

export function toNullableJson(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value);
}
