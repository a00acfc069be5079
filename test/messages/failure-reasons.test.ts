import { Boom } from '@hapi/boom';
import Fastify, { type FastifyInstance } from 'fastify';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { HttpError, errorHandling } from '../../server/src/http/errors';
import { toHttpError } from '../../server/src/http/whatsapp-errors';
import { startConnectedWorld, storedMessage, type ConnectedWorld } from '../helpers/whatsapp';
import { json } from './message-world';

jest.setTimeout(60_000);

/*
 * A 502/503/504 the gateway answers on purpose explains itself (WhatsApp's reason); only unexpected
 * failures (500) hide their cause behind "Internal Server Error".
 */

describe('the error handler', () => {
  let app: FastifyInstance;
  const failures: Record<string, () => unknown> = {
    // what Baileys throws when WhatsApp does not answer a query, and when it answers with an error code
    timeout: () => toHttpError(new Boom('Timed Out', { statusCode: 408 })),
    refused: () => toHttpError(new Boom('internal-server-error', { data: 500 })),
    broken: () => toHttpError(new Boom('Connection Failure', { statusCode: 500 })),
    unavailable: () => new HttpError(503, 'The media store is unavailable'),
    bug: () => new Error('ER_NO_SUCH_TABLE: secret detail'),
    statusCodeOnly: () => Object.assign(new Error('the upstream went away'), { statusCode: 502 }),
  };

  beforeAll(async () => {
    app = Fastify();
    await app.register(errorHandling);
    for (const [name, failure] of Object.entries(failures)) {
      app.get(`/${name}`, async () => {
        throw failure();
      });
    }
    await app.ready();
  });
  afterAll(() => app.close());

  it.each([
    ['timeout', 504, 'Gateway Timeout', 'WhatsApp did not answer in time'],
    ['refused', 502, 'Bad Gateway', 'WhatsApp refused the request: internal-server-error (500)'],
    ['broken', 502, 'Bad Gateway', 'WhatsApp error: Connection Failure'],
    ['unavailable', 503, 'Service Unavailable', 'The media store is unavailable'],
    ['statusCodeOnly', 502, 'Bad Gateway', 'the upstream went away'],
    ['bug', 500, 'Internal Server Error', 'Internal Server Error'],
  ])('%s → %i %s: "%s"', async (name, statusCode, error, message) => {
    const response = await app.inject({ method: 'GET', url: `/${name}` });
    expect({ status: response.statusCode, body: response.json() }).toEqual({ status: statusCode, body: { statusCode, error, message } });
  });
});

describe('through the API', () => {
  const ME = '15550609001';
  const CARA = '15550609002';
  let world: ConnectedWorld;

  beforeAll(async () => {
    world = await startConnectedWorld('failure_reasons', { me: ME, contacts: { [CARA]: 'Cara' } });
  });
  afterAll(() => world?.close());

  it('answers 502 with the media server’s reason when WhatsApp no longer has a message’s media', async () => {
    const png = readFileSync(path.join(__dirname, '../fixtures/tiny.png'));
    const { id } = await world.sim.send(CARA, { to: ME, image: png.toString('base64'), mimetype: 'image/png' });
    const row = await storedMessage(world.gateway, world.sessionRowId, id);
    const content = json(row.content)!;
    const gone = (address: string) => address.replace(/\/([^/?]+)(\?|$)/, '/expired-$1$2');
    content.imageMessage.url = gone(content.imageMessage.url);
    content.imageMessage.directPath = gone(content.imageMessage.directPath);
    await world.gateway.ctx.db
      .updateTable('Message')
      .set({ content: JSON.stringify(content) })
      .where('id', '=', row.id)
      .execute();

    const response = await world.gateway.api.get(`/api/v1/sessions/me/messages/${id}/media`, { key: world.key });
    expect({ status: response.status, body: response.body }).toEqual({
      status: 502,
      body: {
        statusCode: 502,
        error: 'Bad Gateway',
        message: "The media could not be downloaded: WhatsApp's media server answered HTTP 404; the media may have expired",
      },
    });
  });
});
