/**
 * Where the gateway downloads a message's media from. A message's `url` and `directPath` are written by
 * whoever sent it, so they are never followed as given: the download goes to `https://<allowed host><directPath>`,
 * where the host is the one the message's URL names when that host is allowed (WHATSAPP_MEDIA_HOSTS), or
 * else the list's first host (WhatsApp's mmg.whatsapp.net, the simulator's media host in tests).
 */

/** WhatsApp's own domain: its hosts are always reached through the private-address check. */
const WHATSAPP_DOMAIN = 'whatsapp.net';

export interface MediaHosts {
  /** Used when the message's URL names no allowed host. */
  primary: string;
  /** Exact `host` or `host:port` entries, as URL.host spells them (lower case, default port left out). */
  exact: ReadonlySet<string>;
  /** `*.domain` entries as `.domain`: any subdomain on the default https port. */
  suffixes: readonly string[];
  /**
   * Host names the operator listed that are outside WhatsApp's domain (the simulator's 127.0.0.1): these may
   * be private addresses; every other host is refused when it resolves to one.
   */
  exemptFromAddressCheck: readonly string[];
}

export class MediaUrlRefused extends Error {}

/** Parses WHATSAPP_MEDIA_HOSTS (validated by the config schema: the first entry is an exact host). */
export function parseMediaHosts(value: string): MediaHosts {
  const entries = value
    .split(',')
    .map((entry) => entry.trim().toLowerCase())
    .filter(Boolean);
  const exact = new Set<string>();
  const suffixes: string[] = [];
  const exempt = new Set<string>();
  for (const entry of entries) {
    if (entry.startsWith('*.')) {
      suffixes.push(entry.slice(1));
      continue;
    }
    // Through URL, so `host:443` and `HOST` compare equal to what a parsed download URL says.
    const { host, hostname } = new URL(`https://${entry}`);
    exact.add(host);
    if (hostname !== WHATSAPP_DOMAIN && !hostname.endsWith(`.${WHATSAPP_DOMAIN}`)) exempt.add(hostname);
  }
  const primary = new URL(`https://${entries[0] ?? 'mmg.whatsapp.net'}`).host;
  return { primary, exact, suffixes, exemptFromAddressCheck: [...exempt] };
}

function isAllowed(hosts: MediaHosts, url: URL): boolean {
  if (url.protocol !== 'https:' || url.username || url.password) return false;
  if (hosts.exact.has(url.host)) return true;
  return url.port === '' && hosts.suffixes.some((suffix) => url.hostname.endsWith(suffix));
}

export interface MediaSource {
  /** What to fetch. */
  url: URL;
  /** The host the message's URL named when it is not an allowed one (its path and query were ignored). */
  ignoredHost?: string;
}

/**
 * The URL to download a message's media from, built from its `directPath` on an allowed host; a message
 * without `directPath` is fetched from its `url` only when that is https on an allowed host.
 * Throws MediaUrlRefused otherwise.
 */
export function mediaSourceOf(hosts: MediaHosts, media: { directPath?: string | null; url?: string | null }): MediaSource {
  let named: URL | undefined;
  try {
    named = media.url ? new URL(media.url) : undefined;
  } catch {
    named = undefined;
  }
  const namedAllowed = named !== undefined && isAllowed(hosts, named);
  const ignoredHost = named && !namedAllowed ? named.host || media.url! : undefined;
  const directPath = media.directPath;
  if (directPath) {
    // Concatenated with the host, so it must not be able to change the authority (`@evil/…`, `.evil/…`, `:8080/…`).
    const refused = () =>
      new MediaUrlRefused('The message\u2019s media path is not a path on WhatsApp\u2019s media servers; nothing was downloaded');
    if (!directPath.startsWith('/') || /\s/.test(directPath)) throw refused();
    const host = namedAllowed ? named!.host : hosts.primary;
    const url = new URL(`https://${host}${directPath}`);
    if (url.host !== host || url.username || url.password) throw refused();
    return { url, ...(ignoredHost ? { ignoredHost } : {}) };
  }
  if (namedAllowed) return { url: named! };
  throw new MediaUrlRefused(
    ignoredHost
      ? `The message\u2019s media URL points at ${ignoredHost}, which is not a WhatsApp media host (WHATSAPP_MEDIA_HOSTS); nothing was downloaded`
      : 'The message carries no media location; nothing was downloaded',
  );
}
