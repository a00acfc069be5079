import { createServer as createTcpServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { testDatabase } from '../helpers/database';
import { eventually } from '../helpers/eventually';
import { startGateway } from '../helpers/gateway';
import { spawnGateway, stopGateway } from '../helpers/gateway-process';
import { migrations } from '../../migrations';
import { sample } from './prometheus-text';

jest.setTimeout(90_000);

const LAST_MIGRATION = Object.keys(migrations).at(-1)!;

/** A TCP relay to MariaDB that the test can cut (listener closed, connections dropped) and restore on the same port. */
class DatabaseRelay {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;

  async open(): Promise<this> {
    this.server = createTcpServer((client) => {
      const upstream = connect(3306, '127.0.0.1');
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async cut(): Promise<void> {
    const closed = new Promise((resolve) => this.server!.close(resolve));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }
}

it('answers 503 while a migration this code has is not applied, and ready once all are', async () => {
  const gateway = await startGateway('ready_migrations');
  try {
    const { db } = gateway.ctx;
    const row = await db
      .selectFrom('kysely_migration' as never)
      .selectAll()
      .where('name' as never, '=', LAST_MIGRATION as never)
      .executeTakeFirstOrThrow();
    await db
      .deleteFrom('kysely_migration' as never)
      .where('name' as never, '=', LAST_MIGRATION as never)
      .execute();
    expect(await gateway.api.get('/ready')).toMatchObject({ status: 503, body: { status: 'migrations pending' } });
    expect((await gateway.api.get('/health')).status).toBe(200);

    await db
      .insertInto('kysely_migration' as never)
      .values(row as never)
      .execute();
    expect(await gateway.api.get('/ready')).toMatchObject({ status: 200, body: { status: 'ready' } });
  } finally {
    await gateway.close();
  }
});

it('answers 503 while the database is unreachable, and ready again once it is back', async () => {
  const relay = await new DatabaseRelay().open();
  const database = testDatabase('ready_unreachable');
  const gateway = await startGateway(
    'ready_unreachable',
    { DATABASE_URL: `mysql://root@127.0.0.1:${relay.port}/${database.name}` },
    { database },
  );
  try {
    expect(await gateway.api.get('/ready')).toMatchObject({ status: 200, body: { status: 'ready' } });

    await relay.cut();
    expect(await gateway.api.get('/ready')).toMatchObject({ status: 503, body: { status: 'database unreachable' } });
    expect((await gateway.api.get('/health')).status).toBe(200);
    const metrics = await gateway.api.get('/metrics');
    expect(metrics.status).toBe(200);
    expect(sample(metrics.body, 'baileys_api_database_up')).toBe(0);

    await relay.open();
    await eventually(
      () => gateway.api.get('/ready'),
      (res) => res.status === 200,
      15_000,
      'ready again',
    );
  } finally {
    await gateway.stop();
    await relay.cut();
    await database.drop();
  }
});

it('answers 503 from the start of a shutdown while it still serves for SHUTDOWN_DRAIN_MS, then exits cleanly', async () => {
  const database = testDatabase('ready_shutdown');
  const gateway = await spawnGateway({
    DATABASE_URL: database.url,
    SHUTDOWN_DRAIN_MS: '3000',
    JWT_SECRET: 'test-secret-test-secret-test-secret-42',
  });
  try {
    expect(await gateway.api.get('/ready')).toMatchObject({ status: 200, body: { status: 'ready' } });
    const stopped = stopGateway(gateway);
    await eventually(
      () => gateway.api.get('/ready'),
      (res) => res.status === 503,
      2_000,
      'not ready once shutting down',
    ).then((res) => expect(res.body).toEqual({ status: 'shutting down' }));
    expect((await gateway.api.get('/health')).status).toBe(200);

    const finished = await stopped;
    expect(finished.code).toBe(0);
    // Not a terminal: one JSON object a line.
    const lines = finished.stdout.split('\n').filter((line) => line.startsWith('{'));
    expect(lines.map((line) => JSON.parse(line).msg)).toEqual(expect.arrayContaining(['shutting down']));
  } finally {
    gateway.child.kill('SIGKILL');
    await database.drop();
  }
});
