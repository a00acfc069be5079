import { eventually } from '../helpers/eventually';
import { startGateway, TEST_ADMIN } from '../helpers/gateway';
import { gatewayEnvFor, pairByQr, sessionWhere, startWhatsAppWorld, type WhatsAppWorld } from '../helpers/whatsapp';

// Issue 10: disabling or deleting a user must take their WhatsApp sessions offline, and a start must
// not reconnect the sessions of a disabled user.
jest.setTimeout(60_000);

let world: WhatsAppWorld;
const PHONE = '15550002001';

const linkedDevices = () => world.sim.account(PHONE).devices.filter((device) => !device.hosted);
const online = () => linkedDevices().some((device) => device.connected);
const waitOnline = (expected: boolean) =>
  eventually(
    async () => online(),
    (value) => value === expected,
    10_000,
    `online=${expected}`,
  );
const sessionRow = () => world.gateway.ctx.db.selectFrom('Session').selectAll().where('sessionId', '=', 'owned').executeTakeFirstOrThrow();

beforeAll(async () => {
  world = await startWhatsAppWorld('user_sessions');
  await world.sim.createAccount(PHONE, 'Owner');
});
afterAll(async () => {
  await world?.gateway.close();
  await world?.sim.stop();
});

it('disabling a user closes their sockets, a restart leaves them closed, enabling reconnects, deleting logs out', async () => {
  const user = await world.gateway.createUser('owner@test.local');
  await pairByQr(world, user.key, 'owned', PHONE);
  expect(online()).toBe(true);
  const { id: rowId } = await sessionRow();

  const off = await world.gateway.api.patch(`/api/v1/users/${user.id}`, { key: world.gateway.adminKey, body: { isActive: false } });
  expect(off.status).toBe(200);
  expect(world.gateway.ctx.manager.liveState(rowId)).toBeUndefined();
  await waitOnline(false);
  expect((await sessionRow()).authData).not.toBeNull();

  // A start with the user still disabled does not reconnect the session.
  await world.gateway.stop();
  world.gateway = await startGateway('user_sessions', gatewayEnvFor(world.sim), { database: world.gateway.database });
  await new Promise((resolve) => setTimeout(resolve, 1500));
  expect(world.gateway.ctx.manager.liveState(rowId)).toBeUndefined();
  expect(online()).toBe(false);

  const admin = (await world.gateway.api.post('/api/v1/auth/login', { body: { email: TEST_ADMIN.email, password: TEST_ADMIN.password } }))
    .body.token;
  const on = await world.gateway.api.patch(`/api/v1/users/${user.id}`, { key: admin, body: { isActive: true } });
  expect(on.status).toBe(200);
  await sessionWhere(world.gateway, admin, 'owned', (s) => s.status === 'CONNECTED', 15_000);
  await waitOnline(true);

  const deleted = await world.gateway.api.delete(`/api/v1/users/${user.id}`, { key: admin });
  expect(deleted.status).toBe(204);
  expect(world.gateway.ctx.manager.liveState(rowId)).toBeUndefined();
  await eventually(
    async () => linkedDevices().length,
    (count) => count === 0,
    10_000,
    'device unlinked',
  );
  expect(await world.gateway.ctx.db.selectFrom('Session').select('id').where('id', '=', rowId).executeTakeFirst()).toBeUndefined();
});
