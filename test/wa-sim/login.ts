import type { BinaryNode, proto } from '@whiskeysockets/baileys';
import type { ClientConnection } from './connection';
import type { SimContext } from './context';
import type { DeviceRef } from './directory';
import { announceDevice } from './device-notifications';
import { nowSeconds } from './jid';
import { child, iqResult, node, timestamp } from './stanza';

/** After the handshake: an unpaired client gets QR refs, a known device gets `success` or `failure`. */
export function handleClientPayload(ctx: SimContext, conn: ClientConnection, payload: proto.ClientPayload): void {
  if (payload.username === null || payload.username === undefined) {
    if (payload.devicePairingData) ctx.pairing.beginRegistration(conn, payload.devicePairingData);
    else conn.streamError({ code: '400' });
    return;
  }
  const { core } = ctx;
  const phone = payload.username.toString();
  const refusal = core.refusedLogins.get(phone) ?? core.refusedLogins.get('*');
  if (refusal) {
    conn.send(node('failure', { reason: String(refusal), location: 'sim' }));
    conn.closeSoon();
    return;
  }
  const account = core.directory.getAccount(phone);
  const device = account?.devices[payload.device ?? 0];
  if (!account || !device || !conn.clientStaticKey || !device.noiseKey.equals(conn.clientStaticKey)) {
    conn.send(node('failure', { reason: '401', location: 'sim' }));
    conn.closeSoon();
    return;
  }
  core.attach(conn, { account, device });
  conn.send(
    node('success', {
      t: timestamp(),
      lid: core.directory.jidOf(account, 'lid', device.id),
      creation: String(device.pairedAt),
      location: 'sim',
    }),
  );
}

/** `passive active` opens the tap: offline queue, `<ib><offline/>`, then a first history sync for new devices. */
export function handlePassiveIq(ctx: SimContext, conn: ClientConnection, iq: BinaryNode): BinaryNode | undefined {
  const ref = conn.ref;
  if (!ref) return iqResult(iq);
  if (child(iq, 'active')) {
    conn.send(iqResult(iq));
    conn.active = true;
    ctx.core.flushQueue(conn);
    if (!ref.device.initialSyncDone) ctx.history.sendInitialSync(ref);
    ctx.core.events.emit('device-online', ref);
    return undefined;
  }
  conn.active = false;
  return iqResult(iq);
}

/** Removes a companion: from the device itself (logout) or from the phone (remove linked device). */
export function unlinkDevice(ctx: SimContext, ref: DeviceRef, initiator: 'device' | 'phone'): void {
  const { core } = ctx;
  if (!core.deviceExists(ref)) return;
  const conn = core.connectionOf(ref);
  core.directory.removeDevice(ref.account, ref.device.id);
  announceDevice(core, ref.account, ref.device, 'remove');
  if (conn) {
    if (core.detach(conn)) ctx.presence.onDeviceGone(ref);
    if (initiator === 'phone') conn.streamError({ code: '401' }, [node('conflict', { type: 'device_removed' })]);
    else conn.closeSoon(1000);
  }
  core.events.emit('device-removed', { ...ref, at: nowSeconds() });
}
