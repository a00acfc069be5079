import { randomBytes } from 'node:crypto';
import { aesDecryptCTR, aesDecryptGCM, aesEncryptCTR, Curve, derivePairingCodeKey, hkdf, proto } from '@whiskeysockets/baileys';
import type { BinaryNode, KeyPair } from '@whiskeysockets/baileys';
import { signCompanionIdentity, verifyDeviceSignature, wrapForPairSuccess } from './adv';
import type { ClientConnection } from './connection';
import type { SimulatorCore } from './core';
import type { AccountRecord } from './directory';
import { normalizePhone, SERVER_JID } from './jid';
import { announceDevice } from './device-notifications';
import { bytes, child, iqError, iqResult, node, timestamp, uintBE } from './stanza';
import { ControlError, type LinkResult } from './types';

const QR_PREFIX = 'https://wa.me/settings/linked_devices#';
const REFS_PER_CONNECTION = 6;

interface PendingCode {
  conn: ClientConnection;
  ref: string;
  wrappedCompanionEphemeral: Buffer;
  attempt?: {
    account: AccountRecord;
    companionEphemeral: Buffer;
    primaryEphemeral: KeyPair;
    resolve(result: LinkResult): void;
    reject(err: Error): void;
  };
}

/** QR and pairing-code linking, from the simulated phone's side. */
export class Pairing {
  private readonly connByRef = new Map<string, ClientConnection>();
  private readonly codeByPhone = new Map<string, PendingCode>();

  constructor(private readonly core: SimulatorCore) {}

  /** An unpaired client finished the handshake: offer it QR refs. */
  beginRegistration(conn: ClientConnection, data: proto.ClientPayload.IDevicePairingRegistrationData): void {
    if (!data.eIdent || !data.eSkeyVal || !data.eSkeySig || !data.eRegid || !data.eSkeyId) {
      conn.streamError({ code: '400' });
      return;
    }
    conn.registration = data;
    const refs = Array.from({ length: REFS_PER_CONNECTION }, () => `2@${randomBytes(18).toString('base64url')}`);
    for (const ref of refs) this.connByRef.set(ref, conn);
    const pairDevice = node(
      'pair-device',
      {},
      refs.map((ref) => node('ref', {}, Buffer.from(ref))),
    );
    conn.query(node('iq', { type: 'set', xmlns: 'md', to: undefined, from: SERVER_JID }, [pairDevice]), 60_000).catch(() => undefined);
  }

  forget(conn: ClientConnection): void {
    for (const [ref, owner] of this.connByRef) if (owner === conn) this.connByRef.delete(ref);
    for (const [phone, pending] of this.codeByPhone) {
      if (pending.conn !== conn) continue;
      pending.attempt?.reject(new ControlError(409, 'the device disconnected before pairing completed'));
      this.codeByPhone.delete(phone);
    }
  }

  /** The account's phone scans the QR string a client shows. */
  async scanQr(account: AccountRecord, qr: string): Promise<LinkResult> {
    const payload = qr.startsWith(QR_PREFIX) ? qr.slice(QR_PREFIX.length) : qr.split('#').pop()!;
    const [ref, noiseB64, identityB64, advB64] = payload.split(',');
    if (!ref || !noiseB64 || !identityB64 || !advB64) throw new ControlError(400, 'not a WhatsApp linking QR string');
    const conn = this.connByRef.get(ref);
    if (!conn || conn.closed || !conn.registration) {
      throw new ControlError(404, 'no connected device is showing this QR code');
    }
    if (!Buffer.from(noiseB64, 'base64').equals(conn.clientStaticKey!)) {
      throw new ControlError(400, 'QR noise key does not match the connection that showed it');
    }
    if (!Buffer.from(identityB64, 'base64').equals(Buffer.from(conn.registration.eIdent!))) {
      throw new ControlError(400, 'QR identity key does not match the registration');
    }
    return this.link(conn, account, Buffer.from(advB64, 'base64'));
  }

