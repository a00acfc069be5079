import { createConnection } from 'mysql2';
import { ensureDatabase, parseDatabaseUrl } from '../server/src/db/connection';

/** Drops the demo's database and creates it empty; the gateway migrates it when it starts. */
export async function resetDatabase(url: string): Promise<void> {
  const target = parseDatabaseUrl(url);
  const connection = createConnection(target.options).promise();
  try {
    await connection.query(`DROP DATABASE IF EXISTS \`${target.database}\``);
  } finally {
    await connection.end();
  }
  await ensureDatabase(target);
}
