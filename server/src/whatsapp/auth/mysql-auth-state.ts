import { BufferJSON, initAuthCreds, proto } from '@whiskeysockets/baileys';
import type { AuthenticationCreds, AuthenticationState, SignalDataSet, SignalDataTypeMap } from '@whiskeysockets/baileys';
import { sql } from 'kysely';
import type { Db, Queryable } from '../../db/database';
import type { Logger } from 'pino';
import { assertLease, type Fence } from '../ownership/lease-repository';
import { authContext, type AuthCodec } from './auth-cipher';

const CHUNK = 500;

export interface MysqlAuthState {
  state: AuthenticationState;
  /** Whether credentials were found (a paired device), rather than freshly made. */
  registered: boolean;
  saveCreds(): Promise<void>;
}

const chunks = <T>(items: T[], size = CHUNK) =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

/**
 * Baileys auth state in MySQL: the credentials in Session.authData, each Signal key a row of
 * SessionKey read and written in batches; values optionally sealed with AES-256-GCM. Every write is
 * refused (LeaseLostError) once `fence` no longer holds the session.
 */
export async function loadMysqlAuthState(db: Db, fence: Fence, codec: AuthCodec): Promise<MysqlAuthState> {
  const { sessionRowId } = fence;
  const row = await db.selectFrom('Session').select('authData').where('id', '=', sessionRowId).executeTakeFirst();
  const stored = row?.authData ?? null;
  const creds: AuthenticationCreds =
    stored === null ? initAuthCreds() : JSON.parse(codec.decode(stored, authContext.creds(sessionRowId)), BufferJSON.reviver);

  const keys = {
    async get<T extends keyof SignalDataTypeMap>(type: T, ids: string[]) {
      const found: { [id: string]: SignalDataTypeMap[T] } = {};
      for (const batch of chunks(ids)) {
        if (batch.length === 0) continue;
        const rows = await db
          .selectFrom('SessionKey')
          .select(['keyId', 'value'])
          .where('sessionId', '=', sessionRowId)
          .where('type', '=', type)
          .where('keyId', 'in', batch)
          .execute();
        for (const { keyId, value } of rows) {
          let parsed = JSON.parse(codec.decode(value, authContext.key(sessionRowId, type, keyId)), BufferJSON.reviver);
          if (type === 'app-state-sync-key') parsed = proto.Message.AppStateSyncKeyData.fromObject(parsed);
          found[keyId] = parsed;
        }
      }
      return found;
    },
    async set(data: SignalDataSet) {
      await db.transaction().execute(async (trx) => {
        await assertLease(trx, fence);
        await writeKeys(trx, sessionRowId, data, codec);
      });
    },
    async clear() {
      await db.transaction().execute(async (trx) => {
        await assertLease(trx, fence);
        await trx.deleteFrom('SessionKey').where('sessionId', '=', sessionRowId).execute();
      });
    },
  };

  return {
    state: { creds, keys },
    registered: stored !== null,
    async saveCreds() {
      const authData = codec.encode(JSON.stringify(creds, BufferJSON.replacer), authContext.creds(sessionRowId));
      await db.transaction().execute(async (trx) => {
        await assertLease(trx, fence);
        await trx.updateTable('Session').set({ authData }).where('id', '=', sessionRowId).execute();
      });
    },
  };
}

async function writeKeys(trx: Queryable, sessionRowId: string, data: SignalDataSet, codec: AuthCodec): Promise<void> {
  const upserts: { sessionId: string; type: string; keyId: string; value: string }[] = [];
  const removals = new Map<string, string[]>();
  for (const [type, entries] of Object.entries(data)) {
    for (const [keyId, value] of Object.entries(entries ?? {})) {
      if (value === null || value === undefined) {
        removals.set(type, [...(removals.get(type) ?? []), keyId]);
      } else {
        upserts.push({
          sessionId: sessionRowId,
          type,
          keyId,
          value: codec.encode(JSON.stringify(value, BufferJSON.replacer), authContext.key(sessionRowId, type, keyId)),
        });
      }
    }
  }
  for (const batch of chunks(upserts)) {
    await trx
      .insertInto('SessionKey')
      .values(batch)
      .onDuplicateKeyUpdate({ value: sql`VALUES(value)` })
      .execute();
  }
  for (const [type, keyIds] of removals) {
    for (const batch of chunks(keyIds)) {
      await trx
        .deleteFrom('SessionKey')
        .where('sessionId', '=', sessionRowId)
        .where('type', '=', type)
        .where('keyId', 'in', batch)
        .execute();
    }
  }
}

