import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { Agent, buildConnector, interceptors, type Dispatcher } from 'undici';

/** Addresses a user-supplied URL must not reach unless the operator allows it: loopback, private, link-local, ... */
const PRIVATE = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  PRIVATE.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  PRIVATE.addSubnet(network, prefix, 'ipv6');
}

export class PrivateAddressError extends Error {
  readonly code = 'PRIVATE_ADDRESS';
}

export function isPrivateAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped) return PRIVATE.check(mapped, 'ipv4');
  const family = isIP(address);
  return family === 0 || PRIVATE.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

const refuse = (host: string) => new PrivateAddressError(`${host} is a private or local address`);

/** DNS lookup that fails when a name resolves to a private address (checked after resolution, so rebinding cannot slip past). */
const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
    if (error) return callback(error, '', 0);
    const blocked = addresses.find((entry) => isPrivateAddress(entry.address));
    if (blocked) return callback(refuse(`${hostname} (${blocked.address})`), '', 0);
    if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
    return callback(null, addresses[0]!.address, addresses[0]!.family);
  });
};

/**
 * An undici dispatcher for fetching user-supplied URLs: follows up to `maxRedirections` redirects and,
 * unless private addresses are allowed, refuses to connect to one on any hop (literal or resolved).
 */
export function outboundDispatcher(options: { allowPrivate: boolean; maxRedirections: number }): Dispatcher {
  const base = buildConnector(options.allowPrivate ? {} : { lookup: publicOnlyLookup });
  const connect: buildConnector.connector = (opts, callback) => {
    if (!options.allowPrivate && isIP(opts.hostname.replace(/^\[|\]$/g, '')) && isPrivateAddress(opts.hostname.replace(/^\[|\]$/g, ''))) {
      return callback(refuse(opts.hostname), null);
    }
    return base(opts, callback);
  };
  return new Agent({ connect }).compose(interceptors.redirect({ maxRedirections: options.maxRedirections }));
}

/** Whether an error (or its cause) is the guard's refusal. */
export function isPrivateAddressRefusal(error: unknown): boolean {
  for (let current = error as { code?: string; cause?: unknown } | undefined; current; current = current.cause as typeof current) {
    if (current.code === 'PRIVATE_ADDRESS') return true;
  }
  return false;
}
