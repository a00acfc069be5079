import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { createDb, parseDatabaseUrl } from '../../server/src/db/connection';
import type { Db } from '../../server/src/db/database';
import { newId } from '../../server/src/db/ids';
import { insertSession } from '../../server/src/whatsapp/store/session-repository';
import { testDatabase } from '../helpers/database';
import { runCli } from './cli-process';

jest.setTimeout(120_000);

const database = testDatabase('cli_data');
let db: Db;
let scratch: string;
const DAY = 86_400_000;
const now = Date.now();
const CHAT_A = '4915100000001@s.whatsapp.net';
const CHAT_B = '4915100000002@s.whatsapp.net';
/** More than one export page (500), in two chats, one message a minute back from now. */
const MESSAGES = 1203;

const run = (args: string[]) => runCli(database.url, args);
const insertUser = async (email: string) => {
  const id = newId();
  await db
    .insertInto('User')
    .values({ id, email, name: null, password: 'x', apiKey: randomBytes(32).toString('hex') })
    .execute();
  return id;
};
const ids = async (table: 'WebhookDelivery' | 'ApiUsage' | 'WebhookDeliveryAttempt') =>
  (await db.selectFrom(table).select('id').orderBy('id').execute()).map((row) => row.id);

let anaSessionRowId: string;
const deliveries: Record<string, string> = {};
const usage: Record<string, string> = {};

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'cli-data-'));
  expect((await run(['migrate'])).code).toBe(0);
  db = createDb(parseDatabaseUrl(database.url), 2);
  const ana = await insertUser('ana@test.local');
  const bo = await insertUser('bo@test.local');
  await insertUser('cy@test.local');
  anaSessionRowId = (await insertSession(db, { sessionId: 'ana-phone', userId: ana, name: 'Ana phone', phoneNumber: '4915100000009' })).id;
  await insertSession(db, { sessionId: 'bo-phone', userId: bo });

  const messages = Array.from({ length: MESSAGES }, (_, i) => ({
    id: newId(),
    messageId: `MSG${String(i).padStart(5, '0')}`,
    chatId: i % 3 === 0 ? CHAT_B : CHAT_A,
    fromMe: i % 2 === 0,
    fromJid: null,
    toJid: i % 3 === 0 ? CHAT_B : CHAT_A,
    messageType: 'TEXT' as const,
    content: JSON.stringify({ conversation: `message ${i} "quoted" and\nnewline` }),
    timestamp: new Date(now - i * 60_000),
    quotedMessage: null,
    metadata: null,
    sessionId: anaSessionRowId,
  }));
  for (let i = 0; i < messages.length; i += 400)
    await db
      .insertInto('Message')
      .values(messages.slice(i, i + 400))
      .execute();

  const webhookId = newId();
  await db
    .insertInto('Webhook')
    .values({ id: webhookId, url: 'https://example.com/hook', event: '*', secret: null, userId: ana })
    .execute();
  const delivery = async (label: string, status: 'SUCCESS' | 'FAILED' | 'PENDING' | 'RETRYING', ageDays: number) => {
    const id = newId();
    await db
      .insertInto('WebhookDelivery')
      .values({ id, event: 'message.received', payload: '{}', status, attempts: 1, webhookId })
      .execute();
    await sql`UPDATE WebhookDelivery SET createdAt = ${new Date(now - ageDays * DAY)} WHERE id = ${id}`.execute(db);
    await db
      .insertInto('WebhookDeliveryAttempt')
      .values({
        id: newId(),
        deliveryId: id,
        attempt: 1,
        startedAt: new Date(),
        durationMs: 5,
        statusCode: 200,
        error: null,
        response: null,
        requestHeaders: '{}',
      })
      .execute();
    deliveries[label] = id;
  };
  await delivery('oldSuccess', 'SUCCESS', 10);
  await delivery('oldFailed', 'FAILED', 9);
  await delivery('oldRetrying', 'RETRYING', 10);
  await delivery('newSuccess', 'SUCCESS', 1);
  for (const [label, ageDays] of [
    ['old1', 40],
    ['old2', 31],
    ['old3', 35],
    ['new', 2],
  ] as const) {
    usage[label] = newId();
    await db
      .insertInto('ApiUsage')
      .values({
        id: usage[label],
        endpoint: '/api/v1/me',
        method: 'GET',
        status: 200,
        duration: 3,
        userId: ana,
        timestamp: new Date(now - ageDays * DAY),
      })
      .execute();
  }
});
afterAll(async () => {
  await db?.destroy();
  await database.drop();
  await rm(scratch, { recursive: true, force: true });
});

