import { randomBytes } from 'node:crypto';
import type { SimulatorCore } from './core';
import type { AccountRecord, DeviceRecord } from './directory';
import type { Addressing } from './jid';
import { node, serverId, timestamp } from './stanza';

/**
 * `<notification type=devices>` after a companion is linked or removed, in both PN and LID form
 * (Baileys caches device lists per user jid). The account's own devices get it queued; other
 * accounts only while online, since a reconnecting client starts with an empty device cache.
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
  for (const other of directory.all()) {
    if (other === account) continue;
    for (const otherDevice of directory.devicesOf(other)) {
      const ref = { account: other, device: otherDevice };
      core.sendIfOnline(ref, build('pn'));
      core.sendIfOnline(ref, build('lid'));
    }
  }
}