/** Forgets a session's credentials and keys (after a logout): the next start pairs anew. */
export async function wipeAuthState(db: Db, sessionRowId: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('SessionKey').where('sessionId', '=', sessionRowId).execute();
    await trx.updateTable('Session').set({ authData: null }).where('id', '=', sessionRowId).execute();
  });
}

/**
 * With AUTH_ENCRYPTION_KEY set, seals every stored credential value that is not yet in the current form:
 * plaintext rows (stored before a key was configured) and values sealed without their row's context.
 * Runs at start, in batches; a value that cannot be opened is left as it is (its session shows ERROR when
 * it starts). Each row is rewritten only if it still holds the value read, so concurrent writers win.
 */
export async function sealAuthStateAtRest(db: Db, codec: AuthCodec, log: Logger): Promise<{ sessions: number; keys: number }> {
  const sealed = { sessions: 0, keys: 0 };
  if (!codec.encrypting) return sealed;
  let unopenable = 0;
  const reseal = (stored: unknown, context: string): string | null => {
    try {
      return codec.encode(codec.decode(stored, context), context);
    } catch {
      unopenable += 1;
      return null;
    }
  };

  let afterSession = '';
  for (;;) {
    const rows = await db
      .selectFrom('Session')
      .select(['id', 'authData'])
      .where('authData', 'is not', null)
      .where('id', '>', afterSession)
      .orderBy('id')
      .limit(CHUNK)
      .execute();
    if (rows.length === 0) break;
    afterSession = rows.at(-1)!.id;
    for (const { id } of rows.filter((row) => codec.needsSealing(row.authData))) {
      await db.transaction().execute(async (trx) => {
        const row = await trx.selectFrom('Session').select('authData').where('id', '=', id).forUpdate().executeTakeFirst();
        if (!row || row.authData === null || !codec.needsSealing(row.authData)) return;
        const value = reseal(row.authData, authContext.creds(id));
        if (value === null) return;
        await trx.updateTable('Session').set({ authData: value }).where('id', '=', id).execute();
        sealed.sessions += 1;
      });
    }
  }

  let after: { sessionId: string; type: string; keyId: string } | null = null;
  for (;;) {
    let query = db
      .selectFrom('SessionKey')
      .select(['sessionId', 'type', 'keyId', 'value'])
      .orderBy('sessionId')
      .orderBy('type')
      .orderBy('keyId')
      .limit(CHUNK);
    if (after) {
      const { sessionId, type, keyId } = after;
      query = query.where(sql<boolean>`(sessionId, type, keyId) > (${sessionId}, ${type}, ${keyId})`);
    }
    const rows = await query.execute();
    if (rows.length === 0) break;
    const last = rows.at(-1)!;
    after = { sessionId: last.sessionId, type: last.type, keyId: last.keyId };
    const stale = rows.filter((row) => codec.needsSealing(row.value));
    if (stale.length === 0) continue;
    await db.transaction().execute(async (trx) => {
      for (const { sessionId, type, keyId, value: old } of stale) {
        const value = reseal(old, authContext.key(sessionId, type, keyId));
        if (value === null) continue;
        const result = await trx
          .updateTable('SessionKey')
          .set({ value })
          .where('sessionId', '=', sessionId)
          .where('type', '=', type)
          .where('keyId', '=', keyId)
          .where('value', '=', old)
          .executeTakeFirst();
        sealed.keys += Number(result.numUpdatedRows);
      }
    });
  }
  if (unopenable > 0) log.warn({ values: unopenable }, 'stored WhatsApp credential values that cannot be opened were left as they are');
  if (sealed.sessions + sealed.keys > 0) log.info(sealed, 'stored WhatsApp credentials sealed with AUTH_ENCRYPTION_KEY');
  return sealed;
}
