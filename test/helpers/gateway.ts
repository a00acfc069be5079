import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { loadConfig } from '../../server/src/config';
import type { AppContext } from '../../server/src/context';
import { createServer } from '../../server/src/server';
import { testDatabase, type TestDatabase } from './database';
import { ApiClient } from './http';

export const TEST_ADMIN = { email: 'admin@test.local', password: 'admin-password-1' };

export interface TestGateway {
  app: FastifyInstance;
  ctx: AppContext;
  api: ApiClient;
  database: TestDatabase;
  adminKey: string;
  /** Creates a USER (or ADMIN) through the admin API and returns its id and key. */
  createUser(email: string, role?: 'USER' | 'ADMIN'): Promise<{ id: string; key: string; email: string }>;
  /** Drops the database too. */
  close(): Promise<void>;
  /** Closes the app but keeps the database, to start another gateway on it. */
  stop(): Promise<void>;
}

export interface GatewayOptions {
  /** Reuse this database (a restart) instead of a fresh one. */
  database?: TestDatabase;
  /** The gateway's logger, instead of one made from LOG_LEVEL (silent in tests). */
  logger?: Logger;
}

/** A gateway on a fresh database, listening on a random port; `close()` drops the database. */
export async function startGateway(label: string, env: Record<string, string> = {}, options: GatewayOptions = {}): Promise<TestGateway> {
  const database = options.database ?? testDatabase(label);
  const config = loadConfig({
    DATABASE_URL: database.url,
    LOG_LEVEL: 'silent',
    BCRYPT_COST: '10',
    JWT_SECRET: 'test-secret-test-secret-test-secret-42',
    ADMIN_EMAIL: TEST_ADMIN.email,
    ADMIN_PASSWORD: TEST_ADMIN.password,
    AUTH_RATE_LIMIT_MAX: '1000',
    RATE_LIMIT_MAX: '100000',
    DATABASE_POOL_SIZE: '5',
    ...env,
  });
  const printed: string[] = [];
  const dropIfOurs = async () => {
    if (!options.database) await database.drop();
  };
  const { app, ctx } = await createServer(config, { print: (line) => printed.push(line), logger: options.logger }).catch(async (error) => {
    await dropIfOurs();
    throw error;
  });
  await app.listen({ port: 0, host: '127.0.0.1' }).catch(async (error) => {
    await app.close();
    await dropIfOurs();
    throw error;
  });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const api = new ApiClient(`http://127.0.0.1:${port}`);
  const adminKey = printed.map((line) => /(bak_\S+)/.exec(line)?.[1]).find(Boolean)!;

  return {
    app,
    ctx,
    api,
    database,
    adminKey,
    async createUser(email, role = 'USER') {
      const res = await api.post('/api/v1/users', { key: adminKey, body: { email, password: 'user-password-1', role } });
      if (res.status !== 201) throw new Error(`could not create ${email}: ${JSON.stringify(res.body)}`);
      return { id: res.body.user.id, key: res.body.apiKey, email };
    },
    async close() {
      await app.close();
      await database.drop();
    },
    async stop() {
      await app.close();
    },
  };
}
