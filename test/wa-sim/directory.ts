import { createHash, randomBytes } from 'node:crypto';
import { Curve } from '@whiskeysockets/baileys';
import type { BinaryNode, KeyPair } from '@whiskeysockets/baileys';
import { type Addressing, deviceJid, normalizePhone, nowSeconds, parseUserJid, userJid } from './jid';

export interface SignedPreKeyRecord {
  id: number;
  public: Buffer;
  signature: Buffer;
}

/** A companion device of an account: its noise key, Signal key bundle and offline queue. */
export interface DeviceRecord {
  id: number;
  keyIndex: number;
  noiseKey: Buffer;
  platform: string;
  hosted: boolean;
  registrationId: number;
  identityKey: Buffer;
  signedPreKey: SignedPreKeyRecord;
  /** one-time pre-keys still on the server, by id */
  preKeys: Record<string, Buffer>;
  deviceIdentity?: Buffer;
  initialSyncDone: boolean;
  pairedAt: number;
  /** stanzas waiting for the device to come online (sent with `offline` on the next login) */
  queue: BinaryNode[];
}

export interface AppStateKey {
  keyId: Buffer;
  keyData: Buffer;
  fingerprintRawId: number;
  timestamp: number;
}

/** A primary phone (device 0, holds no Signal keys) and everything the server knows about the account. */
export interface AccountRecord {
  phone: string;
  lid: string;
  name: string;
  /** the phone's ADV account identity; it signs every companion it links */
  accountKey: KeyPair;
  nextDeviceId: number;
  nextKeyIndex: number;
  devices: Record<string, DeviceRecord>;
  status: { text: string; t: number };
  picture?: { id: string; directPath: string };
  /** phone numbers this account blocked */
  blocked: string[];
  privacy: Record<string, string>;
  appStateKey: AppStateKey;
  /** app-state patches per collection; patch i carries version i + 1 */
  appState: Record<string, Buffer[]>;
  createdAt: number;
}

export interface DeviceRef {
  account: AccountRecord;
  device: DeviceRecord;
}

export interface KeyBundle {
  registrationId: number;
  identityKey: Buffer;
  signedPreKey: SignedPreKeyRecord;
  preKey?: { id: number; public: Buffer };
}

export type NewDevice = Pick<DeviceRecord, 'noiseKey' | 'platform' | 'hosted' | 'registrationId' | 'identityKey' | 'signedPreKey'>;

const DEFAULT_PRIVACY: Record<string, string> = {
  readreceipts: 'all',
  last: 'all',
  online: 'all',
  profile: 'all',
  status: 'all',
  groupadd: 'all',
  calladd: 'all',
  messages: 'all',
};

/** 15-digit LID derived from the phone number, so an account keeps it for life. */
function lidForPhone(phone: string, salt = 0): string {
  const digest = createHash('sha256').update(`lid:${phone}:${salt}`).digest();
  const n = digest.readBigUInt64BE(0) % 900000000000000n;
  return (100000000000000n + n).toString();
}

export class Directory {
  private readonly accounts = new Map<string, AccountRecord>();
  private readonly phoneByLid = new Map<string, string>();

  constructor(accounts: AccountRecord[] = []) {
    for (const account of accounts) this.index(account);
  }

  all(): AccountRecord[] {
    return [...this.accounts.values()];
  }

  createAccount(phoneInput: string, name: string): AccountRecord {
    const phone = normalizePhone(phoneInput);
    if (phone.length < 5 || phone.length > 15) throw new RangeError('phone must have 5 to 15 digits');
    if (this.accounts.has(phone)) throw new Error(`account ${phone} already exists`);
    let salt = 0;
    let lid = lidForPhone(phone);
    while (this.phoneByLid.has(lid)) lid = lidForPhone(phone, ++salt);
    const account: AccountRecord = {
      phone,
      lid,
      name,
      accountKey: Curve.generateKeyPair(),
      nextDeviceId: 1,
      nextKeyIndex: 1,
      devices: {},
      status: { text: 'Hey there! I am using WhatsApp.', t: nowSeconds() },
      blocked: [],
      privacy: { ...DEFAULT_PRIVACY },
      appStateKey: {
        keyId: randomBytes(6),
        keyData: randomBytes(32),
        fingerprintRawId: randomBytes(4).readUInt32BE(0),
        timestamp: Date.now(),
      },
      appState: {},
      createdAt: nowSeconds(),
    };
    this.index(account);
    return account;
  }

  getAccount(phoneOrJid: string): AccountRecord | undefined {
    return this.accounts.get(normalizePhone(phoneOrJid));
  }

  /** The account behind a PN or LID jid (device part ignored). */
  accountForJid(jid: string | undefined): AccountRecord | undefined {
    const parsed = parseUserJid(jid);
    if (!parsed) return undefined;
    const phone = parsed.addressing === 'lid' ? this.phoneByLid.get(parsed.user) : parsed.user;
    return phone ? this.accounts.get(phone) : undefined;
  }

  deviceForJid(jid: string | undefined): DeviceRef | undefined {
    const parsed = parseUserJid(jid);
    const account = this.accountForJid(jid);
    const device = parsed && account?.devices[parsed.device];
    return account && device ? { account, device } : undefined;
  }

  /** Companion devices in id order (device 0, the phone, is never among them). */
  devicesOf(account: AccountRecord): DeviceRecord[] {
    return Object.values(account.devices).sort((a, b) => a.id - b.id);
  }

  addDevice(account: AccountRecord, device: NewDevice): DeviceRecord {
    const record: DeviceRecord = {
      ...device,
      id: account.nextDeviceId++,
      keyIndex: account.nextKeyIndex++,
      preKeys: {},
      initialSyncDone: false,
      pairedAt: nowSeconds(),
      queue: [],
    };
    account.devices[record.id] = record;
    return record;
  }

  removeDevice(account: AccountRecord, deviceId: number): DeviceRecord | undefined {
    const device = account.devices[deviceId];
    delete account.devices[deviceId];
    return device;
  }

  /** Hands out a device's bundle; the one-time pre-key it includes is consumed. */
  takeBundle(device: DeviceRecord): KeyBundle {
    const ids = Object.keys(device.preKeys)
      .map(Number)
      .sort((a, b) => a - b);
    const bundle: KeyBundle = {
      registrationId: device.registrationId,
      identityKey: device.identityKey,
      signedPreKey: device.signedPreKey,
    };
    const first = ids[0];
    if (first !== undefined) {
      bundle.preKey = { id: first, public: device.preKeys[first]! };
      delete device.preKeys[first];
    }
    return bundle;
  }

  preKeyCount(device: DeviceRecord): number {
    return Object.keys(device.preKeys).length;
  }

  jidOf(account: AccountRecord, addressing: Addressing, device = 0): string {
    return device ? deviceJid(this.userOf(account, addressing), addressing, device) : userJid(this.userOf(account, addressing), addressing);
  }

  userOf(account: AccountRecord, addressing: Addressing): string {
    return addressing === 'lid' ? account.lid : account.phone;
  }

  private index(account: AccountRecord) {
    this.accounts.set(account.phone, account);
    this.phoneByLid.set(account.lid, account.phone);
  }
}
