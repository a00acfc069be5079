import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { request } from 'undici';
import { phoneJid, startConnectedWorld, storedMessage, type ConnectedWorld } from '../helpers/whatsapp';

const ME = '15550007001';
const CARA = '15550007002';
const PNG = readFileSync(path.join(__dirname, '../fixtures/tiny.png'));
/** MEDIA_MAX_BYTES of this gateway. */
const MAX_BYTES = 4096;

let world: ConnectedWorld;
/** A server on the gateway's own host that a crafted message points at; it must never hear from the gateway. */
let bait: Server;
let baitPort: number;
let baitConnections = 0;
let baitRequests = 0;

beforeAll(async () => {
  world = await startConnectedWorld(
    'media_download_guard',
    { me: ME, contacts: { [CARA]: 'Cara' } },
    { MEDIA_MAX_BYTES: String(MAX_BYTES) },
  );
  bait = createServer((_request, res) => {
    baitRequests += 1;
    res.end('internal secret');
  });
  bait.on('connection', () => {
    baitConnections += 1;
  });
  await new Promise<void>((resolve) => bait.listen(0, '127.0.0.1', resolve));
  baitPort = (bait.address() as AddressInfo).port;
});

afterAll(async () => {
  if (bait) {
    bait.closeAllConnections();
    await new Promise((resolve) => bait.close(resolve));
  }
  await world?.close();
});

async function download(messageId: string) {
  const response = await request(`${world.gateway.api.baseUrl}/api/v1/sessions/me/messages/${messageId}/media`, {
    headers: { authorization: `Bearer ${world.key}` },
  });
  const bytes = Buffer.from(await response.body.arrayBuffer());
  return { status: response.statusCode, headers: response.headers, bytes };
}

/** Cara's own WhatsApp client sends an image message whose media fields she wrote herself. */
async function craftedImage(media: { url?: string; directPath?: string; mediaKey?: Uint8Array; fileLength?: number }): Promise<string> {
  const socket = world.sim.hostedSocket(CARA)!;
  const messageId = `3EB0${randomBytes(8).toString('hex').toUpperCase()}`;
  await socket.relayMessage(
    phoneJid(ME),
    {
      imageMessage: {
        mediaKey: randomBytes(32),
        fileLength: PNG.length,
        ...media,
        mimetype: 'image/png',
        fileSha256: randomBytes(32),
        fileEncSha256: randomBytes(32),
        mediaKeyTimestamp: Math.floor(Date.now() / 1000),
      },
    },
    { messageId },
  );
  await storedMessage(world.gateway, world.sessionRowId, messageId);
  return messageId;
}

it('downloads only from WhatsApp’s media hosts: a message pointing at an internal address gets a clear error and nothing is fetched', async () => {
  // A real image downloads, so the refusals below are not a broken download path.
  const { id: genuine } = await world.sim.send(CARA, { to: ME, image: PNG.toString('base64'), mimetype: 'image/png' });
  await storedMessage(world.gateway, world.sessionRowId, genuine);
  const ok = await download(genuine);
  expect(ok.status).toBe(200);
  expect(ok.bytes.equals(PNG)).toBe(true);

  const internal = `http://127.0.0.1:${baitPort}/internal/secret`;

  // Its URL names the internal server, its directPath is made up: only the path is tried, on WhatsApp's media host.
  const withPath = await download(await craftedImage({ url: internal, directPath: '/v/t62.7118-24/bogus.enc' }));
  expect(withPath.status).toBe(502);
  expect(JSON.parse(withPath.bytes.toString()).message).toBe(
    `The media could not be downloaded: WhatsApp's media server answered HTTP 404; the media may have expired ` +
      `(the message named 127.0.0.1:${baitPort} as its media host, which is not an allowed one, so 127.0.0.1:${world.sim.mediaPort} was asked)`,
  );

  // Only a URL: nothing to rebuild, so nothing is fetched.
  const urlOnly = await download(await craftedImage({ url: internal }));
  expect(urlOnly.status).toBe(422);
  expect(JSON.parse(urlOnly.bytes.toString()).message).toBe(
    `The message\u2019s media URL points at 127.0.0.1:${baitPort}, which is not a WhatsApp media host (WHATSAPP_MEDIA_HOSTS); nothing was downloaded`,
  );

  // https on the right address but another port, and a path that tries to move the authority.
  for (const media of [
    { url: `https://127.0.0.1:${baitPort}/internal/secret` },
    { directPath: `@127.0.0.1:${baitPort}/internal/secret` },
    { directPath: `:${baitPort}/internal/secret` },
  ]) {
    const refused = await download(await craftedImage(media));
    expect({ media, status: refused.status }).toEqual({ media, status: 422 });
    expect(JSON.parse(refused.bytes.toString()).message).toMatch(/nothing was downloaded$/);
  }

  expect({ connections: baitConnections, requests: baitRequests }).toEqual({ connections: 0, requests: 0 });
});

it('serves media with nosniff, and as an attachment unless it is a plain image, audio or video type', async () => {
  const { id: png } = await world.sim.send(CARA, { to: ME, image: PNG.toString('base64'), mimetype: 'image/png' });
  await storedMessage(world.gateway, world.sessionRowId, png);
  const inline = await download(png);
  expect(inline.status).toBe(200);
  expect(inline.headers['x-content-type-options']).toBe('nosniff');
  expect(inline.headers['content-type']).toBe('image/png');
  expect(inline.headers['content-disposition']).toBeUndefined();

  const page = Buffer.from('<script>alert(document.cookie)</script>');
  for (const mimetype of ['text/html', 'image/svg+xml', 'text/html\r\nx-injected: 1']) {
    const { id } = await world.sim.send(CARA, { to: ME, image: page.toString('base64'), mimetype });
    await storedMessage(world.gateway, world.sessionRowId, id);
    const saved = await download(id);
    expect(saved.status).toBe(200);
    expect(saved.headers['x-content-type-options']).toBe('nosniff');
    expect(saved.headers['content-disposition']).toBe(`attachment; filename="file"; filename*=UTF-8''file`);
    expect(saved.headers['content-type']).toBe(mimetype.includes('\r') ? 'application/octet-stream' : mimetype);
    expect(saved.headers['x-injected']).toBeUndefined();
    expect(saved.bytes.equals(page)).toBe(true);
  }
});

it('keeps to MEDIA_MAX_BYTES: refuses media announced larger, and media whose server says it is larger', async () => {
  const big = randomBytes(MAX_BYTES * 3);
  const { id: announced } = await world.sim.send(CARA, { to: ME, image: big.toString('base64'), mimetype: 'image/png' });
  const stored = await storedMessage(world.gateway, world.sessionRowId, announced);
  const refused = await download(announced);
  expect(refused.status).toBe(422);
  expect(JSON.parse(refused.bytes.toString()).message).toBe(
    `The media is ${big.length} bytes, larger than the limit of ${MAX_BYTES} bytes (MEDIA_MAX_BYTES); nothing was downloaded`,
  );

  // The same media, its size understated by the sender: the media server's Content-Length gives it away before anything is sent.
  const image = (typeof stored.content === 'string' ? JSON.parse(stored.content) : stored.content).imageMessage;
  const understated = await download(
    await craftedImage({ url: image.url, directPath: image.directPath, mediaKey: Buffer.from(image.mediaKey, 'base64'), fileLength: 100 }),
  );
  expect(understated.status).toBe(502);
  expect(JSON.parse(understated.bytes.toString()).message).toBe(
    `The media could not be downloaded: the media is larger than the limit of ${MAX_BYTES} bytes (MEDIA_MAX_BYTES)`,
  );
});
