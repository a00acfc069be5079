import { newId } from '../../server/src/db/ids';
import { startGateway, type TestGateway } from '../helpers/gateway';

jest.setTimeout(60_000);

/*
 * An Idempotency-Key holds across gateway processes: two gateways on one database (each with its own pool,
 * queue and workers, sharing nothing but the database) take racing requests with the same key, and exactly
 * one send is queued. The session is not paired, so the sends only queue (`wait=false`) and nothing
 * reaches WhatsApp; the claim is what is tested here. Pruning, which any process runs, is tested on the same rows.
 */

let a: TestGateway;
let b: TestGateway;
let userKey: string;

beforeAll(async () => {
  a = await startGateway('sq_two_gateways');
  b = await startGateway('sq_two_gateways', {}, { database: a.database });
  const user = await a.createUser('racer@test.local');
  userKey = user.key;
  await a.ctx.db.insertInto('Session').values({ id: newId(), sessionId: 'racing', userId: user.id, isActive: false }).execute();
});
afterAll(async () => {
  await b?.stop();
  await a?.close();
});

const send = (gateway: TestGateway, text: string, key: string) =>
  gateway.api.post('/api/v1/sessions/racing/messages?wait=false', {
    key: userKey,
    body: { to: '+15550613002', type: 'text', text },
    headers: { 'idempotency-key': key },
  });

it('queues one send for a key, however many requests race with it on two gateways', async () => {
  const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => send(i % 2 ? a : b, 'once across processes', 'two-gateways')));
  expect(answers.map((r) => r.status)).toEqual(Array(12).fill(202));
  expect(new Set(answers.map((r) => r.body.id)).size).toBe(1);
  expect(new Set(answers.map((r) => r.body.messageId)).size).toBe(1);
  expect(answers.filter((r) => r.headers['idempotent-replayed'] !== 'true')).toHaveLength(1);
  const rows = await a.ctx.db.selectFrom('SendQueue').select(['id', 'status']).where('idempotencyKey', '=', 'two-gateways').execute();
  expect(rows).toEqual([{ id: answers[0]!.body.id, status: 'QUEUED' }]);

  // The same key with another request is refused on either gateway, and queues nothing.
  for (const gateway of [a, b]) {
    const reused = await send(gateway, 'another text', 'two-gateways');
    expect(reused.status).toBe(422);
    expect(reused.body.message).toMatch(/Idempotency-Key "two-gateways" was already used/);
  }
  expect(await a.ctx.db.selectFrom('SendQueue').select('id').execute()).toHaveLength(1);

  // The queued send waits for the connection, visible from both gateways.
  for (const gateway of [a, b]) {
    const looked = await gateway.api.get(`/api/v1/sessions/racing/messages/queued/${rows[0]!.id}`, { key: userKey });
    expect(looked.body).toMatchObject({ status: 'QUEUED', attempts: 0, to: '15550613002@s.whatsapp.net' });
  }
});

it('prunes finished sends and finished bulk jobs past SEND_QUEUE_RETENTION_DAYS, never what still waits', async () => {
  const db = a.ctx.db;
  const { id: sessionRowId, userId } = await db
    .selectFrom('Session')
    .select(['id', 'userId'])
    .where('sessionId', '=', 'racing')
    .executeTakeFirstOrThrow();
  const row = (status: 'QUEUED' | 'SENT' | 'FAILED' | 'CANCELLED', bulkJobId: string | null = null) => ({
    id: newId(),
    sessionId: sessionRowId,
    userId,
    messageId: `3EB0${newId().slice(0, 18).toUpperCase()}`,
    request: JSON.stringify({ send: { to: '15550613002', type: 'text', text: status } }),
    paced: bulkJobId !== null,
    status,
    bulkJobId,
    bulkIndex: bulkJobId ? 0 : null,
  });
  const job = (id: string) => ({ id, sessionId: sessionRowId, userId, template: '{"type":"text","text":"x"}', total: 1 });
  await db
    .insertInto('SendBulkJob')
    .values([job('finishedjob'), job('waitingjob')])
    .execute();
  const finished = [row('SENT'), row('FAILED'), row('CANCELLED')];
  await db
    .insertInto('SendQueue')
    .values([...finished, row('SENT', 'finishedjob'), row('QUEUED', 'waitingjob')])
    .execute();
  const remaining = async () => ({
    sends: (await db.selectFrom('SendQueue').select('status').execute()).length,
    jobs: (await db.selectFrom('SendBulkJob').select('id').orderBy('id').execute()).map((j) => j.id),
  });
  const before = await remaining();

  // Nothing is old enough yet.
  expect(await a.ctx.sending.pruner.prune(new Date())).toBe(0);
  expect(await remaining()).toEqual(before);

  // Eight days on (retention 7): the finished single sends and the finished job go; the waiting send and job stay.
  const deleted = await a.ctx.sending.pruner.prune(new Date(Date.now() + 8 * 86_400_000));
  expect(deleted).toBe(finished.length + 1);
  expect(await remaining()).toEqual({ sends: before.sends - finished.length - 1, jobs: ['waitingjob'] });
  expect(await db.selectFrom('SendQueue').select('id').where('idempotencyKey', '=', 'two-gateways').execute()).toHaveLength(1);
});
