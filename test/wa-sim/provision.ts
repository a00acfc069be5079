import { createSignalIdentity, Curve, encodeSignedDeviceIdentity } from '@whiskeysockets/baileys';
import type { KeyPair } from '@whiskeysockets/baileys';
import { deviceSign, signCompanionIdentity } from './adv';
import type { SimulatorCore } from './core';
import { announceDevice } from './device-notifications';
import type { AccountRecord } from './directory';
import { type MemoryAuth, memoryAuthState } from './memory-auth';

export interface ProvisionOptions {
  /** one-time pre-keys registered up front (default 30, so the client does not upload on login) */
  preKeys?: number;
  platform?: string;
  /** send `devices` notifications about the new device, as a real link does (default true) */
  announce?: boolean;
  /** the account's own simulator-hosted device */
  hosted?: boolean;
}

/**
 * Credentials for a companion that is already linked: what a client holds after pairing, the 515
 * restart and its first login, minted directly so tests can start many logged-in clients cheaply.
 */
export async function provisionDevice(core: SimulatorCore, account: AccountRecord, options: ProvisionOptions = {}): Promise<MemoryAuth> {
  const auth = memoryAuthState();
  const { creds, keys } = auth.state;
  const { directory } = core;
  const device = directory.addDevice(account, {
    noiseKey: Buffer.from(creds.noiseKey.public),
    platform: options.platform ?? 'provisioned (CHROME)',
    hosted: options.hosted ?? false,
    registrationId: creds.registrationId,
    identityKey: Buffer.from(creds.signedIdentityKey.public),
    signedPreKey: {
      id: creds.signedPreKey.keyId,
      public: Buffer.from(creds.signedPreKey.keyPair.public),
      signature: Buffer.from(creds.signedPreKey.signature),
    },
  });
  const count = options.preKeys ?? 30;
  const preKeys: Record<string, KeyPair> = {};
  for (let id = 1; id <= count; id++) {
    const pair = Curve.generateKeyPair();
    preKeys[id] = pair;
    device.preKeys[id] = Buffer.from(pair.public);
  }
  await keys.set({ 'pre-key': preKeys });
  creds.nextPreKeyId = count + 1;
  creds.firstUnuploadedPreKeyId = count + 1;

  const identity = signCompanionIdentity(account, device.keyIndex, creds.signedIdentityKey.public);
  identity.deviceSignature = deviceSign(identity, creds.signedIdentityKey);
  const lid = directory.jidOf(account, 'lid', device.id);
  creds.account = identity;
  creds.me = { id: directory.jidOf(account, 'pn', device.id), lid, name: account.name };
  creds.signalIdentities = [createSignalIdentity(lid, account.accountKey.public)];
  creds.platform = 'android';
  creds.registered = true;
  creds.accountSyncCounter = 1;
  device.deviceIdentity = Buffer.from(encodeSignedDeviceIdentity(identity, false));
  device.initialSyncDone = true;

  const keyId = account.appStateKey.keyId.toString('base64');
  await keys.set({
    'app-state-sync-key': {
      [keyId]: {
        keyData: account.appStateKey.keyData,
        fingerprint: { rawId: account.appStateKey.fingerprintRawId, currentIndex: 0, deviceIndexes: [0] },
        timestamp: account.appStateKey.timestamp,
      },
    },
  });
  creds.myAppStateKeyId = keyId;
  if (options.announce !== false) announceDevice(core, account, device, 'add');
  return auth;
}
