import Fastify from 'fastify';
import { validatorCompiler } from '../../server/src/http/validation';
import { startGateway, type TestGateway } from '../helpers/gateway';

/*
 * Issue 10, "Found by sending malformed requests to every route": bodies that are not JSON objects are
 * a 400 on every route, whatever the shape of the route's body schema.
 */

let gateway: TestGateway;
let key: string;

beforeAll(async () => {
  gateway = await startGateway('malformed');
  key = (await gateway.createUser('mal@test.local')).key;
});
afterAll(async () => {
  await gateway?.close();
});

/** Raw payloads that are not JSON objects, with the content type they are sent as (none: no body at all). */
const NOT_OBJECTS: [label: string, payload: string | undefined, contentType: string][] = [
  ['no body', undefined, 'application/json'],
  ['null', 'null', 'application/json'],
  ['an array', '[]', 'application/json'],
  ['an array of a valid body', '[{"to":"15550001234","type":"text","text":"hi"}]', 'application/json'],
  ['a string', '"hello"', 'application/json'],
  ['a number', '42', 'application/json'],
  ['true', 'true', 'application/json'],
  ['JSON as text/plain', '{"to":"15550001234","type":"text","text":"hi"}', 'text/plain'],
];

const send = (path: string, payload: string | undefined, contentType = 'application/json') =>
  gateway.api.post(path, payload === undefined ? { key } : { key, body: payload, headers: { 'content-type': contentType } });

it.each(NOT_OBJECTS)('POST /sessions/:sessionId/messages with %s is a 400, not a 500', async (_label, payload, contentType) => {
  const res = await send('/api/v1/sessions/nobody/messages', payload, contentType);
  expect(res.status).toBe(400);
  expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request', message: expect.stringMatching(/^body must be a JSON object/) });
});

const CHAT_ACTIONS = ['read', 'archive', 'unarchive', 'pin', 'unpin', 'mute', 'unmute'];

it.each(CHAT_ACTIONS)('POST …/chats/:jid/%s with a JSON null body is a 400; no body at all stays allowed', async (action) => {
  const path = `/api/v1/sessions/nobody/chats/15550001234/${action}`;
  const nullBody = await send(path, 'null');
  expect(nullBody.status).toBe(400);
  expect(nullBody.body.message).toMatch(/^body must be a JSON object/);
  for (const payload of ['[]', '"x"', '0', 'false']) expect((await send(path, payload)).status).toBe(400);
  // An absent body counts as {} on these routes: it passes validation and reaches the handler (unknown session: 404).
  expect((await send(path, undefined)).status).toBe(404);
  expect((await send(path, '{}')).status).toBe(404);
});

it('a null body is a 400 on routes with an ordinary object body too', async () => {
  for (const [path, payload] of [
    ['/api/v1/sessions', 'null'],
    ['/api/v1/webhooks', 'null'],
    ['/api/v1/sessions/nobody/presence', '[]'],
  ] as const) {
    const res = await send(path, payload);
    expect({ path, status: res.status }).toEqual({ path, status: 400 });
  }
});

it('every request body in the OpenAPI document is a JSON object schema', () => {
  const doc = gateway.app.swagger() as { paths: Record<string, Record<string, { requestBody?: any }>> };
  const bodies = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods)
      .filter(([, op]) => op.requestBody)
      .map(([method, op]) => ({ route: `${method.toUpperCase()} ${path}`, schema: op.requestBody.content['application/json'].schema })),
  );
  expect(bodies.length).toBeGreaterThan(20);
  for (const { route, schema } of bodies) expect({ route, type: schema.type }).toEqual({ route, type: 'object' });
});

it('a route whose body schema is not an object schema is refused when the app starts', async () => {
  for (const body of [{ type: 'string' }, { oneOf: [{ type: 'object' }, { type: 'null' }] }, { type: ['object', 'null'] }, {}]) {
    const app = Fastify();
    app.setValidatorCompiler(validatorCompiler());
    app.post('/x', { schema: { body } }, async () => ({}));
    await expect(app.ready()).rejects.toThrow(/body schema of POST \/x must be a JSON object schema/);
    await app.close();
  }
});
