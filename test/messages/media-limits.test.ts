import { readFileSync } from 'node:fs';
import path from 'node:path';
import { request } from 'undici';
import { eventually } from '../helpers/eventually';
import { startConnectedWorld, type ConnectedWorld } from '../helpers/whatsapp';
import { fakeMedia, startMediaServer, type MediaServer } from './media-server';
import { messageHelpers } from './message-world';

jest.setTimeout(120_000);

/*
 * What one request may cost: base64 media and the send body are capped well below URL media, and media
 * work (URL fetches for sends, downloads of stored media) is bounded per user and per process, with a short
 * wait and then a 429 (the user's own turns are taken) or a 503 (the process's are), never an endless wait.
 */

const ME = '15550603001';
const CARA = '15550603002';
const BASE64_MAX = 4096;
const MEDIA_MAX = 65536;
const WAIT_MS = 3000;
const PNG = readFileSync(path.join(__dirname, '../fixtures/tiny.png'));
const PDF = fakeMedia('pdf', 20_000);

let world: ConnectedWorld;
let media: MediaServer;
let other: { id: string; key: string };
let adminId: string;
const { send, received } = messageHelpers(() => world);
const messages = '/api/v1/sessions/me/messages';
const names = ['a1', 'a2', 'a3', 'a4', 'a5', 'b1', 'c1', 'x1', 'x2'];

beforeAll(async () => {
  world = await startConnectedWorld(
    'messages_limits',
    { me: ME, contacts: { [CARA]: 'Cara' } },
    {
      MEDIA_URL_ALLOW_PRIVATE: 'true',
      MEDIA_MAX_BYTES: String(MEDIA_MAX),
      MEDIA_BASE64_MAX_BYTES: String(BASE64_MAX),
      MEDIA_FETCH_TIMEOUT_MS: '20000',
      MEDIA_CONCURRENCY: '1',
      MEDIA_CONCURRENCY_PER_USER: '2',
      MEDIA_QUEUE_WAIT_MS: String(WAIT_MS),
    },
  );
  media = await startMediaServer({
    '/report.pdf': { body: PDF, type: 'application/pdf' },
    ...Object.fromEntries(names.map((name) => [`/${name}.pdf`, { body: PDF, type: 'application/pdf' }])),
  });
  // a second admin: another user, allowed to use the same session
  other = await world.gateway.createUser('other-admin@example.com', 'ADMIN');
  adminId = (await world.gateway.api.get('/api/v1/me', { key: world.key })).body.id;
});
afterAll(async () => {
  await media?.close();
  await world?.close();
});

const work = () => world.gateway.ctx.mediaWork;
/** A document send whose media URL answers only once the media server is released. */
const sendHeld = (name: string, key = world.key) => {
  const started = Date.now();
  return world.gateway.api
    .post(messages, { key, body: { to: CARA, type: 'document', url: media.url(`/held/${name}.pdf`) } })
    .then((response) => ({ ...response, tookMs: Date.now() - started }));
};
const fetched = (name: string) => media.hits.get(`/held/${name}.pdf`) ?? 0;

/** Holds the media server, then sends `running` (which takes the process's one turn) and `waiting` (which waits for it). */
async function takeTheProcess(running: string, waiting: string) {
  media.hold();
  const first = sendHeld(running);
  await eventually(
    () => fetched(running),
    (n) => n === 1,
    10_000,
    `${running} fetching`,
  );
  const second = sendHeld(waiting);
  await eventually(
    () => work().load(),
    (load) => load.running === 1 && load.waiting === 1,
    10_000,
    `${waiting} waiting for the process`,
  );
  return [first, second] as const;
}

describe('the send body', () => {
  it('caps base64 media at MEDIA_BASE64_MAX_BYTES and the body at what that needs, while URL media may be larger', async () => {
    const over = await send({ to: CARA, type: 'document', base64: Buffer.alloc(BASE64_MAX + 1, 1).toString('base64') });
    expect({ status: over.status, message: over.body.message }).toEqual({
      status: 413,
      message: `The media is larger than the limit of ${BASE64_MAX} bytes for base64 (MEDIA_BASE64_MAX_BYTES); send files up to ${MEDIA_MAX} bytes (MEDIA_MAX_BYTES) by url`,
    });

    const bodyLimit = Math.ceil(BASE64_MAX / 3) * 4 + 64 * 1024;
    const huge = await world.gateway.api.post(messages, {
      key: world.key,
      body: JSON.stringify({ to: CARA, type: 'document', base64: 'A'.repeat(bodyLimit) }),
    });
    expect({ status: huge.status, message: huge.body.message }).toEqual({
      status: 413,
      message:
        `The request body is larger than this route's limit of ${bodyLimit} bytes: base64 media up to ${BASE64_MAX} bytes ` +
        `(MEDIA_BASE64_MAX_BYTES); send larger files, up to ${MEDIA_MAX} bytes (MEDIA_MAX_BYTES), by url`,
    });

    const byUrl = await send({ to: CARA, type: 'document', url: media.url('/report.pdf') });
    expect(byUrl.status).toBe(201);
    const entry = await world.sim.waitForInbox(CARA, (e) => e.id === byUrl.body.messageId, 10_000);
    expect(entry).toMatchObject({ type: 'document', mimetype: 'application/pdf' });
  });
});

