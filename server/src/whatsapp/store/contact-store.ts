import type { Insertable, RawBuilder } from 'kysely';
import type { ContactTable, Queryable } from '../../db/database';
import { newId } from '../../db/ids';
import { toJson } from '../../db/json';
import type { ContactPatch } from '../mapping/contact-row';
import { chunk, definedFields, groupByShape, incoming, mergeJsonColumn } from './batch';
import { contactRecord, type ContactRecord } from './records';

function toRow(sessionRowId: string, patch: ContactPatch): Insertable<ContactTable> {
  return definedFields({
    id: newId(),
    sessionId: sessionRowId,
    jid: patch.jid,
    name: patch.name,
    pushName: patch.pushName,
    profilePicUrl: patch.profilePicUrl,
    isBlocked: patch.isBlocked,
    metadata: patch.metadata ? toJson(patch.metadata) : undefined,
  });
}

/** Creates or changes contacts; each patch writes only the fields it carries, metadata is merged key by key. */
export async function upsertContacts(db: Queryable, sessionRowId: string, patches: readonly ContactPatch[]): Promise<void> {
  for (const group of groupByShape(patches)) {
    const sample = group[0]!;
    const updates: Record<string, RawBuilder<unknown>> = {};
    for (const column of ['name', 'pushName', 'profilePicUrl', 'isBlocked'] as const) {
      if (sample[column] !== undefined) updates[column] = incoming(column);
    }
    if (sample.metadata) updates.metadata = mergeJsonColumn('metadata');
    for (const part of chunk(group)) {
      const insert = db.insertInto('Contact').values(part.map((patch) => toRow(sessionRowId, patch)));
      await (Object.keys(updates).length ? insert.onDuplicateKeyUpdate(updates) : insert.ignore()).execute();
    }
  }
}

/** Stored contacts by JID. One query per chunk. */
export async function findContacts(db: Queryable, sessionRowId: string, jids: readonly string[]): Promise<Map<string, ContactRecord>> {
  const found = new Map<string, ContactRecord>();
  for (const part of chunk([...new Set(jids)])) {
    const rows = await db.selectFrom('Contact').selectAll().where('sessionId', '=', sessionRowId).where('jid', 'in', part).execute();
    for (const row of rows) found.set(row.jid, contactRecord(row));
  }
  return found;
}
