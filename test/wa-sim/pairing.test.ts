import { Curve, DisconnectReason, proto, WA_CERT_DETAILS } from '@whiskeysockets/baileys';
import { connectProvisioned, linkWithPairingCode, linkWithQr, TestClient } from './client';
import { useSimulator, waitUntil } from './fixtures';
import { memoryAuthState } from './memory-auth';
import { verifySignature } from './signatures';

const ALICE = '15550001001';
const BOB = '15550001002';

describe('pairing and login', () => {
  const env = useSimulator();

  beforeAll(async () => {
    await env.sim.createAccount(ALICE, 'Alice');
    await env.sim.createAccount(BOB, 'Bob');
  });

  test('QR pairing: the phone scans, pair-success carries a signed identity, 515, then login with `success` and the LID', async () => {
    const start = Date.now();
    const client = env.track(new TestClient(env.sim.wsUrl));
    const qr = await client.waitForQr();
    expect(qr).toMatch(/^https:\/\/wa\.me\/settings\/linked_devices#2@/);
    const link = await env.sim.scan(ALICE, qr);
    await client.waitForOpen();
    const elapsed = Date.now() - start;
    expect(elapsed).toBeLessThan(2000);
    expect(client.closes).toEqual([DisconnectReason.restartRequired]);
    const account = env.sim.account(ALICE);
    expect(client.me).toMatchObject({ id: link.jid, lid: link.lid, name: 'Alice' });
    expect(link.lid).toBe(account.lid.replace('@lid', `:${link.deviceId}@lid`));
    const creds = client.auth.state.creds;
    expect(creds.account?.accountSignatureKey).toBeDefined();
    const signed = Buffer.concat([Buffer.from([6, 0]), creds.account!.details!, creds.signedIdentityKey.public]);
    expect(verifySignature(creds.account!.accountSignatureKey!, signed, creds.account!.accountSignature!)).toBe(true);
    expect(verifySignature(creds.signedIdentityKey.public, signed, creds.account!.accountSignature!)).toBe(false);
    expect(account.devices.find((d) => d.id === link.deviceId)).toMatchObject({ hosted: false, connected: true });
    // the connection-setup queries are answered, not left to time out
    expect(await client.sock.fetchPrivacySettings(true)).toMatchObject({ readreceipts: 'all' });
    expect(await client.sock.fetchBlocklist()).toEqual([]);
    await client.sock.resyncAppState(['critical_block', 'critical_unblock_low', 'regular_high', 'regular_low', 'regular'], false);
    expect(account.devices.find((d) => d.id === link.deviceId)?.preKeys).toBeGreaterThanOrEqual(800);
  });

  test('a QR for an unknown ref, or with keys that do not match the connection, is refused', async () => {
    await expect(env.sim.scan(ALICE, 'https://wa.me/settings/linked_devices#2@nope,AAAA,BBBB,CCCC,1')).rejects.toMatchObject({
      status: 404,
    });
    const client = env.track(new TestClient(env.sim.wsUrl));
    const qr = await client.waitForQr();
    const parts = qr.split(',');
    parts[1] = Buffer.alloc(32, 7).toString('base64');
    await expect(env.sim.scan(ALICE, parts.join(','))).rejects.toMatchObject({ status: 400 });
    client.end();
  });

  test('pairing code: the phone enters the code the device shows', async () => {
    const start = Date.now();
    const client = env.track(await linkWithPairingCode(env.sim, BOB));
    expect(Date.now() - start).toBeLessThan(2000);
    expect(client.me?.id).toMatch(new RegExp(`^${BOB}:\\d+@s\\.whatsapp\\.net$`));
    expect(client.auth.state.creds.registered).toBe(true);
  });

  test('a wrong pairing code is rejected and the right one still works afterwards', async () => {
    const client = env.track(new TestClient(env.sim.wsUrl));
    await client.waitForQr();
    const code = await client.sock.requestPairingCode(BOB);
    const wrong = code.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'));
    await expect(env.sim.enterPairingCode(BOB, wrong)).rejects.toMatchObject({ status: 400 });
    await env.sim.enterPairingCode(BOB, `${code.slice(0, 4)}-${code.slice(4)}`);
    await client.waitForOpen();
    expect(client.me?.id).toContain(BOB);
  });

  test('login with stored credentials after a restart of the client', async () => {
    const client = env.track(await linkWithQr(env.sim, ALICE));
    client.end();
    const again = env.track(new TestClient(env.sim.wsUrl, { auth: client.auth }));
    const start = Date.now();
    await again.waitForOpen();
    expect(Date.now() - start).toBeLessThan(2000);
    expect(again.closes).toEqual([]);
    expect(again.events.some((e) => e.name === 'connection.update' && !!(e.data as { qr?: string }).qr)).toBe(false);
  });

  test('a device removed from the phone gets 401 now and on every later login', async () => {
    const client = env.track(await connectProvisioned(env.sim, ALICE));
    const closed = client.waitForClose();
    env.sim.removeDevice(client.me!.id);
    expect(await closed).toBe(DisconnectReason.loggedOut);
    const again = env.track(new TestClient(env.sim.wsUrl, { auth: client.auth }));
    expect(await again.waitForClose()).toBe(DisconnectReason.loggedOut);
    expect(env.sim.account(ALICE).devices.some((d) => d.jid === client.me!.id)).toBe(false);
  });

  test('logout from the device removes it (remove-companion-device)', async () => {
    const client = env.track(await connectProvisioned(env.sim, ALICE));
    const jid = client.me!.id;
    await client.sock.logout();
    await waitUntil(() => !env.sim.account(ALICE).devices.some((d) => d.jid === jid), 2000, 'device removed');
    const again = env.track(new TestClient(env.sim.wsUrl, { auth: client.auth }));
    expect(await again.waitForClose()).toBe(DisconnectReason.loggedOut);
  });

  test('the same device connecting twice: the older connection gets 440', async () => {
    const first = env.track(await connectProvisioned(env.sim, ALICE));
    const copy = memoryAuthState(first.auth.export());
    const closed = first.waitForClose();
    const second = env.track(new TestClient(env.sim.wsUrl, { auth: copy }));
    await second.waitForOpen();
    expect(await closed).toBe(DisconnectReason.connectionReplaced);
    expect(first.connection).toBe('close');
  });

  test('keep-alive pings are answered', async () => {
    const pings: number[] = [];
    const onPing = () => pings.push(Date.now());
    env.sim.serverEvents.on('ping', onPing);
    const client = env.track(await connectProvisioned(env.sim, ALICE, { config: { keepAliveIntervalMs: 150 } }));
    await waitUntil(() => pings.length >= 3, 3000, 'three pings');
    env.sim.serverEvents.off('ping', onPing);
    expect(client.connection).toBe('open');
  });

  test('refused logins fail with the configured reason until allowed again', async () => {
    const auth = await env.sim.provisionDevice(ALICE);
    env.sim.refuseLogins(ALICE, true);
    const client = env.track(new TestClient(env.sim.wsUrl, { auth, autoReconnect: false }));
    expect(await client.waitForClose()).toBe(503);
    env.sim.refuseLogins(ALICE, false);
    client.reconnect();
    await client.waitForOpen();
  });

  test('the noise certificate chain is signed by the simulator root: root → intermediate (serial 0) → leaf', () => {
    const { certChain, staticPublicKey } = env.sim.noiseCertificates;
    const chain = proto.CertChain.decode(certChain);
    const intermediate = proto.CertChain.NoiseCertificate.Details.decode(chain.intermediate!.details!);
    const leaf = proto.CertChain.NoiseCertificate.Details.decode(chain.leaf!.details!);
    expect(intermediate.issuerSerial).toBe(WA_CERT_DETAILS.SERIAL);
    expect(Buffer.from(leaf.key!)).toEqual(Buffer.from(staticPublicKey));
    expect(verifySignature(env.sim.rootPublicKey, chain.intermediate!.details!, chain.intermediate!.signature!)).toBe(true);
    expect(verifySignature(intermediate.key!, chain.leaf!.details!, chain.leaf!.signature!)).toBe(true);
    expect(verifySignature(Curve.generateKeyPair().public, chain.intermediate!.details!, chain.intermediate!.signature!)).toBe(false);
    expect(Buffer.from(WA_CERT_DETAILS.PUBLIC_KEY)).toEqual(Buffer.from(env.sim.rootPublicKey));
  });
});
