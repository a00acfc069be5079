import pino from 'pino';
import { IngestQueue, type IngestFlowOptions, type IngestRetryOptions } from '../../server/src/whatsapp/ingest-queue';
import { SerialQueue } from '../../server/src/whatsapp/serial-queue';
import { eventually } from '../helpers/eventually';

/*
 * The queue between Baileys and the database on its own, with a "database" that refuses on command:
 * batches are never dropped, keep their order, and the owner hears when it is stuck and when it recovered.
 */

const RETRY: IngestRetryOptions = { baseDelayMs: 5, maxDelayMs: 40, failuresBeforeError: 3 };
const UNBOUNDED: IngestFlowOptions = { highWatermark: 1000, lowWatermark: 0 };

function world(retry = RETRY, flowOptions = UNBOUNDED) {
  const storage = new SerialQueue();
  const stored: string[] = [];
  const writes: string[][] = [];
  const attempts: number[] = [];
  const hooks: string[] = [];
  /** pause/resume requests, with the number of batches waiting when each was made */
  const flow: string[] = [];
  let refusing = false;
  const queue = new IngestQueue<string>(
    storage,
    { ...retry, ...flowOptions },
    {
      async write(batches) {
        attempts.push(Date.now());
        await new Promise((resolve) => setImmediate(resolve));
        if (refusing) throw new Error('INSERT command denied');
        writes.push([...batches]);
        stored.push(...batches);
      },
      stuck: (error) => hooks.push(`stuck: ${(error as Error).message}`),
      recovered: () => hooks.push('recovered'),
      pause: () => flow.push(`pause at ${queue.size}`),
      resume: () => flow.push(`resume at ${queue.size}`),
    },
    pino({ level: 'silent' }),
  );
  return {
    storage,
    queue,
    stored,
    writes,
    attempts,
    hooks,
    flow,
    refuse: (on: boolean) => void (refusing = on),
    push: (name: string, written?: () => void) => queue.push(async () => name, written),
  };
}

it('writes batches in arrival order, several prepared ones at a time, and says when each is written', async () => {
  const w = world();
  const written: string[] = [];
  let release!: () => void;
  const slow = new Promise<void>((resolve) => (release = resolve));
  w.queue.push(async () => (await slow, 'a'));
  for (const name of ['b', 'c', 'd']) w.push(name, () => written.push(name));
  release();
  await w.queue.drained();
  expect(w.stored).toEqual(['a', 'b', 'c', 'd']);
  expect(w.writes).toEqual([['a', 'b', 'c', 'd']]);
  expect(written).toEqual(['b', 'c', 'd']);
  expect(w.queue.size).toBe(0);
});

it('keeps a refused batch at the head, retries with capped backoff, reports ERROR once stuck and recovery once it is stored', async () => {
  const w = world();
  w.push('first');
  await w.queue.drained();
  w.refuse(true);
  w.push('one');
  w.push('two');
  // stuck from the third refusal on, once per refusal (the hook follows the refusal, so wait for it)
  await eventually(
    () => w.hooks.length,
    (n) => n >= 8,
    5_000,
    'eight stuck reports',
  );
  expect(w.attempts.length).toBeGreaterThanOrEqual(11);
  expect(w.stored).toEqual(['first']);
  expect(w.queue.size).toBe(2);
  expect(new Set(w.hooks)).toEqual(new Set(['stuck: INSERT command denied']));
  const gaps = w.attempts.slice(2).map((at, i) => at - w.attempts[i + 1]!);
  // Uncapped, the tenth retry would wait 5 · 2⁹ ms = 2.5 s; capped it waits about 40 ms (slack for a busy machine).
  expect(Math.max(...gaps)).toBeLessThan(RETRY.maxDelayMs + 400);

  let drained = false;
  const draining = w.queue.drained().then(() => (drained = true));
  w.push('three');
  // Two more refused attempts are two chances to drain wrongly.
  const attemptsSoFar = w.attempts.length;
  await eventually(
    () => w.attempts.length,
    (n) => n >= attemptsSoFar + 2,
    5_000,
    'two more refused attempts',
  );
  expect(drained).toBe(false);

  w.refuse(false);
  await draining;
  await w.queue.drained();
  expect(w.stored).toEqual(['first', 'one', 'two', 'three']);
  expect(w.hooks.filter((hook) => hook === 'recovered')).toHaveLength(1);
  expect(w.hooks.at(-1)).toBe('recovered');
});

it('lets the rest of the storage queue run while it waits to retry', async () => {
  const w = world({ ...RETRY, baseDelayMs: 400, maxDelayMs: 400 });
  w.refuse(true);
  w.push('held');
  await eventually(
    () => w.attempts.length,
    (n) => n >= 1,
  );
  const started = Date.now();
  await w.storage.run(async () => undefined);
  expect(Date.now() - started).toBeLessThan(150);
  w.refuse(false);
  await w.queue.drained();
  expect(w.stored).toEqual(['held']);
});

it('prepares a batch again when its preparation failed, instead of dropping it', async () => {
  const w = world();
  let preparations = 0;
  w.queue.push(async () => {
    preparations++;
    if (preparations <= 5) throw new Error('could not read the LID map');
    return 'prepared late';
  });
  w.push('behind');
  await w.queue.drained();
  expect(preparations).toBe(6);
  expect(w.stored).toEqual(['prepared late', 'behind']);
  expect(w.hooks).toEqual(['stuck: could not read the LID map', 'stuck: could not read the LID map', 'recovered']);
});

it('asks its source to pause from the high watermark on (for every batch still arriving) and to resume at the low one, dropping nothing', async () => {
  const w = world(RETRY, { highWatermark: 3, lowWatermark: 1 });
  w.refuse(true);
  for (const name of ['a', 'b']) w.push(name);
  expect(w.queue.paused).toBe(false);
  for (const name of ['c', 'd', 'e']) w.push(name);
  expect(w.flow).toEqual(['pause at 3', 'pause at 4', 'pause at 5']);
  expect(w.queue.paused).toBe(true);
  // refused writes keep it paused
  await eventually(
    () => w.attempts.length,
    (n) => n >= 3,
    5_000,
    'three refused attempts',
  );
  expect(w.flow).toHaveLength(3);

  w.refuse(false);
  await w.queue.drained();
  expect(w.stored).toEqual(['a', 'b', 'c', 'd', 'e']);
  expect(w.flow).toEqual(['pause at 3', 'pause at 4', 'pause at 5', 'resume at 0']);
  expect(w.queue.paused).toBe(false);
  w.push('f');
  await w.queue.drained();
  expect(w.flow).toHaveLength(4);
});

it('resumes only once writes bring the queue down to the low watermark', async () => {
  const w = world(RETRY, { highWatermark: 10, lowWatermark: 2 });
  let release!: () => void;
  const slow = new Promise<void>((resolve) => (release = resolve));
  // the head is prepared late: nothing behind it is written before it, so twelve wait
  w.queue.push(async () => (await slow, 'head'));
  for (let i = 1; i < 12; i++) w.push(`b${i}`);
  expect(w.flow.at(-1)).toBe('pause at 12');
  release();
  await w.queue.drained();
  // eight per write: 12 → 4 (still above 2, still paused) → 0 (resumed)
  expect(w.writes.map((batches) => batches.length)).toEqual([8, 4]);
  expect(w.flow.filter((entry) => entry.startsWith('resume'))).toEqual(['resume at 0']);
});
