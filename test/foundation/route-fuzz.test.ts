import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import { sql } from 'kysely';
import { startGateway, type TestGateway } from '../helpers/gateway';
import { eventually } from '../helpers/eventually';

/*
 * Property-based fuzzing of every route, with arbitraries derived from the OpenAPI document the server
 * generates: missing, empty, wrong-typed, oversized and unicode bodies, params and queries, sent as the
 * owner of the resources they name and as another user. For every request:
 *   - no 5xx;
 *   - no 2xx for input the route's schema forbids (judged here with an independent Ajv over the
 *     document's schemas, plus the gateway's rule that every body is a JSON object);
 *   - another user's session/webhook/delivery ids answer 404 (never a 2xx, never a 409 that leaks them);
 *   - a rejected request (4xx) changes no row (CHECKSUM TABLE of every table but ApiUsage, which meters
 *     every request by design, and GatewayProcess, which the process's heartbeat rewrites on a clock).
 * Requests the schema allows that would change the owner's own data (create, rotate, delete, connect…)
 * are not sent: they are the feature suites' business, and some need a live WhatsApp. Everything else is.
 * Deterministic: a fixed seed per route and few runs, so the whole file stays well under a minute.
 */

jest.setTimeout(120_000);

const SEED = 20261127;
const RUNS_PER_ROUTE = 25;

interface Parameter {
  in: 'path' | 'query' | 'header';
  name: string;
  required?: boolean;
  schema: Record<string, any>;
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: Record<string, any> }> };
}
interface Route {
  method: string;
  path: string;
  params: Parameter[];
  query: Parameter[];
  body: Record<string, any> | undefined;
}

let gateway: TestGateway;
let routes: Route[] = [];
const keys: { owner: string; other: string } = { owner: '', other: '' };
/** The owner's resources, by the name of the path parameter that names them (see fixtureFor). */
const owned = { sessionId: 'fz-owner-session', userId: '', webhookId: '', deliveryId: '' };
let tables: string[] = [];

async function checksum(): Promise<string> {
  const list = sql.raw(tables.map((t) => `\`${t}\``).join(', '));
  const result = await sql<{ Table: string; Checksum: string | number | null }>`CHECKSUM TABLE ${list}`.execute(gateway.ctx.db);
  return result.rows.map((row) => `${row.Table}=${row.Checksum}`).join(';');
}

beforeAll(async () => {
  gateway = await startGateway('route_fuzz', {
    // Nothing may write in the background between the checksums of a request: no WhatsApp to reach
    // (and no retry within the test), no dispatcher, status written at once.
    WHATSAPP_WS_URL: 'ws://127.0.0.1:9/ws/chat',
    RECONNECT_BASE_DELAY_MS: '3600000',
    RECONNECT_MAX_DELAY_MS: '3600000',
    SESSION_STATUS_MIN_INTERVAL_MS: '0',
    WEBHOOK_DISPATCH: 'false',
    WEBHOOK_ALLOW_PRIVATE: 'true',
  });
  const owner = await gateway.createUser('fuzz-owner@test.local');
  const other = await gateway.createUser('fuzz-other@test.local');
  keys.owner = owner.key;
  keys.other = other.key;
  owned.userId = owner.id;

  const api = gateway.api;
  expect((await api.post('/api/v1/sessions', { key: owner.key, body: { sessionId: owned.sessionId } })).status).toBe(201);
  // Off, so it never reconnects while the checksums are taken.
  expect((await api.patch(`/api/v1/sessions/${owned.sessionId}`, { key: owner.key, body: { isActive: false } })).status).toBe(200);
  const webhook = await api.post('/api/v1/webhooks', {
    key: owner.key,
    body: { url: 'http://127.0.0.1:9/hook', event: 'messages.upsert', sessionIds: [owned.sessionId] },
  });
  expect(webhook.status).toBe(201);
  owned.webhookId = webhook.body.id;
  const test = await api.post(`/api/v1/webhooks/${owned.webhookId}/test`, { key: owner.key });
  expect(test.status).toBe(200);
  owned.deliveryId = test.body.deliveryId;

  const found = await sql<{ name: string }>`
    SELECT TABLE_NAME AS name FROM information_schema.TABLES
    WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' AND TABLE_NAME NOT IN ('ApiUsage', 'GatewayProcess')`.execute(
    gateway.ctx.db,
  );
  tables = found.rows.map((row) => row.name).sort();
  expect(tables).toEqual(expect.arrayContaining(['User', 'Session', 'Webhook', 'WebhookDelivery']));

  // Wait for the session's status writes to settle: the same checksum twice, 150 ms apart.
  let last = '';
  await eventually(
    async () => {
      const previous = last;
      await new Promise((resolve) => setTimeout(resolve, 150));
      last = await checksum();
      return last === previous;
    },
    (settled) => settled,
    10_000,
    'the tables to settle',
  );

  const doc = gateway.app.swagger() as { paths: Record<string, Record<string, Operation>> };
  routes = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({
      method: method.toUpperCase(),
      path,
      params: (op.parameters ?? []).filter((p) => p.in === 'path'),
      query: (op.parameters ?? []).filter((p) => p.in === 'query'),
      body: op.requestBody?.content['application/json']?.schema,
    })),
  );
}, 60_000);

