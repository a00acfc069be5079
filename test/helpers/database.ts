import { randomBytes } from 'node:crypto';
import { createConnection } from 'mysql2/promise';

export const MYSQL_ROOT_URL = process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A database name no other test file uses; the database itself is created by the code under test. */
export function testDatabase(label: string): TestDatabase {
  const name = `test_${label.replace(/\W/g, '_').slice(0, 30)}_${randomBytes(4).toString('hex')}`;
  return {
    name,
    url: `${MYSQL_ROOT_URL}/${name}`,
    drop: () => dropDatabase(name),
  };
}

export async function dropDatabase(name: string): Promise<void> {
  const connection = await createConnection(MYSQL_ROOT_URL);
  try {
    await connection.query(`DROP DATABASE IF EXISTS \`${name}\``);
  } finally {
    await connection.end();
  }
}

export async function withConnection<T>(url: string, run: (c: Awaited<ReturnType<typeof createConnection>>) => Promise<T>): Promise<T> {
  const connection = await createConnection(url);
  try {
    return await run(connection);
  } finally {
    await connection.end();
  }
}
