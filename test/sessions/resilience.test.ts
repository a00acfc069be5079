import { createCipheriv, randomBytes } from 'node:crypto';
import { AuthCipher, AuthCodec, authContext, AuthStateLockedError, parseEncryptionKey } from '../../server/src/whatsapp/auth/auth-cipher';
import { loadMysqlAuthState } from '../../server/src/whatsapp/auth/mysql-auth-state';
import { createDb, parseDatabaseUrl } from '../../server/src/db/connection';
import type { Db } from '../../server/src/db/database';
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

const SEALED_V2 = '{"$sealed":"aes-256-gcm","v":2,';
const codec1 = () => new AuthCodec(new AuthCipher(parseEncryptionKey(KEY_1)));
/** Sealed the way values were before they were bound to their row (no additional authenticated data). */
const sealLegacy = (plaintext: string) => {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', parseEncryptionKey(KEY_1), iv);
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const sealed = {
    $sealed: 'aes-256-gcm',
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    data: data.toString('base64'),
  };
  return JSON.stringify(sealed);
};
/** Stops the gateway, changes its database directly, and starts it again with KEY_1. */
const whileStopped = async (change: (db: Db) => Promise<void>) => {
  await world.gateway.stop();
  const db = createDb(parseDatabaseUrl(world.gateway.database.url), 2);
  try {
    await change(db);
  } finally {
    await db.destroy();
  }
  world.gateway = await startGateway(
    'resilience',
    { ...gatewayEnvFor(world.sim), AUTH_ENCRYPTION_KEY: KEY_1 },
    { database: world.gateway.database },
  );
  key = world.gateway.adminKey || (await login());
};
const sessionRowId = async (sessionId: string) =>
  (await world.gateway.ctx.db.selectFrom('Session').select('id').where('sessionId', '=', sessionId).executeTakeFirstOrThrow()).id;

describe('sealed credentials are bound to their row', () => {
  it('a key value copied to another key id does not open (a locked auth state, not garbage)', async () => {
    const rowId = await sessionRowId('enc');
    const db = world.gateway.ctx.db;
    const source = await db.selectFrom('SessionKey').selectAll().where('sessionId', '=', rowId).limit(1).executeTakeFirstOrThrow();
    await db
      .insertInto('SessionKey')
      .values({ sessionId: rowId, type: source.type, keyId: 'copied-elsewhere', value: source.value })
      .execute();
    // Only read here: a fence is checked on writes alone.
    const auth = await loadMysqlAuthState(db, { sessionRowId: rowId, ownerId: 'reader', epoch: 0 }, codec1());
    await expect(auth.state.keys.get(source.type as 'session', [source.keyId])).resolves.toHaveProperty([source.keyId]);
    await expect(auth.state.keys.get(source.type as 'session', ['copied-elsewhere'])).rejects.toThrow(AuthStateLockedError);
    await db.deleteFrom('SessionKey').where('sessionId', '=', rowId).where('keyId', '=', 'copied-elsewhere').execute();
  });

  it("credentials copied to another session show that session's ERROR, and the server keeps serving", async () => {
    expect((await world.gateway.api.post('/api/v1/sessions', { key, body: { sessionId: 'copy' } })).status).toBe(201);
    await world.gateway.api.post('/api/v1/sessions/copy/disconnect', { key });
    await whileStopped(async (db) => {
      const { authData } = await db.selectFrom('Session').select('authData').where('sessionId', '=', 'enc').executeTakeFirstOrThrow();
      const stored = typeof authData === 'string' ? authData : JSON.stringify(authData);
      await db.updateTable('Session').set({ authData: stored, isActive: true }).where('sessionId', '=', 'copy').execute();
    });
    const copy = await sessionWhere(world.gateway, key, 'copy', (s) => s.status === 'ERROR');
    expect(copy.metadata.error).toMatch(/cannot be decrypted/);
    await sessionWhere(world.gateway, key, 'enc', (s) => s.status === 'CONNECTED', 15_000);
    expect((await world.gateway.api.get('/health')).status).toBe(200);
    expect((await world.gateway.api.delete('/api/v1/sessions/copy', { key })).status).toBeLessThan(300);
  });

  it('at start, plaintext values and values sealed without their row are sealed anew, and the session still connects', async () => {
    const rowId = await sessionRowId('enc');
    const codec = codec1();
    await whileStopped(async (db) => {
      const { authData } = await db.selectFrom('Session').select('authData').where('id', '=', rowId).executeTakeFirstOrThrow();
      const creds = codec.decode(authData, authContext.creds(rowId));
      await db
        .updateTable('Session')
        .set({ authData: sealLegacy(creds) })
        .where('id', '=', rowId)
        .execute();
      const keys = await db.selectFrom('SessionKey').selectAll().where('sessionId', '=', rowId).execute();
      for (const [i, row] of keys.entries()) {
        const plaintext = codec.decode(row.value, authContext.key(rowId, row.type, row.keyId));
        await db
          .updateTable('SessionKey')
          .set({ value: i % 2 === 0 ? plaintext : sealLegacy(plaintext) })
          .where('sessionId', '=', rowId)
          .where('type', '=', row.type)
          .where('keyId', '=', row.keyId)
          .execute();
      }
    });
    const session = await world.gateway.ctx.db.selectFrom('Session').select('authData').where('id', '=', rowId).executeTakeFirstOrThrow();
    expect(JSON.stringify(session.authData).startsWith(SEALED_V2)).toBe(true);
    const keys = await world.gateway.ctx.db.selectFrom('SessionKey').select('value').where('sessionId', '=', rowId).execute();
    expect(keys.length).toBeGreaterThan(0);
    for (const { value } of keys) expect(value.startsWith(SEALED_V2)).toBe(true);
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
