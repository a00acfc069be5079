import { createHash } from 'node:crypto';
import { KEY_BUNDLE_TYPE, MIN_PREKEY_COUNT } from '@whiskeysockets/baileys';
import type { BinaryNode } from '@whiskeysockets/baileys';
import type { IqHandler, SimContext } from './context';
import type { DeviceRecord } from './directory';
import { SERVER_JID } from './jid';
import { bigEndian, bytes, child, children, iqError, iqResult, node, serverId, timestamp, uintBE } from './stanza';

/** xmlns=encrypt: pre-key count, upload, digest, rotation and key-bundle fetches. */
export const handleEncryptIq: IqHandler = (ctx, conn, iq) => {
  const device = conn.ref?.device;
  if (!device) return iqError(iq, 401, 'not-authorized');
  if (child(iq, 'count')) return iqResult(iq, [node('count', { value: String(ctx.core.directory.preKeyCount(device)) })]);
  if (child(iq, 'digest')) return iqResult(iq, [digestOf(device)]);
  if (child(iq, 'key')) return fetchBundles(ctx, iq);
  if (child(iq, 'rotate')) {
    const skey = child(child(iq, 'rotate'), 'skey');
    const signed = skey && readSignedPreKey(skey);
    if (!signed) return iqError(iq, 400, 'bad-request');
    device.signedPreKey = signed;
    return iqResult(iq);
  }
  if (child(iq, 'registration')) return uploadKeys(device, iq);
  return iqError(iq, 501, 'feature-not-implemented');
};

function readSignedPreKey(skey: BinaryNode) {
  const id = uintBE(bytes(child(skey, 'id')));
  const pub = bytes(child(skey, 'value'));
  const signature = bytes(child(skey, 'signature'));
  return id !== undefined && pub?.length === 32 && signature ? { id, public: pub, signature } : undefined;
}

function uploadKeys(device: DeviceRecord, iq: BinaryNode): BinaryNode {
  const registrationId = uintBE(bytes(child(iq, 'registration')));
  const identity = bytes(child(iq, 'identity'));
  const skey = child(iq, 'skey');
  const signed = skey && readSignedPreKey(skey);
  if (registrationId === undefined || identity?.length !== 32 || !signed) return iqError(iq, 400, 'bad-request');
  if (!identity.equals(device.identityKey)) return iqError(iq, 406, 'not-acceptable');
  device.registrationId = registrationId;
  device.signedPreKey = signed;
  for (const key of children(child(iq, 'list'), 'key')) {
    const id = uintBE(bytes(child(key, 'id')));
    const pub = bytes(child(key, 'value'));
    if (id !== undefined && pub?.length === 32) device.preKeys[id] = pub;
  }
  return iqResult(iq);
}

function digestOf(device: DeviceRecord): BinaryNode {
  const ids = Object.keys(device.preKeys).map(Number);
  const hash = createHash('sha1');
  hash.update(device.identityKey).update(device.signedPreKey.public).update(device.signedPreKey.signature);
  for (const id of ids) hash.update(device.preKeys[id]!);
  return node('digest', {}, [
    node('type', {}, KEY_BUNDLE_TYPE),
    node('identity', {}, device.identityKey),
    node('registration', {}, bigEndian(device.registrationId, 4)),
    node('skey', {}, [node('id', {}, bigEndian(device.signedPreKey.id, 3))]),
    node(
      'list',
      {},
      ids.map((id) => node('id', {}, bigEndian(id, 3))),
    ),
    node('hash', {}, hash.digest()),
  ]);
}

/**
 * `<key><user jid/></key>`: one bundle per known companion device. Users we hold no keys for
 * (the primary phone, unknown devices) are left out rather than answered with an error, which
 * would make Baileys abort the whole send.
 */
function fetchBundles(ctx: SimContext, iq: BinaryNode): BinaryNode {
  const { directory } = ctx.core;
  const users: BinaryNode[] = [];
  for (const user of children(child(iq, 'key'), 'user')) {
    const jid = user.attrs.jid;
    const ref = directory.deviceForJid(jid);
    if (!jid || !ref) continue;
    const bundle = directory.takeBundle(ref.device);
    const content: BinaryNode[] = [
      node('registration', {}, bigEndian(bundle.registrationId, 4)),
      node('type', {}, KEY_BUNDLE_TYPE),
      node('identity', {}, bundle.identityKey),
    ];
    if (bundle.preKey) {
      content.push(node('key', {}, [node('id', {}, bigEndian(bundle.preKey.id, 3)), node('value', {}, bundle.preKey.public)]));
    }
    content.push(
      node('skey', {}, [
        node('id', {}, bigEndian(bundle.signedPreKey.id, 3)),
        node('value', {}, bundle.signedPreKey.public),
        node('signature', {}, bundle.signedPreKey.signature),
      ]),
    );
    users.push(node('user', { jid }, content));
    const left = directory.preKeyCount(ref.device);
    if (left === MIN_PREKEY_COUNT - 1 || (left === 0 && bundle.preKey)) {
      ctx.core.deliver(
        ref,
        node('notification', { from: SERVER_JID, type: 'encrypt', id: serverId(), t: timestamp() }, [
          node('count', { value: String(left) }),
        ]),
      );
    }
  }
  return iqResult(iq, [node('list', {}, users)]);
}
