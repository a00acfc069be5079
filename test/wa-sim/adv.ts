import { randomBytes } from 'node:crypto';
import { Curve, hmacSign, proto, WA_ADV_ACCOUNT_SIG_PREFIX, WA_ADV_DEVICE_SIG_PREFIX } from '@whiskeysockets/baileys';
import type { AccountRecord } from './directory';
import { verifySignature } from './signatures';
import { nowSeconds } from './jid';

/**
 * The phone's signature over a new companion (ADV): the companion proves it was linked by the
 * account by presenting this identity to its peers.
 */
export function signCompanionIdentity(
  account: AccountRecord,
  keyIndex: number,
  companionIdentityKey: Uint8Array,
): proto.IADVSignedDeviceIdentity {
  const details = proto.ADVDeviceIdentity.encode({
    rawId: randomBytes(4).readUInt32BE(0),
    timestamp: nowSeconds(),
    keyIndex,
  }).finish();
  const accountSignature = Curve.sign(
    account.accountKey.private,
    Buffer.concat([WA_ADV_ACCOUNT_SIG_PREFIX, details, companionIdentityKey]),
  );
  return { details, accountSignatureKey: account.accountKey.public, accountSignature };
}

/** What pair-success carries: the signed identity wrapped in an HMAC under the companion's ADV secret. */
export function wrapForPairSuccess(identity: proto.IADVSignedDeviceIdentity, advSecret: Uint8Array): Buffer {
  const details = proto.ADVSignedDeviceIdentity.encode(identity).finish();
  const hmac = hmacSign(details, advSecret);
  return Buffer.from(proto.ADVSignedDeviceIdentityHMAC.encode({ details, hmac }).finish());
}

/** Checks the companion's counter-signature from its pair-device-sign answer. */
export function verifyDeviceSignature(signedByDevice: Uint8Array, account: AccountRecord, companionIdentityKey: Uint8Array): boolean {
  const identity = proto.ADVSignedDeviceIdentity.decode(signedByDevice);
  if (!identity.details || !identity.deviceSignature) return false;
  const message = Buffer.concat([WA_ADV_DEVICE_SIG_PREFIX, identity.details, companionIdentityKey, account.accountKey.public]);
  return verifySignature(companionIdentityKey, message, identity.deviceSignature);
}

/** The companion's own signature, as Baileys adds it after pair-success (used for pre-made credentials). */
export function deviceSign(
  identity: proto.IADVSignedDeviceIdentity,
  companionIdentity: { public: Uint8Array; private: Uint8Array },
): Uint8Array {
  return Curve.sign(
    companionIdentity.private,
    Buffer.concat([WA_ADV_DEVICE_SIG_PREFIX, identity.details!, companionIdentity.public, identity.accountSignatureKey!]),
  );
}
