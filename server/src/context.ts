import type { FastifyBaseLogger } from 'fastify';
import type { Authenticator } from './auth/authenticator';
import type { Config } from './config';
import type { Db } from './db/database';
import type { UsageRecorder } from './usage/usage-recorder';
import type { UserService } from './users/user-service';

/** Everything the routes need, built once at start and passed down. */
export interface AppContext {
  config: Config;
  db: Db;
  log: FastifyBaseLogger;
  authenticator: Authenticator;
  users: UserService;
  usage: UsageRecorder;
}
