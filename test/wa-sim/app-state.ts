import { proto } from '@whiskeysockets/baileys';
import type { BinaryNode } from '@whiskeysockets/baileys';
import type { IqHandler, SimContext } from './context';
import type { AccountRecord } from './directory';
import { userJid } from './jid';
import { bytes, child, children, iqError, iqResult, node, serverId, timestamp } from './stanza';

/** The collections WhatsApp keeps an account's app state in (chat settings, contacts, blocks, …). */
export const APP_STATE_COLLECTIONS = ['critical_block', 'critical_unblock_low', 'regular_high', 'regular', 'regular_low'] as const;
const KNOWN = new Set<string>(APP_STATE_COLLECTIONS);

/** The version an account's collection is at: the number of patches stored for it. */
export function appStateVersion(account: AccountRecord, name: string): number {
  return account.appState[name]?.length ?? 0;
}

type Upload = { name: string; patches: proto.SyncdPatch[] };

/**
 * w:sync:app:state. The server only stores and orders what devices upload: patch contents are
 * encrypted with the account's app-state key, and MACs and LT-hashes are not checked.
 *
 * - Upload (`<collection name version><patch/>…`): accepted only when `version` is the collection's
 *   current one; each patch gets the next version, the answer carries the new version, and the
 *   account's other devices get a `server_sync` nudge. Any other version is a conflict: the whole iq
 *   is refused with 409 and nothing is stored (see README: real WhatsApp answers inside the
 *   collection, which Baileys ignores).
 * - Sync (`<collection name version return_snapshot/>`): every patch after `version`, and the
 *   current version, in one answer (no snapshots: Baileys builds state from patches, also from 0).
 *   One `<collection>` per requested name, or Baileys' resync loop never ends.
 */
export const handleAppStateIq: IqHandler = (ctx, conn, iq) => {
  const ref = conn.ref;
  if (!ref) return iqError(iq, 401, 'not-authorized');
  const { account } = ref;
  const requested = children(child(iq, 'sync'), 'collection');
  if (requested.some((collection) => !KNOWN.has(collection.attrs.name ?? ''))) return iqError(iq, 400, 'bad-request');

  const uploads: Upload[] = [];
  for (const collection of requested) {
    const patches = children(collection, 'patch');
    if (!patches.length) continue;
    const name = collection.attrs.name!;
    if (Number(collection.attrs.version) !== appStateVersion(account, name) || injectedConflict(ctx, account)) {
      return iqError(iq, 409, 'conflict');
    }
    const decoded = patches.map((patch) => decodePatch(bytes(patch)));
    if (decoded.some((patch) => !patch)) return iqError(iq, 400, 'bad-request');
    uploads.push({ name, patches: decoded as proto.SyncdPatch[] });
  }

  const answers: BinaryNode[] = [];
  for (const collection of requested) {
    const name = collection.attrs.name!;
    const upload = uploads.find((u) => u.name === name);
    if (upload) {
      const version = store(account, upload);
      answers.push(node('collection', { name, version: String(version) }));
      nudgeOtherDevices(ctx, account, ref.device.id, name, version);
    } else {
      answers.push(patchesAfter(account, name, Number(collection.attrs.version) || 0));
    }
  }
  return iqResult(iq, [node('sync', {}, answers)]);
};

/** A conflict a test asked for (`Simulator.conflictAppStateUploads`), as if another device had just uploaded. */
function injectedConflict(ctx: SimContext, account: AccountRecord): boolean {
  const left = ctx.core.appStateConflicts.get(account.phone) ?? 0;
  if (left <= 0) return false;
  if (left === 1) ctx.core.appStateConflicts.delete(account.phone);
  else ctx.core.appStateConflicts.set(account.phone, left - 1);
  return true;
}

function decodePatch(raw: Buffer | undefined): proto.SyncdPatch | undefined {
  if (!raw) return undefined;
  try {
    return proto.SyncdPatch.decode(raw);
  } catch {
    return undefined;
  }
}

function store(account: AccountRecord, { name, patches }: Upload): number {
  const stored = (account.appState[name] ??= []);
  for (const patch of patches) {
    patch.version = { version: stored.length + 1 };
    stored.push(Buffer.from(proto.SyncdPatch.encode(patch).finish()));
  }
  return stored.length;
}

function patchesAfter(account: AccountRecord, name: string, version: number): BinaryNode {
  const newer = (account.appState[name] ?? []).slice(Math.max(0, version));
  return node(
    'collection',
    { name, version: String(appStateVersion(account, name)), has_more_patches: 'false' },
    newer.length
      ? [
          node(
            'patches',
            {},
            newer.map((patch) => node('patch', {}, patch)),
          ),
        ]
      : undefined,
  );
}

/** What WhatsApp sends the account's other devices after a change: they resync that collection. */
function nudgeOtherDevices(ctx: SimContext, account: AccountRecord, fromDevice: number, name: string, version: number) {
  const nudge = node('notification', { from: userJid(account.phone, 'pn'), type: 'server_sync', id: serverId(), t: timestamp() }, [
    node('collection', { name, version: String(version) }),
  ]);
  ctx.core.deliverToAccount(account, (device) => (device.id === fromDevice ? undefined : nudge));
  ctx.core.events.emit('app-state-patch', { phone: account.phone, collection: name, version });
}

/** The account's app-state key as the phone shares it with a new device (in its initial sync). */
export function shareableAppStateKey(account: AccountRecord): proto.Message.IAppStateSyncKey {
  return {
    keyId: { keyId: account.appStateKey.keyId },
    keyData: {
      keyData: account.appStateKey.keyData,
      fingerprint: { rawId: account.appStateKey.fingerprintRawId, currentIndex: 0, deviceIndexes: [0] },
      timestamp: account.appStateKey.timestamp,
    },
  };
}