describe('media work', () => {
  it('runs MEDIA_CONCURRENCY_PER_USER of a user and MEDIA_CONCURRENCY in all, refuses beyond the waiting room, and never waits longer than MEDIA_QUEUE_WAIT_MS', async () => {
    const [a1, a2] = await takeTheProcess('a1', 'a2');

    // the process's one turn runs and one request waits for it: another user is refused at once
    const b1 = await sendHeld('b1', other.key);
    expect({ status: b1.status, retryAfter: b1.headers['retry-after'], message: b1.body.message }).toEqual({
      status: 503,
      retryAfter: String(WAIT_MS / 1000),
      message: expect.stringMatching(/busy with media: at most 1 media fetches and downloads run at once \(MEDIA_CONCURRENCY\)/),
    });
    expect(b1.tookMs).toBeLessThan(WAIT_MS);

    // the user's two turns are taken (a1 runs, a2 waits for the process) and two more wait for them: the next is refused at once
    const a3 = sendHeld('a3');
    const a4 = sendHeld('a4');
    await eventually(
      () => work().load(adminId),
      (load) => load.waiting === 2,
      10_000,
      'a3 and a4 waiting',
    );
    const a5 = await sendHeld('a5');
    expect({ status: a5.status, retryAfter: a5.headers['retry-after'], message: a5.body.message }).toEqual({
      status: 429,
      retryAfter: String(WAIT_MS / 1000),
      message: expect.stringMatching(/at most 2 media fetches and downloads run per user \(MEDIA_CONCURRENCY_PER_USER\)/),
    });
    expect(a5.tookMs).toBeLessThan(WAIT_MS);

    // those waiting give up after MEDIA_QUEUE_WAIT_MS: a2 waited for the process; a3 and a4 for the user's turns,
    // then (once a2 gave its up) for the process's, whichever they were still waiting for when their time ran out
    const waited = await Promise.all([a2, a3, a4]);
    expect(waited[0]!.status).toBe(503);
    for (const response of waited) expect([429, 503]).toContain(response.status);
    for (const response of waited) expect(response.tookMs).toBeGreaterThanOrEqual(WAIT_MS - 100);
    for (const response of waited) expect(response.tookMs).toBeLessThan(WAIT_MS + 5000);
    // refused requests are over: none of them fetched anything
    expect(['a2', 'a3', 'a4', 'a5', 'b1'].map(fetched)).toEqual([0, 0, 0, 0, 0]);

    media.release();
    expect((await a1).status).toBe(201);
    await eventually(
      () => work().load(),
      (load) => load.running === 0 && load.waiting === 0,
      5000,
      'every turn given back',
    );
    expect(work().load(adminId)).toEqual({ running: 0, waiting: 0 });
    expect((await sendHeld('c1', other.key)).status).toBe(201);
  });

  it('counts downloads of stored media too, until the response is sent', async () => {
    const incoming = await received(CARA, { to: ME, image: PNG.toString('base64'), mimetype: 'image/png' });
    const download = async (key: string) => {
      const response = await request(`${world.gateway.api.baseUrl}${messages}/${incoming}/media`, {
        headers: { authorization: `Bearer ${key}` },
      });
      const bytes = Buffer.from(await response.body.arrayBuffer());
      return { status: response.statusCode, retryAfter: response.headers['retry-after'], bytes };
    };

    const [x1, x2] = await takeTheProcess('x1', 'x2');
    const refused = await download(other.key);
    expect({ status: refused.status, retryAfter: refused.retryAfter }).toEqual({ status: 503, retryAfter: String(WAIT_MS / 1000) });

    media.release();
    expect((await x1).status).toBe(201);
    expect((await x2).status).toBe(201);
    const served = await download(other.key);
    expect(served.status).toBe(200);
    expect(served.bytes.equals(PNG)).toBe(true);
    await eventually(
      () => work().load(),
      (load) => load.running === 0 && load.waiting === 0,
      5000,
      'the download turn given back',
    );
  });
});
