import { BufferJSON } from '@whiskeysockets/baileys';
import { Writable } from 'node:stream';
import { createLogger } from '../../server/src/logger';
import { redactingLogger } from '../../server/src/whatsapp/redacting-logger';
import { sessionWhere, startWhatsAppWorld, storedMessage, type WhatsAppWorld } from '../helpers/whatsapp';

jest.setTimeout(90_000);

const ANA = '15550003001';
const BEN = '15550003002';
const CARA = '15550003003';
const TEXT = 'the secret words are 7f3a-kumquat';

const lines: string[] = [];
const capture = new Writable({
  write(chunk: Buffer, _encoding, done) {
    lines.push(chunk.toString('utf8'));
    done();
  },
});

let world: WhatsAppWorld;
let key: string;

beforeAll(async () => {
  world = await startWhatsAppWorld(
    'baileys-log',
    { LOG_LEVEL: 'trace', BAILEYS_LOG_LEVEL: 'trace' },
    { logger: createLogger({ LOG_LEVEL: 'trace' }, capture) },
  );
  key = world.gateway.adminKey;
  for (const [phone, name] of [
    [ANA, 'Ana'],
    [BEN, 'Ben'],
    [CARA, 'Cara'],
  ] as const)
    await world.sim.createAccount(phone, name);
});
afterAll(async () => {
  await world?.gateway.close();
  await world?.sim.stop();
});

/** Every form a secret may take in a JSON log line: base64, hex, a Buffer's byte list; a text and its UTF-8 hex (binary node dumps). */
function forms(secret: Buffer | Uint8Array | string): string[] {
  if (typeof secret === 'string') return [secret, Buffer.from(secret, 'utf8').toString('hex')];
  const bytes = Buffer.from(secret);
  return [bytes.toString('base64'), bytes.toString('hex'), [...bytes].join(',')];
}

it("Baileys' trace logs while pairing (QR and code) and receiving a message hold no secret values", async () => {
  const secrets = new Map<string, string[]>();

  const created = await world.gateway.api.post('/api/v1/sessions', { key, body: { sessionId: 'ana' } });
  expect(created.status).toBe(201);
  const waiting = await sessionWhere(world.gateway, key, 'ana', (s) => s.status === 'QR_REQUIRED');
  const [ref, , , advSecret] = (waiting.qrCode as string).split(',');
  secrets.set('QR ref', forms(ref!.split('#').pop()!)); // the QR is `[link#]ref,noise key,identity key,adv secret`
  secrets.set('QR code', forms(waiting.qrCode));
  secrets.set('advSecretKey from the QR', forms(advSecret!));
  await world.sim.scan(ANA, waiting.qrCode);
  await sessionWhere(world.gateway, key, 'ana', (s) => s.status === 'CONNECTED');

  await world.gateway.api.post('/api/v1/sessions', { key, body: { sessionId: 'ben', phoneNumber: `+${BEN}` } });
  const ben = await sessionWhere(world.gateway, key, 'ben', (s) => s.status === 'PAIRING_REQUIRED');
  secrets.set('pairing code', forms(ben.pairingCode));
  await world.sim.enterPairingCode(BEN, ben.pairingCode);
  await sessionWhere(world.gateway, key, 'ben', (s) => s.status === 'CONNECTED');

  const { id } = await world.sim.send(CARA, { to: ANA, text: TEXT });
  const anaRow = await world.gateway.ctx.db.selectFrom('Session').select('id').where('sessionId', '=', 'ana').executeTakeFirstOrThrow();
  await storedMessage(world.gateway, anaRow.id, id);
  secrets.set('message text', forms(TEXT));

  const sessions = await world.gateway.ctx.db.selectFrom('Session').select(['id', 'sessionId', 'authData']).execute();
  for (const session of sessions) {
    const text = typeof session.authData === 'string' ? session.authData : JSON.stringify(session.authData);
    const creds = JSON.parse(text, BufferJSON.reviver);
    secrets.set(`${session.sessionId} noiseKey.private`, forms(creds.noiseKey.private));
    secrets.set(`${session.sessionId} signedIdentityKey.private`, forms(creds.signedIdentityKey.private));
    secrets.set(`${session.sessionId} signedPreKey.keyPair.private`, forms(creds.signedPreKey.keyPair.private));
    secrets.set(`${session.sessionId} pairingEphemeralKeyPair.private`, forms(creds.pairingEphemeralKeyPair.private));
    secrets.set(`${session.sessionId} advSecretKey`, forms(creds.advSecretKey));
    const preKeys = await world.gateway.ctx.db
      .selectFrom('SessionKey')
      .select(['keyId', 'value'])
      .where('sessionId', '=', session.id)
      .where('type', '=', 'pre-key')
      .execute();
    expect(preKeys.length).toBeGreaterThan(0);
    for (const preKey of preKeys) {
      secrets.set(`${session.sessionId} pre-key ${preKey.keyId} private`, forms(JSON.parse(preKey.value, BufferJSON.reviver).private));
    }
  }

  const log = lines.join('');
  // Baileys did log at trace: the frames it sent and received, and its key cache.
  expect(log).toMatch(/"module":"baileys"/);
  expect(log).toMatch(/xml send|recv xml/);
  const leaked = [...secrets].filter(([, values]) => values.some((value) => value && log.includes(value))).map(([name]) => name);
  expect(leaked).toEqual([]);
});

it('the logger handed to Baileys scrubs key material, codes and content wherever it sits', () => {
  const out: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      out.push(chunk.toString('utf8'));
      done();
    },
  });
  const logger = redactingLogger(createLogger({ LOG_LEVEL: 'trace' }, sink)).child({ class: 'baileys' });
  const secret = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
  logger.trace({ keys: { 'pre-key': { 1: { private: secret, public: secret } } } }, 'updated cache');
  logger.debug({ creds: { noiseKey: { private: secret } } }, 'creds');
  logger.info({ nested: { a: { b: { privKey: 'P1', noiseKey: 'N1', signedIdentityKey: 'S1', advSecretKey: 'A1' } } } }, 'x');
  logger.info({ media: { encKey: 'E1', macKey: 'M1', mediaKey: 'K1' }, pairingCode: 'ABCD1234', qr: 'ref,noise,id,adv' }, 'y');
  logger.debug({ msg: { message: { conversation: 'hello there' } } }, 'z');
  logger.trace({
    xml: `<iq id='1'>\n\t<pair-device>\n\t\t<ref>\n\t\t\tREF-SECRET-1\n\t\t</ref>\n\t\t${secret.toString('hex')}\n\t</pair-device>\n</iq>`,
    msg: 'recv xml',
  });
  logger.error({ err: new Error('kept error message') }, 'failed');
  const text = out.join('');
  for (const value of [
    secret.toString('hex'),
    secret.toString('base64'),
    [...secret].join(','),
    'P1',
    'N1',
    'S1',
    'A1',
    'E1',
    'M1',
    'K1',
    'ABCD1234',
    'ref,noise',
    'hello there',
    'REF-SECRET-1',
  ]) {
    expect(text).not.toContain(value);
  }
  expect(text).toContain('pair-device');
  expect(text).toContain('kept error message');
  expect(text).toContain('"class":"baileys"');
  expect(out).toHaveLength(7);
});
