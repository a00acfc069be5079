import { randomBytes } from 'node:crypto';
import { createConnection, type Connection } from 'mysql2/promise';
import { loadConfig } from '../../server/src/config';
import { openMigratedDatabase } from '../../server/src/server';
import { IngestQueue } from '../../server/src/whatsapp/ingest-queue';
import { MYSQL_ROOT_URL, testDatabase, type TestDatabase } from './database';
import { eventually } from './eventually';
import { pairByQr, startWhatsAppWorld, type WhatsAppWorld } from './whatsapp';

export interface RestrictedDatabase {
  database: TestDatabase;
  /** DATABASE_URL for the gateway: the database as the restricted user. */
  url: string;
  /** Gives or takes the user's INSERT on one table; open connections feel it from their next statement. */
  insert(privilege: 'GRANT' | 'REVOKE', table: string): Promise<unknown>;
  /** Drops the user (the database is dropped by whoever owns it: the gateway's close, or `database.drop`). */
  close(): Promise<void>;
}

/**
 * A migrated test database and a MariaDB user of its own that holds INSERT on each table separately, so a
 * test can make the database refuse the writes to one table (an outage of ingest) and take them again.
 */
export async function restrictedDatabase(label: string): Promise<RestrictedDatabase> {
  const root: Connection = await createConnection(MYSQL_ROOT_URL);
  const database = testDatabase(label);
  const user = `${label.slice(0, 12)}_${randomBytes(4).toString('hex')}`;
  const password = randomBytes(12).toString('hex');
  const insert = (privilege: 'GRANT' | 'REVOKE', table: string) =>
    root.query(`${privilege} INSERT ON \`${database.name}\`.\`${table}\` ${privilege === 'GRANT' ? 'TO' : 'FROM'} '${user}'@'%'`);
  const close = async () => {
    await root.query(`DROP USER IF EXISTS '${user}'@'%'`);
    await root.end();
  };
  try {
    await (await openMigratedDatabase(loadConfig({ DATABASE_URL: database.url, LOG_LEVEL: 'silent' }))).destroy();
    await root.query(`CREATE USER '${user}'@'%' IDENTIFIED BY '${password}'`);
    await root.query(
      `GRANT SELECT, UPDATE, DELETE, CREATE, ALTER, INDEX, DROP, REFERENCES, CREATE TEMPORARY TABLES, LOCK TABLES ON \`${database.name}\`.* TO '${user}'@'%'`,
    );
    const [tables] = await root.query('SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?', [database.name]);
    for (const { name } of tables as { name: string }[]) await insert('GRANT', name);
  } catch (error) {
    await close();
    await database.drop();
    throw error;
  }
  const url = new URL(database.url);
  url.username = user;
  url.password = password;
  return { database, url: url.toString(), insert, close };
}

export interface OutageWorld extends WhatsAppWorld {
  restricted: RestrictedDatabase;
  /** The admin's API key (owner of the session). */
  key: string;
  sessionRowId: string;
  /** Message ids in the order Baileys read them, and in the order the gateway published them (messages.upsert). */
  arrived: string[];
  published: string[];
  close(): Promise<void>;
}

/**
 * A simulator and a gateway on a restricted database (see above) whose session "me" is paired with `me` and
 * CONNECTED, with `contact` as a second account, recording what Baileys read and what the gateway published.
 * Refused batches are retried quickly (every 50 to 300 ms) unless `env` says otherwise.
 */
export async function startOutageWorld(label: string, phones: { me: string; contact: string }, env: Record<string, string>) {
  const restricted = await restrictedDatabase(label);
  let world: WhatsAppWorld;
  try {
    world = await startWhatsAppWorld(
      label,
      { DATABASE_URL: restricted.url, INGEST_RETRY_BASE_DELAY_MS: '50', INGEST_RETRY_MAX_DELAY_MS: '300', ...env },
      { database: restricted.database },
    );
  } catch (error) {
    await restricted.database.drop();
    await restricted.close();
    throw error;
  }
  const close = async () => {
    try {
      await world.gateway.close();
      await world.sim.stop();
    } finally {
      await restricted.close();
    }
  };
  try {
    const key = world.gateway.adminKey;
    await world.sim.createAccount(phones.me, 'Me');
    await world.sim.createAccount(phones.contact, 'Contact');
    await pairByQr(world, key, 'me', phones.me);
    const { db, bus, manager } = world.gateway.ctx;
    const sessionRowId = (await db.selectFrom('Session').select('id').where('sessionId', '=', 'me').executeTakeFirstOrThrow()).id;
    const arrived: string[] = [];
    const published: string[] = [];
    bus.on('messages.upsert', (event) => void published.push(...event.payload.messages.map((message) => message.messageId)));
    const socket = await manager.whenConnected(sessionRowId, async (connected) => connected);
    socket.ev.on('messages.upsert', ({ messages }) => void arrived.push(...messages.map((message) => message.key.id!)));
    return { ...world, restricted, key, sessionRowId, arrived, published, close } satisfies OutageWorld;
  } catch (error) {
    await close();
    throw error;
  }
}

/** Watches the ingest queues' refused attempts (failed writes, of any session) from now on. */
export function watchRefusals() {
  const failed = jest.spyOn(IngestQueue.prototype as unknown as { failed: (error: unknown, message: string) => void }, 'failed');
  return {
    /** Waits until the database refused `count` more attempts than it had so far. */
    async more(count: number): Promise<void> {
      const soFar = failed.mock.calls.length;
      await eventually(
        () => failed.mock.calls.length,
        (n) => n >= soFar + count,
        10_000,
        `${count} more refused attempts`,
      );
    },
    stop: () => failed.mockRestore(),
  };
}
