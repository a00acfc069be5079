import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { Agent, buildConnector, interceptors, type Dispatcher } from 'undici';

/**
 * Guards requests to user-supplied URLs (media URLs, webhooks) against reaching the gateway's own host
 * or network (SSRF): loopback, private, link-local (cloud metadata), shared and reserved addresses.
 *
 * IPv4 refused: 0/8, 10/8, 100.64/10 (CGNAT, also Alibaba's metadata 100.100.100.200), 127/8,
 * 169.254/16 (link-local, cloud metadata 169.254.169.254), 172.16/12, 192.0.0/24, the documentation
 * nets, 192.88.99/24 (6to4 relays), 192.168/16, 198.18/15 (benchmarking), 224/4 (multicast), 240/4
 * (reserved, broadcast).
 *
 * IPv6 is parsed to its 16 bytes first, so every spelling (`0:0::1`, `::ffff:7f00:1`, upper case, a zone
 * id) is judged the same. Addresses that carry an IPv4 address are judged by that address:
 * IPv4-mapped ::ffff:a.b.c.d and NAT64's well-known 64:ff9b::a.b.c.d (DNS64 networks reach every IPv4
 * site that way). Everything else must be global unicast (2000::/3), which leaves out ::, ::1,
 * IPv4-compatible ::a.b.c.d, IPv4-translated ::ffff:0:a.b.c.d, 64:ff9b:1::/48 (local NAT64), 100::/64,
 * fc00::/7 (unique local, AWS metadata fd00:ec2::254), fec0::/10 (site-local), fe80::/10 and ff00::/8;
 * within it, refused as a whole: 2001::/23 (IETF protocol assignments: Teredo 2001::/32, benchmarking,
 * ORCHID), 2001:db8::/32 and 3fff::/20 (documentation) and 6to4 2002::/16. 6to4 is deprecated
 * (RFC 7526) and its embedded IPv4 could be private, so no legitimate destination is lost by that.
 */
const PRIVATE_V4 = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  PRIVATE_V4.addSubnet(network, prefix, 'ipv4');
}

const GLOBAL_UNICAST_V6 = new BlockList();
GLOBAL_UNICAST_V6.addSubnet('2000::', 3, 'ipv6');

const REFUSED_GLOBAL_V6 = new BlockList();
for (const [network, prefix] of [
  ['2001::', 23],
  ['2001:db8::', 32],
  ['2002::', 16],
  ['3fff::', 20],
] as const) {
  REFUSED_GLOBAL_V6.addSubnet(network, prefix, 'ipv6');
}

export class PrivateAddressError extends Error {
  readonly code = 'PRIVATE_ADDRESS';
}