afterAll(async () => {
  await gateway?.close();
});

// ---------------------------------------------------------------------------------------------------
// Judging input with the document's schemas (independently of the gateway's own validator)

const bodyAjv = new Ajv({ strict: false, coerceTypes: false, allErrors: false, useDefaults: true });
const textAjv = new Ajv({ strict: false, coerceTypes: 'array', allErrors: false, useDefaults: true });
addFormats(bodyAjv);
addFormats(textAjv);
const compiled = new Map<string, { params: ValidateFunction; query: ValidateFunction; body?: ValidateFunction }>();

function validators(route: Route) {
  const key = `${route.method} ${route.path}`;
  let v = compiled.get(key);
  if (!v) {
    const objectOf = (parameters: Parameter[]) => ({
      type: 'object',
      properties: Object.fromEntries(parameters.map((p) => [p.name, p.schema])),
      required: parameters.filter((p) => p.required && p.schema.default === undefined).map((p) => p.name),
    });
    v = {
      params: textAjv.compile(objectOf(route.params)),
      query: textAjv.compile(objectOf(route.query)),
      body: route.body ? bodyAjv.compile(route.body) : undefined,
    };
    compiled.set(key, v);
  }
  return v;
}

const isObject = (value: unknown) => typeof value === 'object' && value !== null && !Array.isArray(value);

// ---------------------------------------------------------------------------------------------------
// Arbitraries

/** Values no schema here accepts everywhere: wrong types, empty, oversized, unicode, injection-shaped. */
const hostile: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1.5, 2 ** 53, -(2 ** 31), [], {}, [1, 'a'], { a: { b: null } }),
  fc.constantFrom('', ' ', '\u0000', '\ud800', '😀'.repeat(300), 'x'.repeat(70_000), "' OR 1=1 --", '../../etc', '%00', '__proto__', 'NaN'),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ maxLength: 300 }),
);

/** Roughly valid values for a schema (examples, enums, bounds); whether they are valid is judged by Ajv. */
function plausible(schema: Record<string, any> | undefined, depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 4) return fc.constant(undefined);
  const example = schema.example ?? schema.examples?.[0];
  const generated = ((): fc.Arbitrary<unknown> => {
    if (schema.enum) return fc.constantFrom(...(schema.enum as unknown[]));
    if (schema.const !== undefined) return fc.constant(schema.const);
    const branches = (schema.oneOf ?? schema.anyOf) as Record<string, any>[] | undefined;
    if (branches) return fc.oneof(...branches.map((b) => plausible(b, depth + 1)));
    switch (schema.type) {
      case 'string': {
        const minLength = schema.minLength ?? 0;
        return fc.string({ minLength, maxLength: Math.max(minLength, Math.min(schema.maxLength ?? 24, 24)) });
      }
      case 'integer':
      case 'number':
        return fc.integer({ min: schema.minimum ?? -1000, max: Math.min(schema.maximum ?? 1000, 2 ** 31) });
      case 'boolean':
        return fc.boolean();
      case 'array': {
        const minLength = schema.minItems ?? 0;
        return fc.array(plausible(schema.items, depth + 1), { minLength, maxLength: Math.max(minLength, 3) });
      }
      case 'object': {
        const properties = (schema.properties ?? {}) as Record<string, Record<string, any>>;
        const record = Object.fromEntries(Object.entries(properties).map(([name, s]) => [name, plausible(s, depth + 1)]));
        return fc.record(record, { requiredKeys: (schema.required ?? []) as string[] });
      }
      default:
        return fc.anything({ maxDepth: 1 });
    }
  })();
  const withNull = schema.nullable ? fc.oneof(generated, fc.constant(null)) : generated;
  return example === undefined ? withNull : fc.oneof(fc.constant(example), withNull);
}

