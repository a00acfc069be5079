import { newId } from '../db/ids';
import type { NewUser, Queryable, Role, User, UserUpdate } from '../db/database';

export type UserCreate = Omit<NewUser, 'id'>;

export interface UserPageQuery {
  limit: number;
  after?: { createdAt: Date; id: string };
}

export async function insertUser(db: Queryable, user: UserCreate): Promise<User> {
  const id = newId();
  await db
    .insertInto('User')
    .values({ ...user, id })
    .execute();
  return (await findUserById(db, id))!;
}

export function findUserById(db: Queryable, id: string): Promise<User | undefined> {
  return db.selectFrom('User').selectAll().where('id', '=', id).executeTakeFirst();
}

export function findUserByEmail(db: Queryable, email: string): Promise<User | undefined> {
  return db.selectFrom('User').selectAll().where('email', '=', email).executeTakeFirst();
}

export function findUserByApiKeyHash(db: Queryable, apiKeyHash: string): Promise<User | undefined> {
  return db.selectFrom('User').selectAll().where('apiKey', '=', apiKeyHash).executeTakeFirst();
}

export async function updateUser(db: Queryable, id: string, changes: UserUpdate): Promise<User | undefined> {
  if (Object.keys(changes).length > 0) {
    await db
      .updateTable('User')
      .set({ ...changes, updatedAt: new Date() })
      .where('id', '=', id)
      .execute();
  }
  return findUserById(db, id);
}

export async function deleteUser(db: Queryable, id: string): Promise<boolean> {
  const result = await db.deleteFrom('User').where('id', '=', id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

export async function countUsers(db: Queryable, role?: Role): Promise<number> {
  let query = db.selectFrom('User').select((eb) => eb.fn.countAll<number>().as('count'));
  if (role) query = query.where('role', '=', role);
  const { count } = await query.executeTakeFirstOrThrow();
  return Number(count);
}

/** Oldest first, keyset-paginated on (createdAt, id). */
export function listUsers(db: Queryable, { limit, after }: UserPageQuery): Promise<User[]> {
  let query = db.selectFrom('User').selectAll().orderBy('createdAt').orderBy('id').limit(limit);
  if (after) {
    query = query.where((eb) =>
      eb.or([eb('createdAt', '>', after.createdAt), eb.and([eb('createdAt', '=', after.createdAt), eb('id', '>', after.id)])]),
    );
  }
  return query.execute();
}

/** The version a user's login tokens must carry; 0 until the first password change or deactivation. */
export async function tokenVersionOf(db: Queryable, userId: string): Promise<number> {
  const row = await db.selectFrom('UserTokenVersion').select('version').where('userId', '=', userId).executeTakeFirst();
  return row?.version ?? 0;
}

/** Ends every login token issued to the user so far. */
export async function raiseTokenVersion(db: Queryable, userId: string): Promise<void> {
  await db
    .insertInto('UserTokenVersion')
    .values({ userId, version: 1 })
    .onDuplicateKeyUpdate((eb) => ({ version: eb('version', '+', 1) }))
    .execute();
}
