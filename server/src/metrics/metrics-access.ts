import type { FastifyRequest } from 'fastify';
import { createHash, timingSafeEqual } from 'node:crypto';
import { BlockList, isIPv4 } from 'node:net';
import { forbidden, HttpError } from '../http/errors';
import { parseAddressRanges } from '../http/trust-proxy';

const LOOPBACK = ['127.0.0.0/8', '::1'];

/**
 * Who may read /metrics. METRICS_ALLOW names the client addresses (as TRUST_PROXY resolves them) that
 * may; METRICS_TOKEN requires `Authorization: Bearer <token>`; with both, both hold. With neither, only
 * loopback clients that did not come through a proxy (no X-Forwarded-For or Forwarded header) may.
 */
export class MetricsAccess {
  private readonly token: Buffer | undefined;
  private readonly allowed: BlockList | undefined;
  private readonly loopbackOnly: boolean;

  constructor(token: string | undefined, allow: string) {
    this.token = token === undefined ? undefined : digest(token);
    const ranges = allow.trim() ? parseAddressRanges(allow, 'METRICS_ALLOW') : token === undefined ? LOOPBACK : [];
    this.loopbackOnly = !allow.trim() && token === undefined;
    this.allowed = ranges.length > 0 ? blockListOf(ranges) : undefined;
  }

  /** Throws 403 for an address not allowed, 401 for a missing or wrong token. */
  check(request: FastifyRequest): void {
    if (this.allowed && !allows(this.allowed, request.ip)) throw forbidden('This address may not read the metrics');
    if (this.loopbackOnly && (request.headers['x-forwarded-for'] !== undefined || request.headers.forwarded !== undefined))
      throw forbidden('Metrics are open to loopback only, not through a proxy; set METRICS_TOKEN or METRICS_ALLOW');
    if (this.token && !this.tokenMatches(request.headers.authorization))
      throw new HttpError(401, 'A valid metrics bearer token is required');
  }

  private tokenMatches(header: string | undefined): boolean {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
    // Digests of equal length, so the comparison takes the same time whatever was sent.
    return match !== null && timingSafeEqual(digest(match[1]!), this.token!);
  }
}

const digest = (text: string) => createHash('sha256').update(text).digest();

function blockListOf(ranges: readonly string[]): BlockList {
  const list = new BlockList();
  for (const range of ranges) {
    const [address, prefix] = range.split('/') as [string, string | undefined];
    const family = isIPv4(address) ? 'ipv4' : 'ipv6';
    if (prefix === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(prefix), family);
  }
  return list;
}

function allows(list: BlockList, ip: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  const address = mapped ? mapped[1]! : ip;
  return list.check(address, isIPv4(address) ? 'ipv4' : 'ipv6');
}