  /** iq xmlns=md from an unpaired client: pairing-code stages. */
  async onLinkCodeIq(conn: ClientConnection, iq: BinaryNode): Promise<BinaryNode> {
    const reg = child(iq, 'link_code_companion_reg')!;
    if (reg.attrs.stage === 'companion_hello') {
      const wrapped = bytes(child(reg, 'link_code_pairing_wrapped_companion_ephemeral_pub'));
      const phone = normalizePhone(reg.attrs.jid ?? '');
      if (!wrapped || wrapped.length !== 80 || !phone || !conn.registration) return iqError(iq, 400, 'bad-request');
      const ref = randomBytes(16).toString('base64url');
      this.codeByPhone.get(phone)?.attempt?.reject(new ControlError(409, 'superseded by a newer pairing request'));
      this.codeByPhone.set(phone, { conn, ref, wrappedCompanionEphemeral: wrapped });
      this.core.events.emit('pairing-code-requested', phone);
      return iqResult(iq, [node('link_code_companion_reg', {}, [node('link_code_pairing_ref', {}, Buffer.from(ref))])]);
    }
    if (reg.attrs.stage === 'companion_finish') return this.onCompanionFinish(conn, iq, reg);
    return iqError(iq, 400, 'bad-request');
  }

  /** The account's phone enters the code a client displays. */
  async enterCode(account: AccountRecord, codeInput: string, waitMs = 1500): Promise<LinkResult> {
    const code = codeInput.replace(/[\s-]/g, '').toUpperCase();
    if (code.length !== 8) throw new ControlError(400, 'a pairing code has 8 characters');
    const pending = await this.waitForCodeRequest(account.phone, waitMs);
    const wrapped = pending.wrappedCompanionEphemeral;
    const companionKey = await derivePairingCodeKey(code, wrapped.subarray(0, 32));
    const companionEphemeral = aesDecryptCTR(wrapped.subarray(48, 80), companionKey, wrapped.subarray(32, 48));
    const primaryEphemeral = Curve.generateKeyPair();
    const salt = randomBytes(32);
    const iv = randomBytes(16);
    const primaryKey = await derivePairingCodeKey(code, salt);
    const wrappedPrimary = Buffer.concat([salt, iv, aesEncryptCTR(primaryEphemeral.public, primaryKey, iv)]);
    const result = new Promise<LinkResult>((resolve, reject) => {
      const timer = setTimeout(() => reject(new ControlError(409, 'the device did not finish pairing')), 15_000);
      timer.unref?.();
      pending.attempt = {
        account,
        companionEphemeral,
        primaryEphemeral,
        resolve: (r) => (clearTimeout(timer), resolve(r)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      };
    });
    pending.conn.send(
      node('notification', { from: SERVER_JID, id: pending.conn.nextId(), type: 'link_code_companion_reg', t: timestamp() }, [
        node('link_code_companion_reg', { stage: 'primary_hello' }, [
          node('link_code_pairing_ref', {}, Buffer.from(pending.ref)),
          node('primary_identity_pub', {}, account.accountKey.public),
          node('link_code_pairing_wrapped_primary_ephemeral_pub', {}, wrappedPrimary),
        ]),
      ]),
    );
    return result;
  }

  private async waitForCodeRequest(phone: string, waitMs: number): Promise<PendingCode> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const pending = this.codeByPhone.get(phone);
      if (pending && !pending.conn.closed) return pending;
      // the request may still be in flight, but only from a client that is waiting to be linked
      const anyUnpaired = [...this.connByRef.values()].some((conn) => !conn.closed);
      if (!anyUnpaired || Date.now() >= deadline) throw new ControlError(404, `no device is waiting for a pairing code for ${phone}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  private async onCompanionFinish(conn: ClientConnection, iq: BinaryNode, reg: BinaryNode): Promise<BinaryNode> {
    const phone = normalizePhone(reg.attrs.jid ?? '');
    const pending = this.codeByPhone.get(phone);
    const attempt = pending?.conn === conn ? pending.attempt : undefined;
    const bundle = bytes(child(reg, 'link_code_pairing_wrapped_key_bundle'));
    if (!pending || !attempt || !bundle || bundle.length < 32 + 12 + 16) return iqError(iq, 404, 'item-not-found');
    const shared = Curve.sharedKey(attempt.primaryEphemeral.private, attempt.companionEphemeral);
    const key = hkdf(shared, 32, { salt: bundle.subarray(0, 32), info: 'link_code_pairing_key_bundle_encryption_key' });
    let plain: Buffer;
    try {
      plain = aesDecryptGCM(bundle.subarray(44), key, bundle.subarray(32, 44), Buffer.alloc(0));
    } catch {
      pending.attempt = undefined;
      attempt.reject(new ControlError(400, 'pairing code does not match the one the device shows'));
      return iqError(iq, 400, 'bad-request');
    }
    const companionIdentity = plain.subarray(0, 32);
    const primaryIdentity = plain.subarray(32, 64);
    if (
      !companionIdentity.equals(Buffer.from(conn.registration!.eIdent!)) ||
      !primaryIdentity.equals(Buffer.from(attempt.account.accountKey.public))
    ) {
      attempt.reject(new ControlError(400, 'key bundle does not match the pairing parties'));
      return iqError(iq, 400, 'bad-request');
    }
    const identityShared = Curve.sharedKey(attempt.account.accountKey.private, companionIdentity);
    const advSecret = hkdf(Buffer.concat([shared, identityShared, plain.subarray(64, 96)]), 32, { info: 'adv_secret' });
    this.codeByPhone.delete(phone);
    setImmediate(() => {
      this.link(conn, attempt.account, Buffer.from(advSecret)).then(attempt.resolve, attempt.reject);
    });
    return iqResult(iq);
  }

  /** pair-success with a properly signed identity, the companion's counter-signature, then 515. */
  private async link(conn: ClientConnection, account: AccountRecord, advSecret: Buffer): Promise<LinkResult> {
    const reg = conn.registration!;
    conn.registration = undefined;
    this.forget(conn);
    const deviceProps = reg.deviceProps ? proto.DeviceProps.decode(reg.deviceProps) : undefined;
    const platformType = deviceProps?.platformType ?? undefined;
    const platform = `${deviceProps?.os ?? 'unknown'} (${platformType != null ? proto.DeviceProps.PlatformType[platformType] : 'UNKNOWN'})`;
    const device = this.core.directory.addDevice(account, {
      noiseKey: conn.clientStaticKey!,
      platform,
      hosted: false,
      registrationId: uintBE(Buffer.from(reg.eRegid!))!,
      identityKey: Buffer.from(reg.eIdent!),
      signedPreKey: {
        id: uintBE(Buffer.from(reg.eSkeyId!))!,
        public: Buffer.from(reg.eSkeyVal!),
        signature: Buffer.from(reg.eSkeySig!),
      },
    });
    const { directory } = this.core;
    const jid = directory.jidOf(account, 'pn', device.id);
    const lid = directory.jidOf(account, 'lid', device.id);
    const identity = signCompanionIdentity(account, device.keyIndex, device.identityKey);
    const reply = await conn
      .query(
        node('iq', { type: 'set', xmlns: 'md', from: SERVER_JID, t: timestamp() }, [
          node('pair-success', {}, [
            node('device-identity', {}, wrapForPairSuccess(identity, advSecret)),
            node('platform', { name: 'android' }),
            node('device', { jid, lid }),
            node('biz', { name: account.name }),
          ]),
        ]),
      )
      .catch(() => undefined);
    const signed = bytes(child(child(reply, 'pair-device-sign'), 'device-identity'));
    if (!signed || !verifyDeviceSignature(signed, account, device.identityKey)) {
      directory.removeDevice(account, device.id);
      conn.streamError({ code: '401' });
      throw new ControlError(409, 'the device rejected or did not confirm pair-success');
    }
    device.deviceIdentity = signed;
    conn.streamError({ code: '515' });
    announceDevice(this.core, account, device, 'add');
    this.core.events.emit('device-linked', { account, device });
    return { jid, lid, deviceId: device.id };
  }
}