describe('sessions list', () => {
  it('prints a table of every session with its user, status and phone', async () => {
    const result = await run(['sessions', 'list']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const [header, ...lines] = result.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^SESSION\s+NAME\s+USER\s+STATUS\s+PHONE\s+ACTIVE\s+LAST SEEN\s+CREATED$/);
    expect(lines).toHaveLength(2);
    expect(lines.find((line) => line.startsWith('ana-phone'))).toMatch(
      /^ana-phone\s+Ana phone\s+ana@test\.local\s+DISCONNECTED\s+4915100000009\s+yes\s+\d{4}-/,
    );
    expect(lines.find((line) => line.startsWith('bo-phone'))).toMatch(/bo@test\.local/);
  });

  it('--json gives the same sessions as data; --user filters by email or id', async () => {
    const json = await run(['sessions', 'list', '--json']);
    expect(json.code).toBe(0);
    const all = JSON.parse(json.stdout);
    expect(all.map((s: { sessionId: string }) => s.sessionId).sort()).toEqual(['ana-phone', 'bo-phone']);
    expect(all.find((s: { sessionId: string }) => s.sessionId === 'ana-phone')).toMatchObject({
      name: 'Ana phone',
      userEmail: 'ana@test.local',
      status: 'DISCONNECTED',
      phoneNumber: '4915100000009',
      isActive: true,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    const bo = JSON.parse((await run(['sessions', 'list', '--user', 'BO@test.local', '--json'])).stdout);
    expect(bo.map((s: { sessionId: string }) => s.sessionId)).toEqual(['bo-phone']);
    const byId = JSON.parse((await run(['sessions', 'list', '--json', '--user', all[0].userId])).stdout);
    expect(byId.map((s: { sessionId: string }) => s.sessionId)).toEqual([all[0].sessionId]);
    expect((await run(['sessions', 'list', '--user', 'cy@test.local'])).stdout).toBe('No sessions.\n');
    const unknown = await run(['sessions', 'list', '--user', 'zed@test.local']);
    expect(unknown).toMatchObject({ code: 1, stdout: '' });
    expect(unknown.stderr).toMatch(/No user has the id or email zed@test\.local/);
  });
});

describe('prune', () => {
  it('--dry-run counts what it would delete and deletes nothing', async () => {
    const before = { deliveries: await ids('WebhookDelivery'), usage: await ids('ApiUsage') };
    const result = await run(['prune', '--deliveries-days', '7', '--usage-days', '30', '--dry-run']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(
      /^2 finished webhook deliveries from before \S+ would be deleted \(dry run\)\n3 ApiUsage rows from before \S+ would be deleted \(dry run\)\n$/,
    );
    expect({ deliveries: await ids('WebhookDelivery'), usage: await ids('ApiUsage') }).toEqual(before);
  });

  it('deletes finished deliveries (with their attempts) and usage rows past the age, keeping unfinished and newer ones', async () => {
    const onlyUsage = await run(['prune', '--usage-days', '32.5']);
    expect(onlyUsage.stdout).toMatch(/^2 ApiUsage rows from before \S+ deleted\n$/);
    expect(await ids('ApiUsage')).toEqual([usage.old2, usage.new].sort());
    expect(await ids('WebhookDelivery')).toHaveLength(4);

    const result = await run(['prune', '--deliveries-days', '7', '--usage-days', '30']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^2 finished webhook deliveries from before \S+ deleted\n1 ApiUsage rows from before \S+ deleted\n$/);
    expect(await ids('WebhookDelivery')).toEqual([deliveries.oldRetrying, deliveries.newSuccess].sort());
    expect(await ids('WebhookDeliveryAttempt')).toHaveLength(2);
    expect(await ids('ApiUsage')).toEqual([usage.new]);
  });
});

describe('messages export', () => {
  const parseLines = (text: string) =>
    text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));

  it("streams every stored message of the session as JSON lines, oldest first, in the API's shape", async () => {
    const result = await run(['messages', 'export', 'ana-phone']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(`Exported ${MESSAGES} messages of session ana-phone\n`);
    const messages = parseLines(result.stdout);
    expect(messages).toHaveLength(MESSAGES);
    // MSG00000 is the newest (one message a minute back from now).
    expect(messages.map((m) => m.messageId)).toEqual(
      Array.from({ length: MESSAGES }, (_, i) => `MSG${String(MESSAGES - 1 - i).padStart(5, '0')}`),
    );
    expect(messages[MESSAGES - 1 - 5]).toEqual({
      id: expect.any(String),
      messageId: 'MSG00005',
      chatId: CHAT_A,
      fromMe: false,
      fromJid: null,
      toJid: CHAT_A,
      messageType: 'TEXT',
      content: { conversation: 'message 5 "quoted" and\nnewline' },
      status: 'PENDING',
      timestamp: new Date(now - 5 * 60_000).toISOString(),
      quotedMessage: null,
      metadata: null,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
  });

  it('--chat and --since narrow it; --out writes a file only its owner can read', async () => {
    const chat = parseLines((await run(['messages', 'export', 'ana-phone', '--chat', CHAT_B])).stdout);
    expect(chat).toHaveLength(Math.ceil(MESSAGES / 3));
    expect(new Set(chat.map((m) => m.chatId))).toEqual(new Set([CHAT_B]));

    const since = new Date(now - 100.5 * 60_000).toISOString();
    const recent = parseLines((await run(['messages', 'export', 'ana-phone', '--since', since])).stdout);
    expect(recent.map((m) => m.messageId)).toEqual(Array.from({ length: 101 }, (_, i) => `MSG${String(100 - i).padStart(5, '0')}`));

    const file = path.join(scratch, 'export.jsonl');
    const toFile = await run(['messages', 'export', 'ana-phone', '--chat', CHAT_B, '--since', since, '--out', file]);
    expect(toFile).toMatchObject({ code: 0, stdout: '' });
    expect(toFile.stderr).toBe(`Exported 34 messages of session ana-phone to ${file}\n`);
    const written = parseLines(await readFile(file, 'utf8'));
    expect(written.map((m) => m.messageId)).toEqual(recent.filter((m) => m.chatId === CHAT_B).map((m) => m.messageId));
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('an unknown session or an unwritable file is a failure (exit 1); a session without messages exports nothing', async () => {
    const unknown = await run(['messages', 'export', 'nobody-phone']);
    expect(unknown).toMatchObject({ code: 1, stdout: '' });
    expect(unknown.stderr).toMatch(/No session nobody-phone/);
    const unwritable = await run(['messages', 'export', 'ana-phone', '--out', path.join(scratch, 'no', 'such', 'dir.jsonl')]);
    expect(unwritable.code).toBe(1);
    expect(unwritable.stderr).toMatch(/Cannot write .*dir\.jsonl/);
    const empty = await run(['messages', 'export', 'bo-phone']);
    expect(empty).toMatchObject({ code: 0, stdout: '', stderr: 'Exported 0 messages of session bo-phone\n' });
  });
});
