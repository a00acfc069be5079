import type { Insertable, RawBuilder } from 'kysely';
import type { GroupTable, Queryable } from '../../db/database';
import { newId } from '../../db/ids';
import { toJson } from '../../db/json';
import type { GroupPatch } from '../mapping/group-row';
import { chunk, definedFields, groupByShape, incoming, mergeJsonColumn } from './batch';
import { groupRecord, type GroupRecord } from './records';

function toRow(sessionRowId: string, patch: GroupPatch): Insertable<GroupTable> {
  return definedFields({
    id: newId(),
    sessionId: sessionRowId,
    jid: patch.jid,
    subject: patch.subject,
    description: patch.description,
    owner: patch.owner,
    participants: patch.participants ? toJson(patch.participants) : undefined,
    settings: patch.settings ? toJson(patch.settings) : undefined,
    metadata: patch.metadata ? toJson(patch.metadata) : undefined,
  });
}

/**
 * Creates or changes groups; each patch writes only the fields it carries. The participant list is replaced
 * as a whole (callers apply participant actions to the stored list first); settings and metadata are merged key by key.
 */
export async function upsertGroups(db: Queryable, sessionRowId: string, patches: readonly GroupPatch[]): Promise<void> {
  for (const group of groupByShape(patches)) {
    const sample = group[0]!;
    const updates: Record<string, RawBuilder<unknown>> = {};
    for (const column of ['subject', 'description', 'owner', 'participants'] as const) {
      if (sample[column] !== undefined) updates[column] = incoming(column);
    }
    if (sample.settings) updates.settings = mergeJsonColumn('settings');
    if (sample.metadata) updates.metadata = mergeJsonColumn('metadata');
    for (const part of chunk(group)) {
      const insert = db.insertInto('Group').values(part.map((patch) => toRow(sessionRowId, patch)));
      await (Object.keys(updates).length ? insert.onDuplicateKeyUpdate(updates) : insert.ignore()).execute();
    }
  }
}

/** Stored groups by JID, locked for the rest of the transaction (participant actions read, change and write them back). */
export async function findGroups(
  db: Queryable,
  sessionRowId: string,
  jids: readonly string[],
  lock = false,
): Promise<Map<string, GroupRecord>> {
  const found = new Map<string, GroupRecord>();
  for (const part of chunk([...new Set(jids)])) {
    let query = db.selectFrom('Group').selectAll().where('sessionId', '=', sessionRowId).where('jid', 'in', part);
    if (lock) query = query.forUpdate();
    for (const row of await query.execute()) found.set(row.jid, groupRecord(row));
  }
  return found;
}
