import type { Migration } from 'kysely';
import * as initialSchema from './2026-11-25-001-initial-schema';
import * as sessionKeys from './2026-11-25-002-session-keys';
import * as messageTypeIndex from './2026-11-25-003-message-type-index';
import * as webhookDelivery from './2026-11-27-004-webhook-delivery';
import * as userTokenVersion from './2026-11-27-005-user-token-version';
import * as messageConflict from './2026-11-27-006-message-conflict';
import * as sendQueue from './2026-11-27-007-send-queue';
import * as sessionOwnership from './2026-11-27-008-session-ownership';

/** Every migration, by name; names sort in the order they run. */
export const migrations: Record<string, Migration> = {
  '2026-11-25-001-initial-schema': initialSchema,
  '2026-11-25-002-session-keys': sessionKeys,
  '2026-11-25-003-message-type-index': messageTypeIndex,
  '2026-11-27-004-webhook-delivery': webhookDelivery,
  '2026-11-27-005-user-token-version': userTokenVersion,
  '2026-11-27-006-message-conflict': messageConflict,
  '2026-11-27-007-send-queue': sendQueue,
  '2026-11-27-008-session-ownership': sessionOwnership,
};
