import { randomBytes } from 'node:crypto';
import https from 'node:https';
import { downloadMediaMessage } from '@whiskeysockets/baileys';
import type { TestClient } from './client';
import { useSimulator } from './fixtures';

const ALICE = '15550004001';
const BOB = '15550004002';
const pn = (phone: string) => `${phone}@s.whatsapp.net`;

describe('media', () => {
  const env = useSimulator();
  let alice: TestClient;

  beforeAll(async () => {
    await Promise.all([env.sim.createAccount(ALICE, 'Alice'), env.sim.createAccount(BOB, 'Bob')]);
    alice = await env.link(ALICE);
  });

  test('media_conn points at the simulator’s HTTPS media host', async () => {
    const conn = await alice.sock.refreshMediaConn(true);
    expect(conn.hosts[0]!.hostname).toBe(`127.0.0.1:${env.sim.mediaPort}`);
    expect(conn.auth).toBeTruthy();
  });

  test('an image uploaded by a client downloads byte-identical on the peer', async () => {
    const bytes = randomBytes(50_000);
    const sent = (await alice.sock.sendMessage(pn(BOB), { image: bytes, caption: 'a picture', mimetype: 'image/jpeg' }))!;
    expect(sent.message?.imageMessage?.url).toMatch(new RegExp(`^https://127\\.0\\.0\\.1:${env.sim.mediaPort}/`));
    const entry = await env.sim.waitForInbox(BOB, (e) => e.id === sent.key.id);
    expect(entry).toMatchObject({ type: 'image', caption: 'a picture', mimetype: 'image/jpeg', hasMedia: true, fileLength: bytes.length });
    const downloaded = await env.sim.inboxMedia(BOB, entry.id);
    expect(downloaded.bytes.equals(bytes)).toBe(true);
  });

  test('a document sent by the account’s device downloads byte-identical on a client (trusting the simulator CA)', async () => {
    const bytes = randomBytes(120_000);
    const { id } = await env.sim.send(BOB, {
      to: ALICE,
      document: bytes.toString('base64'),
      mimetype: 'application/pdf',
      fileName: 'report.pdf',
      caption: 'the report',
    });
    const message = await alice.waitForMessage((m) => m.key.id === id);
    expect(message.message?.documentMessage).toMatchObject({ fileName: 'report.pdf', mimetype: 'application/pdf', caption: 'the report' });
    const downloaded = (await downloadMediaMessage(message, 'buffer', {})) as Buffer;
    expect(downloaded.equals(bytes)).toBe(true);
  });

  test('uploads need the media_conn auth token; unknown paths are 404', async () => {
    const post = (path: string) =>
      new Promise<number>((resolve, reject) => {
        const req = https.request({ host: '127.0.0.1', port: env.sim.mediaPort, path, method: 'POST' }, (res) => {
          res.resume();
          resolve(res.statusCode!);
        });
        req.on('error', reject);
        req.end('x');
      });
    expect(await post('/mms/image/abc?auth=wrong&token=abc')).toBe(401);
    const missing = await new Promise<number>((resolve, reject) =>
      https
        .get({ host: '127.0.0.1', port: env.sim.mediaPort, path: '/v/t62.image/none.enc' }, (res) => {
          res.resume();
          resolve(res.statusCode!);
        })
        .on('error', reject),
    );
    expect(missing).toBe(404);
  });
});
