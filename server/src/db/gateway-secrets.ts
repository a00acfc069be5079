import { randomBytes } from 'node:crypto';
import type { Queryable } from './database';

/**
 * A secret every gateway process on this database shares: the first process to ask generates it, every
 * later one (and every restart) reads the same value back.
 */
export async function sharedSecret(db: Queryable, name: string): Promise<string> {
  await db
    .insertInto('GatewaySecret')
    .ignore()
    .values({ name, value: randomBytes(32).toString('base64url') })
    .execute();
  const { value } = await db.selectFrom('GatewaySecret').select('value').where('name', '=', name).executeTakeFirstOrThrow();
  return value;
}
