import { Kysely, MysqlDialect } from 'kysely';
import { createConnection, createPool, type PoolOptions, type TypeCast } from 'mysql2';
import type { Database } from './database';

export interface DatabaseTarget {
  options: PoolOptions;
  database: string;
}

const DATABASE_NAME = /^[A-Za-z0-9_$-]{1,64}$/;

/** Splits a `mysql://user:pass@host:port/db` URL into mysql2 options; utf8mb4 and UTC everywhere. */
export function parseDatabaseUrl(url: string): DatabaseTarget {
  const parsed = new URL(url);
  if (parsed.protocol !== 'mysql:') throw new Error('DATABASE_URL must start with mysql://');
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (!DATABASE_NAME.test(database)) throw new Error(`DATABASE_URL names an invalid database: "${database}"`);
  return {
    database,
    options: {
      host: parsed.hostname || '127.0.0.1',
      port: parsed.port ? Number(parsed.port) : 3306,
      user: decodeURIComponent(parsed.username || 'root'),
      password: decodeURIComponent(parsed.password),
      charset: 'utf8mb4_unicode_ci',
      timezone: 'Z',
      dateStrings: false,
      supportBigNumbers: true,
      typeCast: castBooleans,
    },
  };
}

/** BOOLEAN is TINYINT(1) on the wire; give it back as a boolean. */
const castBooleans: TypeCast = (field, next) => {
  if (field.type === 'TINY' && field.length === 1) {
    const value = field.string();
    return value === null ? null : value === '1';
  }
  return next();
};

/** CREATE DATABASE IF NOT EXISTS, through a short-lived connection without a default database. */
export async function ensureDatabase(target: DatabaseTarget): Promise<void> {
  const connection = createConnection(target.options).promise();
  try {
    await connection.query(`CREATE DATABASE IF NOT EXISTS \`${target.database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await connection.end();
  }
}

export function createDb(target: DatabaseTarget, poolSize = 10): Kysely<Database> {
  const pool = createPool({ ...target.options, database: target.database, connectionLimit: poolSize });
  pool.on('connection', (connection) => {
    connection.query("SET time_zone = '+00:00'");
  });
  return new Kysely<Database>({ dialect: new MysqlDialect({ pool }) });
}
