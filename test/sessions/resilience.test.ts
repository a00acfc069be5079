import { randomBytes } from 'node:crypto';
import { startGateway } from '../helpers/gateway';
import { gatewayEnvFor, pairByQr, sessionWhere, startWhatsAppWorld, type WhatsAppWorld } from '../helpers/whatsapp';

jest.setTimeout(90_000);

const KEY_1 = randomBytes(32).toString('hex');
const KEY_2 = randomBytes(32).toString('base64');
const PHONE = '15550002001';

let world: WhatsAppWorld;
let key: string;

const restartWith = async (env: Record<string, string>) => {
  await world.gateway.stop();
  world.gateway = await startGateway('resilience', { ...gatewayEnvFor(world.sim), ...env }, { database: world.gateway.database });
  key = world.gateway.adminKey || (await login());
};
const login = async () =>
  (await world.gateway.api.post('/api/v1/auth/login', { body: { email: 'admin@test.local', password: 'admin-password-1' } })).body
    .token as string;

beforeAll(async () => {
  world = await startWhatsAppWorld('resilience', { AUTH_ENCRYPTION_KEY: KEY_1 });
  key = world.gateway.adminKey;
  await world.sim.createAccount(PHONE, 'Enc');
  await pairByQr(world, key, 'enc', PHONE);
});
afterAll(async () => {
  await world?.gateway.close();
  await world?.sim.stop();
});

describe('credentials encrypted at rest', () => {
  it('stores credentials and keys only sealed with AES-256-GCM', async () => {
    const session = await world.gateway.ctx.db
      .selectFrom('Session')
      .select(['id', 'authData'])
      .where('sessionId', '=', 'enc')
      .executeTakeFirstOrThrow();
    const authData = JSON.stringify(session.authData);
    expect(authData).toContain('aes-256-gcm');
    expect(authData).not.toMatch(/noiseKey|signedIdentityKey|advSecretKey/);
    const keys = await world.gateway.ctx.db.selectFrom('SessionKey').select('value').where('sessionId', '=', session.id).execute();
    expect(keys.length).toBeGreaterThan(0);
    for (const { value } of keys) expect(value.startsWith('{"$sealed":"aes-256-gcm"')).toBe(true);
  });

  it('reconnects after a restart with the same key', async () => {
    await restartWith({ AUTH_ENCRYPTION_KEY: KEY_1 });
    await sessionWhere(world.gateway, key, 'enc', (s) => s.status === 'CONNECTED', 15_000);
  });

  it.each([
    ['without a key', {}, /encrypted but AUTH_ENCRYPTION_KEY is not set/],
    ['with another key', { AUTH_ENCRYPTION_KEY: KEY_2 }, /cannot be decrypted/],
  ])('shows a clear ERROR %s, and the server keeps serving', async (_label, env, message) => {
    await restartWith(env);
    const session = await sessionWhere(world.gateway, key, 'enc', (s) => s.status === 'ERROR');
    expect(session.metadata.error).toMatch(message);
    expect((await world.gateway.api.get('/health')).status).toBe(200);
  });

  it('comes back once the right key is configured again', async () => {
    await restartWith({ AUTH_ENCRYPTION_KEY: KEY_1 });
    await sessionWhere(world.gateway, key, 'enc', (s) => s.status === 'CONNECTED', 15_000);
  });
});

describe('reconnecting', () => {
  it('keeps retrying with growing delays while WhatsApp refuses logins, and connects when it stops', async () => {
    world.sim.refuseLogins(PHONE, true);
    world.sim.disconnect(PHONE);
    const retries: number[] = [];
    let last = '';
    const deadline = Date.now() + 6000;
    while (Date.now() < deadline) {
      const session = (await world.gateway.api.get('/api/v1/sessions/enc', { key })).body;
      expect(session.status).not.toBe('CONNECTED');
      const next = session.metadata?.nextRetryAt;
      if (next && next !== last && session.metadata.lastDisconnect) {
        retries.push(new Date(next).getTime() - new Date(session.metadata.lastDisconnect.at).getTime());
        last = next;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(retries.length).toBeGreaterThanOrEqual(3);
    expect(Math.max(...retries.slice(-2))).toBeGreaterThan(retries[0]!);
    expect(Math.max(...retries)).toBeLessThanOrEqual(2000);

    world.sim.refuseLogins(PHONE, false);
    await sessionWhere(world.gateway, key, 'enc', (s) => s.status === 'CONNECTED', 10_000);
  });
});