/** A plausible object with one field broken: wrong-typed, dropped or extra. */
function broken(schema: Record<string, any>): fc.Arbitrary<unknown> {
  const names = Object.keys(schema.properties ?? {});
  const base = plausible(schema).filter(isObject) as fc.Arbitrary<Record<string, unknown>>;
  const variants: fc.Arbitrary<unknown>[] = [
    fc.tuple(base, fc.string({ minLength: 1, maxLength: 12 }), hostile).map(([o, name, value]) => ({ ...o, [`x${name}`]: value })),
  ];
  if (names.length > 0) {
    variants.push(fc.tuple(base, fc.constantFrom(...names), hostile).map(([o, name, value]) => ({ ...o, [name]: value })));
    variants.push(
      fc.tuple(base, fc.constantFrom(...names)).map(([o, name]) => {
        const copy = { ...o };
        delete copy[name];
        return copy;
      }),
    );
  }
  return fc.oneof(...variants);
}

/** What is sent as the body, and what the server sees after parsing (undefined: no body). */
interface BodyCase {
  raw: string | undefined;
  contentType?: string;
  seen: unknown;
  /** The JSON could not be parsed, or is empty: a 400 whatever the schema. */
  unparseable?: boolean;
}
const json = (value: unknown): BodyCase => ({ raw: JSON.stringify(value), contentType: 'application/json', seen: value });

function bodies(schema: Record<string, any>): fc.Arbitrary<BodyCase> {
  return fc.oneof(
    { weight: 3, arbitrary: plausible(schema).map(json) },
    { weight: 4, arbitrary: broken(schema).map(json) },
    { weight: 2, arbitrary: hostile.map(json) },
    {
      weight: 2,
      arbitrary: fc.constantFrom<BodyCase>(
        { raw: undefined, seen: undefined },
        { raw: '', contentType: 'application/json', seen: undefined, unparseable: true },
        { raw: '{"a":', contentType: 'application/json', seen: undefined, unparseable: true },
        { raw: 'null', contentType: 'application/json', seen: null },
        { raw: '{"__proto__":{"isAdmin":true},"constructor":{"prototype":{"x":1}}}', contentType: 'application/json', seen: 'proto' },
        { raw: `{"a":"${'x'.repeat(1_100_000)}"}`, contentType: 'application/json', seen: 'too large', unparseable: true },
      ),
    },
    {
      weight: 1,
      arbitrary: plausible(schema).map((value) => ({ raw: JSON.stringify(value), contentType: 'text/plain', seen: JSON.stringify(value) })),
    },
  );
}

/** The owner's own resource a path parameter names on this route, if any. */
function fixtureFor(route: Route, name: string): string | undefined {
  if (name === 'sessionId') return owned.sessionId;
  if (name !== 'id') return undefined;
  if (route.path.startsWith('/api/v1/webhooks/')) return owned.webhookId;
  if (route.path.startsWith('/api/v1/webhook-deliveries/')) return owned.deliveryId;
  if (route.path.startsWith('/api/v1/users/')) return owned.userId;
  return undefined;
}

const SAMPLES: Record<string, string[]> = {
  jid: ['15550001234', '15550001234@s.whatsapp.net', '123456789@lid'],
  groupJid: ['120363000000000000@g.us', '120363000000000000'],
  messageId: ['3EB0C431C26A1916E07E'],
};

function paramValue(route: Route, parameter: Parameter): fc.Arbitrary<unknown> {
  const fixture = fixtureFor(route, parameter.name);
  const samples = SAMPLES[parameter.name] ?? [];
  return fc.oneof(
    { weight: fixture ? 6 : 0, arbitrary: fc.constant(fixture ?? '') },
    { weight: samples.length ? 3 : 0, arbitrary: fc.constantFrom(...(samples.length ? samples : [''])) },
    { weight: 2, arbitrary: plausible(parameter.schema) },
    {
      weight: 2,
      arbitrary: hostile.filter((v) => typeof v !== 'string' || !/[\ud800-\udfff]/.test(v.replace(/[\ud800-\udbff][\udc00-\udfff]/g, ''))),
    },
  );
}

function queryValue(parameter: Parameter): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant(undefined) },
    { weight: 3, arbitrary: plausible(parameter.schema) },
    { weight: 2, arbitrary: hostile },
  );
}

interface Case {
  actor: 'owner' | 'other';
  params: Record<string, unknown>;
  query: Record<string, unknown>;
  body: BodyCase | undefined;
}

function cases(route: Route): fc.Arbitrary<Case> {
  return fc.record({
    actor: fc.constantFrom('owner' as const, 'other' as const),
    params: fc.record(Object.fromEntries(route.params.map((p) => [p.name, paramValue(route, p)]))),
    query: fc.record(Object.fromEntries(route.query.map((p) => [p.name, queryValue(p)]))),
    body: route.body ? bodies(route.body) : fc.constant(undefined),
  });
}

