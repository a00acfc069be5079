import type { KyselyPlugin, PluginTransformResultArgs, QueryResult, UnknownRow } from 'kysely';
import { Authenticator } from '../../server/src/auth/authenticator';
import { PasswordHasher } from '../../server/src/auth/passwords';
import { PrincipalCache } from '../../server/src/auth/principal-cache';
import { LoginTokens } from '../../server/src/auth/tokens';
import { UserService } from '../../server/src/users/user-service';
import { startGateway, type TestGateway } from '../helpers/gateway';

// Issue 10: a key rotation or deactivation that lands while a key lookup is in flight must win; the
// lookup read the row as it was before and must not put that principal back into the cache.

/** Holds the result of the next query until released, and says when that query has run. */
class HoldNextResult implements KyselyPlugin {
  private armed = false;
  private release!: () => void;
  private ran!: () => void;
  readonly hasRun = new Promise<void>((resolve) => (this.ran = resolve));
  private readonly gate = new Promise<void>((resolve) => (this.release = resolve));

  arm() {
    this.armed = true;
  }
  open() {
    this.release();
  }
  transformQuery: KyselyPlugin['transformQuery'] = (args) => args.node;
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    if (this.armed) {
      this.armed = false;
      this.ran();
      await this.gate;
    }
    return args.result;
  }
}

let gw: TestGateway;

beforeAll(async () => {
  gw = await startGateway('auth_cache_race');
});
afterAll(() => gw?.close());

const setUp = () => {
  const hold = new HoldNextResult();
  const cache = new PrincipalCache(60_000);
  const tokens = new LoginTokens('race-secret-race-secret-race-secret-42', 3600);
  const users = new UserService(gw.ctx.db, new PasswordHasher(10), tokens, cache);
  const authenticator = new Authenticator(gw.ctx.db.withPlugin(hold), tokens, cache);
  return { hold, users, authenticator };
};

it.each([
  ['a key rotation', (users: UserService, id: string) => users.rotateApiKey(id)],
  ['a deactivation', (users: UserService, id: string) => users.update(id, { isActive: false })],
])('%s racing an in-flight key lookup is not undone by it', async (_label, change) => {
  const { hold, users, authenticator } = setUp();
  const user = await gw.createUser(`race-${Math.random().toString(36).slice(2)}@test.local`);

  hold.arm();
  const inFlight = authenticator.authenticate(user.key, 'bearer');
  await hold.hasRun;
  await change(users, user.id);
  hold.open();
  await inFlight;

  const after = await authenticator.authenticate(user.key, 'bearer');
  expect(after).toEqual({ failure: 'Invalid API key' });
});

it('a lookup with no change in between is cached as before', async () => {
  const { users, authenticator } = setUp();
  const user = await gw.createUser('race-cached@test.local');
  const first = await authenticator.authenticate(user.key, 'bearer');
  expect('principal' in first).toBe(true);
  expect(authenticator.authenticate(user.key, 'bearer')).not.toBeInstanceOf(Promise);
  await users.rotateApiKey(user.id);
  expect(await authenticator.authenticate(user.key, 'bearer')).toEqual({ failure: 'Invalid API key' });
});
