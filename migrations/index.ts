import type { Migration } from 'kysely';
import * as initialSchema from './2026-11-25-001-initial-schema';

/** Every migration, by name; names sort in the order they run. */
export const migrations: Record<string, Migration> = {
  '2026-11-25-001-initial-schema': initialSchema,
};