// ---------------------------------------------------------------------------------------------------
// Judging one case

const text = (value: unknown) => (typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value)));

/** Whether the route's schemas forbid the input: true, false, or undefined when it cannot be told here. */
function forbidden(route: Route, c: Case): boolean | undefined {
  const v = validators(route);
  const params = Object.fromEntries(Object.entries(c.params).map(([k, value]) => [k, text(value)]));
  if (unroutable(c)) return true; // the route does not even match
  if (!v.params(params)) return true;
  const query = Object.fromEntries(
    Object.entries(c.query)
      .filter(([, value]) => value !== undefined)
      .map(([k, value]) => [k, text(value)]),
  );
  if (!v.query(query)) return true;
  if (!route.body || !c.body) return false;
  if (c.body.unparseable) return true;
  if (c.body.seen === undefined) return v.body!({}) ? undefined : true; // no body: {} where it is optional
  if (c.body.seen === 'proto') return undefined;
  if (!isObject(c.body.seen)) return true;
  return !v.body!(structuredClone(c.body.seen));
}

function url(route: Route, c: Case): string {
  const path = route.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(text(c.params[name])));
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(c.query)) if (value !== undefined) query.set(name, text(value));
  const qs = query.toString();
  return qs ? `${path}?${qs}` : path;
}

const REJECTIONS = new Set([400, 413, 414, 415, 431]);
/** A path segment that is empty or a dot segment ('.', '..', resolved away in the URL) keeps the route from matching. */
const unroutable = (c: Case) => Object.values(c.params).some((value) => ['', '.', '..'].includes(text(value)));

const targetsOwner = (route: Route, c: Case) =>
  route.params.some((p) => {
    const fixture = fixtureFor(route, p.name);
    return fixture !== undefined && text(c.params[p.name]) === fixture;
  });

it('every route answers malformed input with a 4xx, other users with a 404, and a rejection changes nothing', async () => {
  expect(routes.length).toBeGreaterThan(60);
  let sent = 0;
  const failures: string[] = [];
  for (const [index, route] of routes.entries()) {
    const mutating = route.method !== 'GET';
    // Admin-only (a USER gets 403 whatever it names) or public (the QR page is static; it reads the session with the key in its fragment).
    const notTenantScoped = route.path.startsWith('/api/v1/users') || route.path.endsWith('/qr/page');
    const failure = await fc.check(
      fc.asyncProperty(cases(route), async (c) => {
        const verdict = forbidden(route, c);
        const crossTenant = c.actor === 'other' && targetsOwner(route, c);
        // Valid changes to the owner's own data are the feature suites' business (see the top).
        fc.pre(!mutating || verdict === true || crossTenant);

        const before = await checksum();
        const headers: Record<string, string> = {};
        if (c.body?.contentType) headers['content-type'] = c.body.contentType;
        const res = await gateway.api.call(route.method, url(route, c), { key: keys[c.actor], body: c.body?.raw, headers });
        const after = await checksum();
        sent++;
        const summary = { route: `${route.method} ${url(route, c).slice(0, 200)}`, actor: c.actor, status: res.status };

        if (res.status >= 500) expect({ ...summary, body: res.body }).toBe('no 5xx');
        // Forbidden input is refused as such (400; 413/414/431 too large for Node; 404 only when an empty or dot path segment
        // keeps the route from matching), before any handler can answer 2xx, 404 or 409 about the resource.
        if (verdict === true && !REJECTIONS.has(res.status) && !(res.status === 404 && unroutable(c)))
          expect(summary).toBe('a 400 for input the schema forbids');
        // Input checks that do not depend on the resource (a malformed JID, say) may answer 400 first; anything
        // else (2xx, 409 "not connected", 422…) would tell another user that the session or webhook exists.
        if (crossTenant && !notTenantScoped && res.status < 300) expect(summary).toBe('no 2xx for another user');
        if (crossTenant && verdict === false && !notTenantScoped && res.status !== 404 && res.status !== 400)
          expect(summary).toBe('a 404 for another user');
        if (res.status >= 400) expect({ ...summary, tables: after }).toEqual({ ...summary, tables: before });
      }),
      { seed: SEED + index, numRuns: RUNS_PER_ROUTE, endOnFailure: true },
    );
    if (failure.failed)
      failures.push(
        `${route.method} ${route.path} (seed ${SEED + index}): ${
          failure.errorInstance instanceof Error ? failure.errorInstance.message.slice(0, 700) : fc.defaultReportMessage(failure)
        }`,
      );
  }
  expect(failures).toEqual([]);
  expect(sent).toBeGreaterThan(routes.length * 4);
});
