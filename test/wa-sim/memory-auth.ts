import { BufferJSON, initAuthCreds, proto } from '@whiskeysockets/baileys';
import type { AuthenticationCreds, AuthenticationState, SignalDataTypeMap, SignalKeyStore } from '@whiskeysockets/baileys';

export type KeyData = { [type: string]: { [id: string]: unknown } };

/** Baileys auth state held in memory; `export()` gives a JSON-safe snapshot `memoryAuthState()` accepts. */
export interface MemoryAuth {
  state: AuthenticationState;
  export(): SerializedAuth;
}

export interface SerializedAuth {
  creds: unknown;
  keys: unknown;
}

/** Buffers become `{type:'Buffer', data:base64}`; already-encoded ones are kept as they are. */
const jsonReplacer = (key: string, value: unknown) => {
  const maybe = value as { type?: unknown; data?: unknown } | null;
  if (maybe?.type === 'Buffer' && typeof maybe.data === 'string') return value;
  return BufferJSON.replacer(key, value);
};

/** A JSON-safe deep copy (Buffers and Uint8Arrays as base64 objects). */
export function toJsonSafe<T>(value: T): unknown {
  return JSON.parse(JSON.stringify(value, jsonReplacer));
}

/** Undoes `toJsonSafe`, from live objects or parsed JSON alike. */
export function fromJsonSafe<T>(value: unknown): T {
  return JSON.parse(JSON.stringify(value, jsonReplacer), BufferJSON.reviver) as T;
}

export function memoryAuthState(from?: SerializedAuth | { creds: AuthenticationCreds; keys?: KeyData }): MemoryAuth {
  const revived = from ? fromJsonSafe<{ creds: AuthenticationCreds; keys?: KeyData }>(from) : undefined;
  const creds: AuthenticationCreds = revived?.creds ?? initAuthCreds();
  const data: KeyData = revived?.keys ?? {};
  const keys: SignalKeyStore = {
    get: async <T extends keyof SignalDataTypeMap>(type: T, ids: string[]) => {
      const bucket = data[type] ?? {};
      const result: { [id: string]: SignalDataTypeMap[T] } = {};
      for (const id of ids) {
        let value = bucket[id];
        if (value === undefined) continue;
        if (type === 'app-state-sync-key') value = proto.Message.AppStateSyncKeyData.fromObject(value as object);
        result[id] = value as SignalDataTypeMap[T];
      }
      return result;
    },
    set: async (update) => {
      for (const [type, entries] of Object.entries(update)) {
        const bucket = (data[type] ??= {});
        for (const [id, value] of Object.entries(entries ?? {})) {
          if (value === null || value === undefined) delete bucket[id];
          else bucket[id] = value;
        }
      }
    },
    clear: async () => {
      for (const type of Object.keys(data)) delete data[type];
    },
  };
  return {
    state: { creds, keys },
    export: () => toJsonSafe({ creds, keys: data }) as SerializedAuth,
  };
}
