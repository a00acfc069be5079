import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Simulator } from './simulator';
import { ControlError } from './types';

type Params = Record<string, string>;
type Body = Record<string, unknown>;
type Route = [method: string, pattern: RegExp, handler: (sim: Simulator, params: Params, body: Body, query: URLSearchParams) => unknown];

const MAX_BODY_BYTES = 64 * 1024 * 1024;
const phone = '(?<phone>[^/]+)';
const group = '(?<group>[^/]+)';

/** A handler result that is raw bytes rather than JSON. */
class BinaryReply {
  constructor(
    readonly bytes: Buffer,
    readonly contentType: string,
  ) {}
}

const str = (body: Body, key: string): string | undefined => (typeof body[key] === 'string' ? (body[key] as string) : undefined);

const ROUTES: Route[] = [
  ['GET', /^\/control\/health$/, (sim) => ({ ok: true, wsUrl: sim.wsUrl, mediaPort: sim.mediaPort })],
  [
    'GET',
    /^\/control\/info$/,
    (sim) => ({ wsUrl: sim.wsUrl, rootKey: sim.rootPublicKeyBase64, caCertPath: sim.caCertPath, mediaPort: sim.mediaPort }),
  ],
  ['GET', /^\/control\/accounts$/, (sim) => sim.accounts()],
  [
    'POST',
    /^\/control\/accounts$/,
    async (sim, _p, body) => {
      const number = str(body, 'phone');
      if (!number) throw new ControlError(400, 'phone is required');
      return [201, await sim.createAccount(number, str(body, 'name'))];
    },
  ],
  ['GET', new RegExp(`^/control/accounts/${phone}$`), (sim, p) => sim.account(p.phone!)],
  ['GET', new RegExp(`^/control/accounts/${phone}/app-state$`), (sim, p) => sim.appStateVersions(p.phone!)],
  ['POST', new RegExp(`^/control/accounts/${phone}/scan$`), (sim, p, body) => sim.scan(p.phone!, str(body, 'qr') ?? '')],
  [
    'POST',
    new RegExp(`^/control/accounts/${phone}/pairing-code$`),
    (sim, p, body) => sim.enterPairingCode(p.phone!, str(body, 'code') ?? ''),
  ],
  ['POST', new RegExp(`^/control/accounts/${phone}/send$`), (sim, p, body) => sim.send(p.phone!, body as never)],
  ['GET', new RegExp(`^/control/accounts/${phone}/inbox$`), (sim, p) => sim.inbox(p.phone!)],
  ['DELETE', new RegExp(`^/control/accounts/${phone}/inbox$`), (sim, p) => (sim.clearInbox(p.phone!), { ok: true })],
  [
    'GET',
    new RegExp(`^/control/accounts/${phone}/inbox/(?<id>[^/]+)/media$`),
    async (sim, p) => {
      const { bytes, mimetype } = await sim.inboxMedia(p.phone!, p.id!);
      return new BinaryReply(bytes, mimetype ?? 'application/octet-stream');
    },
  ],
  [
    'POST',
    new RegExp(`^/control/accounts/${phone}/read$`),
    async (sim, p, body) => (await sim.read(p.phone!, str(body, 'chat') ?? '', body.ids as string[]), { ok: true }),
  ],
  [
    'POST',
    new RegExp(`^/control/accounts/${phone}/retry-receipt$`),
    async (sim, p, body) => (await sim.retryReceipt(p.phone!, str(body, 'to') ?? '', str(body, 'id') ?? ''), { ok: true }),
  ],
  [
    'POST',
    new RegExp(`^/control/accounts/${phone}/presence$`),
    async (sim, p, body) => (await sim.presence(p.phone!, str(body, 'type') ?? '', str(body, 'to')), { ok: true }),
  ],
  [
    'POST',
    new RegExp(`^/control/accounts/${phone}/disconnect$`),
    (sim, p, body) => ({ dropped: sim.disconnect(p.phone!, { includeHosted: body.includeHosted === true }) }),
  ],
  ['POST', new RegExp(`^/control/accounts/${phone}/history$`), (sim, p, body) => sim.history(p.phone!, body as never)],
  [
    'POST',
    new RegExp(`^/control/accounts/${phone}/groups$`),
    async (sim, p, body) => [201, await sim.createGroup(p.phone!, str(body, 'subject') ?? '', body.participants as string[])],
  ],
  [
    'POST',
    new RegExp(`^/control/accounts/${phone}/groups/join$`),
    async (sim, p, body) => ({ id: await sim.joinGroup(p.phone!, str(body, 'code') ?? '') }),
  ],
  [
    'POST',
    new RegExp(`^/control/accounts/${phone}/groups/${group}/participants$`),
    (sim, p, body) => sim.groupParticipants(p.phone!, p.group!, str(body, 'action') as never, body.participants as string[]),
  ],
  [
    'POST',
    new RegExp(`^/control/accounts/${phone}/groups/${group}/update$`),
    async (sim, p, body) => (await sim.groupUpdate(p.phone!, p.group!, body as never), { ok: true }),
  ],
  [
    'GET',
    new RegExp(`^/control/accounts/${phone}/groups/${group}/invite-code$`),
    async (sim, p) => ({ code: await sim.groupInviteCode(p.phone!, p.group!) }),
  ],
  [
    'POST',
    new RegExp(`^/control/accounts/${phone}/groups/${group}/invite-code/revoke$`),
    async (sim, p) => ({ code: await sim.groupInviteCode(p.phone!, p.group!, true) }),
  ],
  [
    'POST',
    new RegExp(`^/control/accounts/${phone}/groups/${group}/leave$`),
    async (sim, p) => (await sim.leaveGroup(p.phone!, p.group!), { ok: true }),
  ],
  ['GET', /^\/control\/groups$/, (sim) => sim.groups()],
  ['GET', new RegExp(`^/control/groups/${group}$`), (sim, p) => sim.group(p.group!)],
  ['POST', /^\/control\/devices\/(?<jid>[^/]+)\/remove$/, (sim, p) => (sim.removeDevice(p.jid!), { ok: true })],
  ['POST', /^\/control\/devices\/(?<jid>[^/]+)\/drop$/, (sim, p) => ({ dropped: sim.dropDevice(p.jid!) })],
  [
    'POST',
    /^\/control\/faults\/delivery-delay$/,
    (sim, _p, body) => (sim.setDeliveryDelay(Number(body.ms)), { ok: true, ms: Number(body.ms) }),
  ],
  [
    'POST',
    /^\/control\/faults\/refuse-logins$/,
    (sim, _p, body) => {
      if (typeof body.on !== 'boolean') throw new ControlError(400, '"on" must be true or false');
      const reason = body.reason === undefined ? undefined : Number(body.reason);
      sim.refuseLogins(str(body, 'phone') ?? 'all', body.on, reason);
      return { ok: true };
    },
  ],
  [
    'POST',
    /^\/control\/faults\/app-state-conflicts$/,
    (sim, _p, body) => (
      sim.conflictAppStateUploads(str(body, 'phone') ?? '', body.count === undefined ? 1 : Number(body.count)),
      { ok: true }
    ),
  ],
  ['POST', /^\/control\/echo$/, (sim, _p, body) => sim.setEcho(str(body, 'phone') ?? 'all', body.on as boolean)],
  ['GET', /^\/control\/state$/, (sim) => sim.exportState()],
];

