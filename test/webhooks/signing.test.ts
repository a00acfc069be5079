import { generateWebhookSecret, isValidWebhookSecret, signWebhook, verifyWebhook, webhookHeaders } from '../../server/src/webhooks/signing';

type VerifyInput = Parameters<typeof verifyWebhook>[0];

/**
 * The published Standard Webhooks test vector, from the reference implementation's own test
 * ("sign function works" in standard-webhooks/standard-webhooks, libraries/javascript/src/webhook.test.ts).
 */
const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

const NOW = 1_750_000_000;
const BODY = JSON.stringify({ event: 'message.received', data: { text: 'héllo ✓' } });

describe('Standard Webhooks signing', () => {
  it('reproduces the published test vector exactly and verifies it', () => {
    const { secret, id, timestamp, body, signature } = VECTOR;
    expect(signWebhook({ id, timestamp, body, secrets: [secret] })).toBe(signature);
    expect(verifyWebhook({ id, timestamp: String(timestamp), body, signatureHeader: signature, secret, now: timestamp })).toBe(true);
    expect(verifyWebhook({ id, timestamp, body, signatureHeader: signature, secret, now: timestamp + 300 })).toBe(true);
  });

  it('generates whsec_ secrets of 32 random bytes that are valid and sign', () => {
    const a = generateWebhookSecret();
    const b = generateWebhookSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(a.slice(6), 'base64')).toHaveLength(32);
    expect(a).not.toBe(b);
    expect(isValidWebhookSecret(a)).toBe(true);
    const signatureHeader = signWebhook({ id: 'msg_1', timestamp: NOW, body: BODY, secrets: [a] });
    expect(verifyWebhook({ id: 'msg_1', timestamp: NOW, body: BODY, signatureHeader, secret: a, now: NOW })).toBe(true);
    expect(verifyWebhook({ id: 'msg_1', timestamp: NOW, body: BODY, signatureHeader, secret: b, now: NOW })).toBe(false);
  });

  it.each([
    ['the vector secret (24 bytes)', VECTOR.secret, true],
    ['64 bytes', 'whsec_' + Buffer.alloc(64, 7).toString('base64'), true],
    ['23 bytes', 'whsec_' + Buffer.alloc(23, 7).toString('base64'), false],
    ['65 bytes', 'whsec_' + Buffer.alloc(65, 7).toString('base64'), false],
    ['no prefix', VECTOR.secret.slice(6), false],
    ['wrong prefix', 'whsek_' + VECTOR.secret.slice(6), false],
    ['url-safe alphabet', 'whsec_' + Buffer.alloc(32, 0xfb).toString('base64url'), false],
    ['missing padding', 'whsec_' + Buffer.alloc(32, 7).toString('base64').replace(/=+$/, ''), false],
    ['junk inside', 'whsec_MfKQ9r8GKYqr TwjUPD8ILPZIo2LaLaSw', false],
    ['non-canonical trailing bits', 'whsec_' + Buffer.alloc(32, 7).toString('base64').replace(/.=$/, 'x='), false],
    ['empty', '', false],
    ['only the prefix', 'whsec_', false],
  ])('isValidWebhookSecret: %s', (_name, secret, valid) => {
    expect(isValidWebhookSecret(secret)).toBe(valid);
  });

  it('signs with every secret during a rotation, and each verifies on its own', () => {
    const oldSecret = generateWebhookSecret();
    const newSecret = generateWebhookSecret();
    const header = signWebhook({ id: 'msg_rot', timestamp: NOW, body: BODY, secrets: [newSecret, oldSecret] });
    const parts = header.split(' ');
    expect(parts).toHaveLength(2);
    for (const part of parts) expect(part).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(parts[0]).toBe(signWebhook({ id: 'msg_rot', timestamp: NOW, body: BODY, secrets: [newSecret] }));
    expect(parts[1]).toBe(signWebhook({ id: 'msg_rot', timestamp: NOW, body: BODY, secrets: [oldSecret] }));
    for (const secret of [oldSecret, newSecret]) {
      expect(verifyWebhook({ id: 'msg_rot', timestamp: NOW, body: BODY, signatureHeader: header, secret, now: NOW })).toBe(true);
    }
    expect(
      verifyWebhook({ id: 'msg_rot', timestamp: NOW, body: BODY, signatureHeader: header, secret: generateWebhookSecret(), now: NOW }),
    ).toBe(false);
  });

  it('accepts a matching v1 signature among unknown versions and garbage, as the reference does', () => {
    const { secret, id, timestamp, body, signature } = VECTOR;
    const signatureHeader = [
      'v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=',
      'v2,' + signature.slice(3),
      'nonsense',
      signature,
      'v1a,' + signature.slice(3),
    ].join(' ');
    expect(verifyWebhook({ id, timestamp, body, signatureHeader, secret, now: timestamp })).toBe(true);
    expect(verifyWebhook({ id, timestamp, body, signatureHeader: 'v2,' + signature.slice(3), secret, now: timestamp })).toBe(false);
  });

  describe('rejects', () => {
    const secret = VECTOR.secret;
    const id = 'msg_2ZsWcS3xQZ8R7QxqzW4Kp0wB';
    const signatureHeader = signWebhook({ id, timestamp: NOW, body: BODY, secrets: [secret] });
    const valid: VerifyInput = { id, timestamp: NOW, body: BODY, signatureHeader, secret, now: NOW };

    it('nothing when untouched', () => {
      expect(verifyWebhook(valid)).toBe(true);
    });

    it.each<[string, Partial<VerifyInput>]>([
      ['a tampered body', { body: BODY.replace('héllo', 'hello') }],
      ['a body with a trailing newline', { body: BODY + '\n' }],
      ['a tampered id', { id: id + 'x' }],
      ['a tampered timestamp (signature replayed with a fresh one)', { timestamp: NOW + 1, now: NOW + 1 }],
      ['a timestamp spelled differently', { timestamp: '0' + NOW }],
      ['another secret', { secret: generateWebhookSecret() }],
      ['an old timestamp', { now: NOW + 301 }],
      ['a timestamp from the future', { now: NOW - 301 }],
      ['an old timestamp under a tighter tolerance', { now: NOW + 61, toleranceSeconds: 60 }],
    ])('%s', (_name, change) => {
      expect(verifyWebhook({ ...valid, ...change })).toBe(false);
    });

    it('malformed headers, timestamps and secrets without throwing', () => {
      const sig = signatureHeader.slice(3);
      for (const header of [
        '',
        ' ',
        'v1,',
        'v1',
        sig,
        `v1 ${sig}`,
        `v1,${sig.slice(0, 8)}`,
        `v1,${sig.slice(0, -1)}`,
        `v1,${sig}AAAA`,
        `v1,${Buffer.from(sig, 'base64').toString('hex')}`,
        `v1,${Buffer.from(sig, 'base64').toString('base64url')}`,
        'v1,dawfeoifkpqwoekfpqoekf',
        'v1,!!!!',
        `V1,${sig}`,
        `v1,,${sig}`,
      ]) {
        expect({ header, ok: verifyWebhook({ ...valid, signatureHeader: header }) }).toEqual({ header, ok: false });
      }
      for (const timestamp of ['', 'hello', '1e9', '-1', ' 1750000000', '1750000000.5', String(NOW) + '0'.repeat(20)]) {
        expect({ timestamp, ok: verifyWebhook({ ...valid, timestamp }) }).toEqual({ timestamp, ok: false });
      }
      for (const bad of ['', 'whsec_', 'not a secret', VECTOR.secret.slice(6)]) {
        expect({ bad, ok: verifyWebhook({ ...valid, secret: bad }) }).toEqual({ bad, ok: false });
      }
      expect(verifyWebhook({ ...valid, timestamp: Number.NaN })).toBe(false);
      expect(verifyWebhook({ ...valid, now: Number.NaN })).toBe(false);
      expect(verifyWebhook({ ...valid, signatureHeader: undefined as unknown as string })).toBe(false);
    });
  });

  it('refuses to sign with an invalid secret, a bad timestamp or no secret at all', () => {
    expect(() => signWebhook({ id: 'a', timestamp: NOW, body: '{}', secrets: [] })).toThrow(TypeError);
    expect(() => signWebhook({ id: 'a', timestamp: NOW, body: '{}', secrets: ['whsec_short'] })).toThrow(TypeError);
    expect(() => signWebhook({ id: 'a', timestamp: NOW * 1000 + 0.5, body: '{}', secrets: [VECTOR.secret] })).toThrow(TypeError);
  });

  it('builds the three headers', () => {
    expect(webhookHeaders(VECTOR.id, VECTOR.timestamp, VECTOR.signature)).toEqual({
      'webhook-id': VECTOR.id,
      'webhook-timestamp': '1614265330',
      'webhook-signature': VECTOR.signature,
    });
  });
});