/** The 16 bytes of an IPv6 address that net.isIP accepted (a zone id already removed). */
function ipv6Bytes(address: string): Uint8Array {
  let text = address;
  if (text.includes('.')) {
    // A trailing dotted IPv4 (::ffff:1.2.3.4) is the last two groups.
    const lastColon = text.lastIndexOf(':');
    const [a, b, c, d] = text
      .slice(lastColon + 1)
      .split('.')
      .map(Number) as [number, number, number, number];
    text = `${text.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const parse = (part: string | undefined) => (part ? part.split(':').map((group) => parseInt(group, 16)) : []);
  const left = parse(head);
  const right = parse(tail);
  const groups = tail === undefined ? left : [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
  const bytes = new Uint8Array(16);
  groups.forEach((group, i) => {
    bytes[i * 2] = group >> 8;
    bytes[i * 2 + 1] = group & 0xff;
  });
  return bytes;
}

const dotted = (bytes: Uint8Array, from: number) => Array.from(bytes.subarray(from, from + 4)).join('.');
const zeros = (bytes: Uint8Array, from: number, to: number) => bytes.subarray(from, to).every((b) => b === 0);
const expanded = (bytes: Uint8Array) =>
  Array.from({ length: 8 }, (_, i) => ((bytes[i * 2]! << 8) | bytes[i * 2 + 1]!).toString(16)).join(':');

/** The IPv4 address an IPv6 address stands for: IPv4-mapped ::ffff:0:0/96 and NAT64 64:ff9b::/96. */
function embeddedIPv4(bytes: Uint8Array): string | undefined {
  if (zeros(bytes, 0, 10) && bytes[10] === 0xff && bytes[11] === 0xff) return dotted(bytes, 12);
  if (bytes[0] === 0x00 && bytes[1] === 0x64 && bytes[2] === 0xff && bytes[3] === 0x9b && zeros(bytes, 4, 12)) return dotted(bytes, 12);
  return undefined;
}

/** Whether an IP address (any IPv4 or IPv6 spelling) is one the guard refuses; anything that is not an IP address is refused too. */
export function isPrivateAddress(address: string): boolean {
  const bare = address.replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '');
  const family = isIP(bare);
  if (family === 4) return PRIVATE_V4.check(bare, 'ipv4');
  if (family !== 6) return true;
  const bytes = ipv6Bytes(bare);
  const v4 = embeddedIPv4(bytes);
  if (v4 !== undefined) return PRIVATE_V4.check(v4, 'ipv4');
  const text = expanded(bytes);
  return !GLOBAL_UNICAST_V6.check(text, 'ipv6') || REFUSED_GLOBAL_V6.check(text, 'ipv6');
}

/** A host name as compared with an allow-list: lower case, no brackets or trailing dot, IPv6 in one spelling. */
function normalizeHost(host: string): string {
  const bare = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');
  return isIP(bare) === 6 ? expanded(ipv6Bytes(bare.replace(/%.*$/, ''))) : bare;
}

/** `localhost` and `*.localhost` always mean this machine (RFC 6761); they are refused without asking DNS. */
export function isLocalhostName(host: string): boolean {
  const name = normalizeHost(host);
  return name === 'localhost' || name.endsWith('.localhost');
}

/** Resolves a name to all its addresses; tests inject one instead of DNS. */
export type OutboundLookup = (hostname: string) => Promise<readonly LookupAddress[]>;

const allowList = (hosts: readonly string[] | undefined) => new Set((hosts ?? []).map(normalizeHost).filter(Boolean));

const refuse = (host: string) => new PrivateAddressError(`${host} is a private or local address`);

/** DNS lookup (or the injected one) that, when guarded, fails if a name resolves to a private address (checked after resolution, so rebinding cannot slip past). */
function lookupFunction(resolve: OutboundLookup | undefined, guarded: boolean): LookupFunction {
  return (hostname, options, callback) => {
    const done = (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      const blocked = guarded ? addresses.find((entry) => isPrivateAddress(entry.address)) : undefined;
      if (blocked) return callback(refuse(`${hostname} (${blocked.address})`), '', 0);
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      return callback(null, addresses[0]!.address, addresses[0]!.family);
    };
    if (!resolve) return dnsLookup(hostname, { ...options, all: true }, done);
    resolve(hostname).then(
      (found) => {
        const addresses = found.filter((entry) => !options.family || entry.family === options.family);
        if (!addresses.length) return done(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), []);
        done(null, [...addresses]);
      },
      (error: NodeJS.ErrnoException) => done(error, []),
    );
  };
}

/**
 * An undici dispatcher for requests to user-supplied URLs: follows up to `maxRedirections` redirects (0:
 * none, the 3xx is the answer) and, unless private addresses are allowed, refuses to connect to one on
 * any hop (literal or resolved). Hosts in `allowedHosts` (exact names or IP literals, any case) are
 * exempt; a redirect from one to another host is checked again.
 */
export function outboundDispatcher(options: {
  allowPrivate: boolean;
  maxRedirections: number;
  allowedHosts?: readonly string[];
  /** Instead of DNS (tests). */
  lookup?: OutboundLookup;
}): Dispatcher {
  const allowed = allowList(options.allowedHosts);
  const open = buildConnector(options.lookup ? { lookup: lookupFunction(options.lookup, false) } : {});
  const guarded = options.allowPrivate ? open : buildConnector({ lookup: lookupFunction(options.lookup, true) });
  const connect: buildConnector.connector = (opts, callback) => {
    const host = normalizeHost(opts.hostname);
    if (options.allowPrivate || allowed.has(host)) return open(opts, callback);
    if ((isIP(host) && isPrivateAddress(host)) || isLocalhostName(host)) return callback(refuse(opts.hostname), null);
    return guarded(opts, callback);
  };
  const agent = new Agent({ connect });
  return options.maxRedirections > 0 ? agent.compose(interceptors.redirect({ maxRedirections: options.maxRedirections })) : agent;
}

/** Whether an error (or its cause) is the guard's refusal. */
export function isPrivateAddressRefusal(error: unknown): boolean {
  for (let current = error as { code?: string; cause?: unknown } | undefined; current; current = current.cause as typeof current) {
    if (current.code === 'PRIVATE_ADDRESS') return true;
  }
  return false;
}

/** What to tell the operator when a webhook URL is refused. */
export const WEBHOOK_PRIVATE_HINT =
  'To deliver to n8n on the same host or Docker network set WEBHOOK_ALLOW_PRIVATE=true or add the host to WEBHOOK_ALLOWED_HOSTS.';
/** What to tell the operator when a media URL is refused. */
export const MEDIA_PRIVATE_HINT = 'To fetch media from the same host or network set MEDIA_URL_ALLOW_PRIVATE=true.';

/**
 * Checks a user-supplied URL when it is registered, so a bad one is a 400 at once rather than failing
 * deliveries later. Throws PrivateAddressError when it is not a valid http(s) URL, carries a user name
 * or password, or its host is `localhost`, a private address or a name any of whose addresses is
 * private, unless `allowPrivate` or the host is in `allowedHosts` (exact name, any case). A name that
 * does not resolve (yet) is accepted: every delivery is checked again when it connects.
 * The message ends with `hint` (default: WEBHOOK_PRIVATE_HINT) where allowing it would help.
 */
export async function checkOutboundUrl(
  url: string,
  options: { allowPrivate: boolean; allowedHosts: readonly string[]; hint?: string; lookup?: OutboundLookup },
): Promise<void> {
  const hint = options.hint ?? WEBHOOK_PRIVATE_HINT;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new PrivateAddressError('The URL is not a valid absolute URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new PrivateAddressError(`The URL must use http or https, not ${parsed.protocol.replace(/:$/, '')}`);
  }
  if (parsed.username || parsed.password) {
    throw new PrivateAddressError('The URL must not contain a user name or password; send credentials another way');
  }
  const host = normalizeHost(parsed.hostname);
  if (options.allowPrivate || allowList(options.allowedHosts).has(host)) return;
  const shown = parsed.hostname;
  if (isLocalhostName(host)) throw new PrivateAddressError(`The URL's host ${shown} is this machine, a loopback address. ${hint}`);
  if (isIP(host)) {
    if (isPrivateAddress(host)) throw new PrivateAddressError(`The URL's host ${shown} is a loopback/private address. ${hint}`);
    return;
  }
  let addresses: readonly LookupAddress[];
  try {
    addresses = options.lookup ? await options.lookup(host) : await dnsLookupAll(host);
  } catch {
    return;
  }
  const blocked = addresses.find((entry) => isPrivateAddress(entry.address));
  if (blocked) throw new PrivateAddressError(`The URL's host ${shown} resolves to ${blocked.address}, a loopback/private address. ${hint}`);
}

const dnsLookupAll = (hostname: string) =>
  new Promise<LookupAddress[]>((resolve, reject) =>
    dnsLookup(hostname, { all: true }, (error, addresses) => (error ? reject(error) : resolve(addresses))),
  );