/** HTTP control API on the simulator's port; errors are `{ error }` JSON with 400/404/409. */
export function controlApi(sim: Simulator): RequestListener {
  return (req, res) => {
    handle(sim, req, res).catch((err) => sendError(res, err));
  };
}

async function handle(sim: Simulator, req: IncomingMessage, res: ServerResponse) {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const pathname = decodeURIComponent(url.pathname);
  let methodMismatch = false;
  for (const [method, pattern, handler] of ROUTES) {
    const match = pattern.exec(pathname);
    if (!match) continue;
    if (method !== req.method) {
      methodMismatch = true;
      continue;
    }
    const body = req.method === 'POST' ? await readJson(req) : {};
    const result = await handler(sim, { ...match.groups }, body, url.searchParams);
    if (result instanceof BinaryReply) {
      res.writeHead(200, { 'content-type': result.contentType, 'content-length': String(result.bytes.length) });
      res.end(result.bytes);
      return;
    }
    const [status, payload] = Array.isArray(result) && result.length === 2 && typeof result[0] === 'number' ? result : [200, result];
    sendJson(res, status as number, payload ?? { ok: true });
    return;
  }
  throw methodMismatch
    ? new ControlError(400, `${req.method} is not supported on ${pathname}`)
    : new ControlError(404, `no route ${pathname}`);
}

async function readJson(req: IncomingMessage): Promise<Body> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new ControlError(400, 'request body too large');
    chunks.push(chunk as Buffer);
  }
  const raw = Buffer.concat(chunks).toString('utf-8').trim();
  if (!raw) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ControlError(400, 'body is not valid JSON');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ControlError(400, 'body must be a JSON object');
  return parsed as Body;
}

function sendError(res: ServerResponse, err: unknown) {
  const status = err instanceof ControlError ? err.status : statusOfBaileysError(err);
  const message = err instanceof Error ? err.message : String(err);
  if (res.headersSent) {
    res.end();
    return;
  }
  sendJson(res, status, { error: message });
}

/** Baileys query failures carry the server's error code (e.g. a 403 from w:g2). */
function statusOfBaileysError(err: unknown): number {
  const code = (err as { output?: { statusCode?: number }; data?: unknown })?.data;
  if (code === 403 || code === 406) return 409;
  if (code === 404) return 404;
  if (code === 400) return 400;
  return 500;
}

function sendJson(res: ServerResponse, status: number, body: unknown) {
  const json = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(json)) });
  res.end(json);
}
