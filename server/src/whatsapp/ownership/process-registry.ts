import { sql } from 'kysely';
import type { Db } from '../../db/database';

export interface LiveProcess {
  id: string;
  address: string | null;
  /** Sessions it holds a live lease on. */
  sessions: number;
}

/** Records that the process is alive (and where it listens), creating its row on the first beat. */
export async function heartbeat(db: Db, process: { id: string; address: string | null }): Promise<void> {
  await sql`
    INSERT INTO GatewayProcess (id, address, startedAt, heartbeatAt) VALUES (${process.id}, ${process.address}, NOW(3), NOW(3))
    ON DUPLICATE KEY UPDATE address = VALUES(address), heartbeatAt = NOW(3)`.execute(db);
}

/** The process is shutting down: it takes no new sessions and others stop sending it any. */
export async function markStopping(db: Db, processId: string): Promise<void> {
  await db
    .updateTable('GatewayProcess')
    .set({ stoppingAt: sql<Date>`NOW(3)` })
    .where('id', '=', processId)
    .execute();
}

export async function forgetProcess(db: Db, processId: string): Promise<void> {
  await db.deleteFrom('GatewayProcess').where('id', '=', processId).execute();
}

/** Processes that beat within `staleAfterMs` and are not stopping, with how many sessions each holds. */
export async function liveProcesses(db: Db, staleAfterMs: number): Promise<LiveProcess[]> {
  const rows = await db
    .selectFrom('GatewayProcess')
    .leftJoin('SessionLease', 'SessionLease.ownerId', 'GatewayProcess.id')
    .select(['GatewayProcess.id', 'GatewayProcess.address', (eb) => eb.fn.count<number>('SessionLease.sessionId').as('sessions')])
    .where('GatewayProcess.heartbeatAt', '>=', sql<Date>`NOW(3) - INTERVAL ${staleAfterMs * 1000} MICROSECOND`)
    .where('GatewayProcess.stoppingAt', 'is', null)
    .groupBy(['GatewayProcess.id', 'GatewayProcess.address'])
    .execute();
  return rows.map((row) => ({ id: row.id, address: row.address, sessions: Number(row.sessions) }));
}

/** Rows of processes that stopped beating long ago (crashed), so the table does not grow forever. */
export async function pruneDeadProcesses(db: Db, deadAfterMs: number): Promise<void> {
  await db
    .deleteFrom('GatewayProcess')
    .where('heartbeatAt', '<', sql<Date>`NOW(3) - INTERVAL ${deadAfterMs * 1000} MICROSECOND`)
    .execute();
}

/** The live process holding the session (by its user-facing id), if any. */
export async function processRunning(
  db: Db,
  sessionId: string,
  staleAfterMs: number,
): Promise<{ id: string; address: string | null } | undefined> {
  return db
    .selectFrom('Session')
    .innerJoin('SessionLease', 'SessionLease.sessionId', 'Session.id')
    .innerJoin('GatewayProcess', 'GatewayProcess.id', 'SessionLease.ownerId')
    .select(['GatewayProcess.id', 'GatewayProcess.address'])
    .where('Session.sessionId', '=', sessionId)
    .where('GatewayProcess.heartbeatAt', '>=', sql<Date>`NOW(3) - INTERVAL ${staleAfterMs * 1000} MICROSECOND`)
    .executeTakeFirst();
}
