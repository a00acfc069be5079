import { randomBytes } from 'node:crypto';
import type { Config } from '../config';
import type { Db } from '../db/database';
import { countUsers } from './user-repository';
import type { UserService } from './user-service';

export const DEFAULT_ADMIN_EMAIL = 'admin@localhost';

/**
 * On a server with no users, creates the first ADMIN and prints its one-time API key to stdout.
 * Two processes starting together race harmlessly: the unique email lets only one insert win.
 */
export async function ensureFirstAdmin(
  db: Db,
  users: UserService,
  config: Pick<Config, 'ADMIN_EMAIL' | 'ADMIN_PASSWORD'>,
  print: (line: string) => void,
): Promise<void> {
  if ((await countUsers(db)) > 0) return;
  const email = config.ADMIN_EMAIL ?? DEFAULT_ADMIN_EMAIL;
  const password = config.ADMIN_PASSWORD ?? randomBytes(18).toString('base64url');
  try {
    const { apiKey } = await users.create({ email, password, name: 'Administrator', role: 'ADMIN' });
    print(`Created the first admin user ${email}.`);
    if (!config.ADMIN_PASSWORD) print(`Its password: ${password}`);
    print(`Its API key, shown only this once: ${apiKey}`);
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode !== 409) throw error;
  }
}
