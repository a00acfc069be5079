import { randomBytes } from 'node:crypto';
import type { SimulatorCore } from './core';
import type { AccountRecord, DeviceRecord } from './directory';
import type { Addressing } from './jid';
import { node, serverId, timestamp } from './stanza';

/**
 * `<notification type=devices>` after a companion is linked or removed, in both PN and LID form
 * (Baileys caches device lists per user jid). The account's own devices get it queued; other
 * accounts only while online, since a reconnecting client starts with an empty device cache, and only
 * on connections that asked for the account's device list.
 */
export function announceDevice(core: SimulatorCore, account: AccountRecord, device: DeviceRecord, change: 'add' | 'remove') {
  const { directory } = core;
  const build = (addressing: Addressing) =>
    node('notification', { from: directory.jidOf(account, addressing), type: 'devices', id: serverId(), t: timestamp() }, [
      node(change, { device_hash: randomBytes(6).toString('base64') }, [
        node('device', {
          jid: directory.jidOf(account, addressing, device.id),
          'key-index': change === 'add' ? String(device.keyIndex) : undefined,
        }),
      ]),
    ]);
  core.deliverToAccount(account, () => build('pn'), device);
  core.deliverToAccount(account, () => build('lid'), device);
  // Other accounts' devices hear of it only when online and holding the account's device list: a
  // Baileys socket caches one only after asking for it (usync) and ignores notifications about lists
  // it never fetched, so telling every online device (O(accounts) per link) would change nothing.
  for (const conn of core.connections) {
    if (!conn.active || !conn.ref || conn.ref.account === account || !conn.deviceListsAsked.has(account.phone)) continue;
    conn.send(build('pn'));
    conn.send(build('lid'));
  }
}
