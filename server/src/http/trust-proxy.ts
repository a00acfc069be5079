import { isIP } from 'node:net';

/**
 * What Fastify's `trustProxy` takes: all or nothing, the proxies' addresses and ranges, or a function of
 * (address, hop). A hop count is given as a function, because Fastify 5 reads a plain number as
 * "trust nothing".
 */
export type TrustProxy = boolean | string[] | ((address: string, hop: number) => boolean);

/**
 * Reads TRUST_PROXY: `true`/`false`; a hop count (`1`: the client is the last X-Forwarded-For entry,
 * the one the nearest proxy appended; only safe when clients cannot reach the gateway but through the
 * proxies); or a comma-separated list of proxy addresses and CIDR ranges (`10.0.0.0/8,
 * 127.0.0.1`, IPv6 too). Only with `true` may any client choose its address through X-Forwarded-For.
 * Throws with a message naming the setting when the value is none of these.
 */
export function parseTrustProxy(value: string): TrustProxy {
  const text = value.trim();
  if (/^true$/i.test(text)) return true;
  if (/^false$/i.test(text) || text === '') return false;
  if (/^\d+$/.test(text)) {
    const hops = Number(text);
    if (hops > 100) throw new Error(`TRUST_PROXY: ${hops} hops is not plausible`);
    // proxy-addr walks from the socket's peer (hop 0) towards the client: the first `hops` are proxies.
    return hops === 0 ? false : (_address: string, hop: number) => hop < hops;
  }
  return parseAddressRanges(text, 'TRUST_PROXY', 'expected true, false, a hop count, or a comma-separated list of addresses/ranges');
}

/**
 * Reads a comma-separated list of IP addresses and CIDR ranges (IPv4 and IPv6); throws with a message
 * naming `setting` when an entry is neither.
 */
export function parseAddressRanges(
  text: string,
  setting: string,
  expected = 'expected a comma-separated list of addresses/ranges',
): string[] {
  const entries = text.split(',').map((entry) => entry.trim());
  for (const entry of entries) {
    const [address, prefix, ...rest] = entry.split('/');
    const family = isIP(address ?? '');
    const maxPrefix = family === 4 ? 32 : 128;
    const prefixOk = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= maxPrefix);
    if (family === 0 || rest.length > 0 || !prefixOk)
      throw new Error(`${setting}: "${entry}" is not an IP address or CIDR range (${expected})`);
  }
  return entries;
}
