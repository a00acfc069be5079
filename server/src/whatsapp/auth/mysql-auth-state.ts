import { BufferJSON, initAuthCreds, proto } from '@whiskeysockets/baileys';
import type { AuthenticationCreds, AuthenticationState, SignalDataSet, SignalDataTypeMap } from '@whiskeysockets/baileys';
import { sql } from 'kysely';
import type { Db, Queryable } from '../../db/database';
import type { AuthCodec } from './auth-cipher';

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
 * SessionKey read and written in batches; values optionally sealed with AES-256-GCM.
 */
export async function loadMysqlAuthState(db: Db, sessionRowId: string, codec: AuthCodec): Promise<MysqlAuthState> {
  const row = await db.selectFrom('Session').select('authData').where('id', '=', sessionRowId).executeTakeFirst();
  const stored = row?.authData ?? null;
  const creds: AuthenticationCreds = stored === null ? initAuthCreds() : JSON.parse(codec.decode(stored), BufferJSON.reviver);

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
          let parsed = JSON.parse(codec.decode(value), BufferJSON.reviver);
          if (type === 'app-state-sync-key') parsed = proto.Message.AppStateSyncKeyData.fromObject(parsed);
          found[keyId] = parsed;
        }
      }
      return found;
    },
    async set(data: SignalDataSet) {
      await db.transaction().execute((trx) => writeKeys(trx, sessionRowId, data, codec));
    },
    async clear() {
      await db.deleteFrom('SessionKey').where('sessionId', '=', sessionRowId).execute();
    },
  };

  return {
    state: { creds, keys },
    registered: stored !== null,
    async saveCreds() {
      const authData = codec.encode(JSON.stringify(creds, BufferJSON.replacer));
      await db.updateTable('Session').set({ authData }).where('id', '=', sessionRowId).execute();
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
        upserts.push({ sessionId: sessionRowId, type, keyId, value: codec.encode(JSON.stringify(value, BufferJSON.replacer)) });
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
