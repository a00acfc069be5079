import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request, type Dispatcher } from 'undici';
import {
  checkOutboundUrl,
  isLocalhostName,
  isPrivateAddress,
  isPrivateAddressRefusal,
  MEDIA_PRIVATE_HINT,
  outboundDispatcher,
  PrivateAddressError,
  type OutboundLookup,
} from '../../server/src/net/outbound-guard';

const REFUSED: [string, string][] = [
  // IPv4
  ['0.0.0.0', 'this network'],
  ['0.1.2.3', 'this network'],
  ['127.0.0.1', 'loopback'],
  ['127.255.255.254', 'loopback'],
  ['10.0.0.1', 'RFC 1918'],
  ['172.16.0.1', 'RFC 1918'],
  ['172.31.255.255', 'RFC 1918'],
  ['192.168.1.1', 'RFC 1918'],
  ['169.254.0.1', 'link-local'],
  ['169.254.169.254', 'cloud metadata (AWS, GCP, Azure)'],
  ['100.64.0.1', 'CGNAT'],
  ['100.127.255.255', 'CGNAT'],
  ['100.100.100.200', 'Alibaba metadata (CGNAT)'],
  ['192.0.0.1', 'IETF protocol assignments'],
  ['192.0.2.1', 'documentation'],
  ['198.51.100.7', 'documentation'],
  ['203.0.113.9', 'documentation'],
  ['192.88.99.1', '6to4 relay anycast'],
  ['198.18.0.1', 'benchmarking'],
  ['198.19.255.255', 'benchmarking'],
  ['224.0.0.1', 'multicast'],
  ['239.255.255.250', 'multicast'],
  ['240.0.0.1', 'reserved'],
  ['255.255.255.255', 'broadcast'],
  // IPv6
  ['::', 'unspecified'],
  ['0:0:0:0:0:0:0:0', 'unspecified, long form'],
  ['::1', 'loopback'],
  ['0:0:0:0:0:0:0:1', 'loopback, long form'],
  ['0000:0000::0001', 'loopback, zero-padded'],
  ['[::1]', 'loopback, bracketed'],
  ['fc00::1', 'unique local'],
  ['fd12:3456:789a::1', 'unique local'],
  ['fd00:ec2::254', 'AWS metadata (unique local)'],
  ['FD00:EC2::254', 'AWS metadata, upper case'],
  ['fe80::1', 'link-local'],
  ['fe80::1%eth0', 'link-local with a zone id'],
  ['febf:ffff::1', 'link-local, top of the range'],
  ['fec0::1', 'site-local'],
  ['ff02::1', 'multicast'],
  ['ff05::1:3', 'multicast'],
  ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
  ['::FFFF:127.0.0.1', 'IPv4-mapped loopback, upper case'],
  ['::ffff:7f00:1', 'IPv4-mapped loopback, hex form (as the URL parser writes it)'],
  ['0:0:0:0:0:ffff:7f00:0001', 'IPv4-mapped loopback, long form'],
  ['::ffff:169.254.169.254', 'IPv4-mapped metadata'],
  ['::ffff:a9fe:a9fe', 'IPv4-mapped metadata, hex form'],
  ['::ffff:10.0.0.1', 'IPv4-mapped private'],
  ['::127.0.0.1', 'IPv4-compatible loopback'],
  ['::7f00:1', 'IPv4-compatible loopback, hex form'],
  ['::8.8.8.8', 'IPv4-compatible (deprecated) even with a public IPv4'],
  ['::ffff:0:127.0.0.1', 'IPv4-translated loopback'],
  ['::ffff:0:7f00:1', 'IPv4-translated loopback, hex form'],
  ['::ffff:0:8.8.8.8', 'IPv4-translated, even with a public IPv4'],
  ['64:ff9b::127.0.0.1', 'NAT64 well-known prefix to loopback'],
  ['64:ff9b::7f00:1', 'NAT64 well-known prefix to loopback, hex form'],
  ['64:ff9b::a9fe:a9fe', 'NAT64 to metadata'],
  ['64:ff9b::10.1.2.3', 'NAT64 to RFC 1918'],
  ['64:ff9b:1::1', 'NAT64 local-use prefix'],
  ['64:ff9b:1:ffff::808:808', 'NAT64 local-use prefix, public-looking'],
  ['2002:7f00:1::1', '6to4 of loopback'],
  ['2002:a9fe:a9fe::1', '6to4 of metadata'],
  ['2002:808:808::1', '6to4 (refused as a whole)'],
  ['2001::1', 'Teredo'],
  ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'Teredo'],
  ['2001:2::1', 'benchmarking'],
  ['2001:db8::1', 'documentation'],
  ['3fff::1', 'documentation'],
  ['100::1', 'discard-only'],
  ['1:2:3:4:5:6:1.2.3.4', 'not global unicast'],
  // Not addresses at all: refused (fail closed)
  ['localhost', 'a name'],
  ['127.1', 'an abbreviated IPv4, not an address to net.isIP'],
  ['', 'empty'],
];

const ALLOWED: [string, string][] = [
  ['8.8.8.8', 'Google DNS'],
  ['1.1.1.1', 'Cloudflare DNS'],
  ['93.184.215.14', 'public'],
  ['100.63.255.255', 'just below CGNAT'],
  ['100.128.0.0', 'just above CGNAT'],
  ['172.15.255.255', 'just below 172.16/12'],
  ['172.32.0.0', 'just above 172.16/12'],
  ['223.255.255.255', 'just below multicast'],
  ['2606:4700::1111', 'Cloudflare DNS'],
  ['2606:4700:4700::1111', 'Cloudflare DNS'],
  ['2001:4860:4860::8888', 'Google DNS'],
  ['2a00:1450:4001:82b::200e', 'public'],
  ['2A00:1450:4001:082B:0000:0000:0000:200E', 'public, long upper-case form'],
  ['::ffff:8.8.8.8', 'IPv4-mapped public'],
  ['::ffff:808:808', 'IPv4-mapped public, hex form'],
  ['64:ff9b::8.8.8.8', 'NAT64 well-known prefix to a public IPv4 (DNS64 networks)'],
  ['64:ff9b::808:808', 'NAT64 well-known prefix to a public IPv4, hex form'],
];

describe('isPrivateAddress', () => {
  it.each(REFUSED)('refuses %s (%s)', (address) => {
    expect(isPrivateAddress(address)).toBe(true);
  });
  it.each(ALLOWED)('allows %s (%s)', (address) => {
    expect(isPrivateAddress(address)).toBe(false);
  });
});

describe('isLocalhostName', () => {
  it.each(['localhost', 'LOCALHOST', 'localhost.', 'api.localhost', 'a.b.LocalHost.'])('%s is this machine', (name) => {
    expect(isLocalhostName(name)).toBe(true);
  });
  it.each(['localhost.example.com', 'mylocalhost', 'example.com', 'n8n'])('%s is not', (name) => {
    expect(isLocalhostName(name)).toBe(false);
  });
});

/** A lookup that knows only a few names, instead of DNS. */
const fakeDns =
  (table: Record<string, string[]>): OutboundLookup =>
  async (hostname) => {
    const addresses = table[hostname.toLowerCase()];
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };

const dns = fakeDns({
  'n8n.internal': ['127.0.0.1'],
  n8n: ['172.18.0.5'],
  'metadata.test': ['169.254.169.254'],
  'mixed.test': ['93.184.215.14', '10.0.0.7'],
  'v6-loopback.test': ['::1'],
  'mapped.test': ['::ffff:7f00:1'],
  'hooks.example.com': ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'],
});
const strict = { allowPrivate: false, allowedHosts: [], lookup: dns };

async function refusal(promise: Promise<unknown>): Promise<PrivateAddressError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PrivateAddressError);
  return error as PrivateAddressError;
}

describe('checkOutboundUrl', () => {
  it('accepts public http(s) URLs', async () => {
    for (const url of [
      'https://hooks.example.com/webhook/abc',
      'http://8.8.8.8:8080/x',
      'https://[2606:4700::1111]/hook',
      'HTTPS://HOOKS.EXAMPLE.COM./',
    ]) {
      await expect(checkOutboundUrl(url, strict)).resolves.toBeUndefined();
    }
  });

  it('refuses a name that resolves to loopback and says how to allow it', async () => {
    const error = await refusal(checkOutboundUrl('http://n8n.internal:5678/webhook/x', strict));
    expect(error.message).toBe(
      "The URL's host n8n.internal resolves to 127.0.0.1, a loopback/private address. " +
        'To deliver to n8n on the same host or Docker network set WEBHOOK_ALLOW_PRIVATE=true or add the host to WEBHOOK_ALLOWED_HOSTS.',
    );
    expect(isPrivateAddressRefusal(error)).toBe(true);
  });

  it.each([
    ['http://n8n:5678/webhook/x', /resolves to 172\.18\.0\.5/],
    ['http://metadata.test/latest/meta-data', /resolves to 169\.254\.169\.254/],
    ['http://mixed.test/', /resolves to 10\.0\.0\.7/],
    ['http://v6-loopback.test/', /resolves to ::1/],
    ['http://mapped.test/', /resolves to ::ffff:7f00:1/],
    ['http://127.0.0.1:5678/', /host 127\.0\.0\.1 is a loopback\/private address/],
    ['http://0x7f.1/', /host 127\.0\.0\.1 is/],
    ['http://2130706433/', /host 127\.0\.0\.1 is/],
    ['http://0.0.0.0:5678/', /host 0\.0\.0\.0 is/],
    ['http://169.254.169.254/latest/meta-data', /host 169\.254\.169\.254 is/],
    ['http://100.100.100.200/latest/meta-data', /host 100\.100\.100\.200 is/],
    ['http://[::1]:5678/', /host \[::1\] is/],
    ['http://[0:0:0:0:0:0:0:1]/', /host \[::1\] is/],
    ['http://[::ffff:127.0.0.1]/', /host \[::ffff:7f00:1\] is/],
    ['http://[fd00:ec2::254]/', /host \[fd00:ec2::254\] is/],
    ['http://[64:ff9b::7f00:1]/', /is a loopback\/private address/],
    ['http://[2002:7f00:1::1]/', /is a loopback\/private address/],
    ['http://localhost:5678/', /host localhost is this machine/],
    ['http://api.LOCALHOST/', /host api\.localhost is this machine/],
  ])('refuses %s', async (url, message) => {
    const error = await refusal(checkOutboundUrl(url, strict));
    expect(error.message).toMatch(message);
    expect(error.message).toMatch(/WEBHOOK_ALLOW_PRIVATE=true or add the host to WEBHOOK_ALLOWED_HOSTS\.$/);
  });

  it('does not look up localhost in DNS', async () => {
    const lookup = jest.fn(dns);
    await refusal(checkOutboundUrl('http://localhost/', { ...strict, lookup }));
    await refusal(checkOutboundUrl('http://127.0.0.1/', { ...strict, lookup }));
    expect(lookup).not.toHaveBeenCalled();
  });

  it.each([
    ['ftp://hooks.example.com/x', /must use http or https, not ftp/],
    ['file:///etc/passwd', /must use http or https, not file/],
    ['javascript:alert(1)', /must use http or https/],
    ['not a url', /not a valid absolute URL/],
    ['/relative/path', /not a valid absolute URL/],
    ['https://user:secret@hooks.example.com/x', /must not contain a user name or password/],
    ['https://user@hooks.example.com/x', /must not contain a user name or password/],
  ])('refuses %s whatever is allowed', async (url, message) => {
    for (const options of [strict, { ...strict, allowPrivate: true, allowedHosts: ['hooks.example.com'] }]) {
      const error = await refusal(checkOutboundUrl(url, options));
      expect(error.message).toMatch(message);
      expect(error.message).not.toContain('secret');
    }
  });

  it('allows private addresses when allowPrivate is set, without resolving', async () => {
    const lookup = jest.fn(dns);
    for (const url of ['http://n8n.internal:5678/x', 'http://127.0.0.1/', 'http://localhost:5678/', 'http://[::1]/']) {
      await expect(checkOutboundUrl(url, { allowPrivate: true, allowedHosts: [], lookup })).resolves.toBeUndefined();
    }
    expect(lookup).not.toHaveBeenCalled();
  });

  it('allows exactly the hosts in allowedHosts, in any case', async () => {
    const options = { ...strict, allowedHosts: ['N8N', 'localhost', '127.0.0.1', '[0:0::1]'] };
    for (const url of ['http://n8n:5678/x', 'http://N8N./x', 'http://localhost/', 'http://127.0.0.1/', 'http://[::1]/']) {
      await expect(checkOutboundUrl(url, options)).resolves.toBeUndefined();
    }
    for (const url of ['http://n8n.internal/', 'http://127.0.0.2/', 'http://api.localhost/', 'http://metadata.test/']) {
      await refusal(checkOutboundUrl(url, options));
    }
  });

  it('uses the given hint', async () => {
    const error = await refusal(checkOutboundUrl('http://10.0.0.1/x.png', { ...strict, hint: MEDIA_PRIVATE_HINT }));
    expect(error.message).toBe(`The URL's host 10.0.0.1 is a loopback/private address. ${MEDIA_PRIVATE_HINT}`);
  });

  it('accepts a name that does not resolve (yet): the connection is checked again', async () => {
    await expect(checkOutboundUrl('http://not-there-yet.test/x', strict)).resolves.toBeUndefined();
  });
});

describe('outboundDispatcher', () => {
  let server: Server;
  let port: number;
  const dispatchers: Dispatcher[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/redirect-to-literal') {
        res.writeHead(302, { location: `http://127.0.0.1:${port}/ok` }).end();
      } else if (req.url === '/redirect-to-alias') {
        res.writeHead(302, { location: `http://n8n.allowed:${port}/ok` }).end();
      } else {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('reached');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await Promise.all(dispatchers.map((d) => d.close()));
    await new Promise((resolve) => server.close(resolve));
  });

  const aliases = fakeDns({ 'n8n.allowed': ['127.0.0.1'], 'n8n.other': ['127.0.0.1'] });
  const make = (options: Parameters<typeof outboundDispatcher>[0]) => {
    const dispatcher = outboundDispatcher(options);
    dispatchers.push(dispatcher);
    return dispatcher;
  };
  const get = async (url: string, dispatcher: Dispatcher) => {
    const res = await request(url, { dispatcher, headersTimeout: 5000, bodyTimeout: 5000 });
    return { status: res.statusCode, body: await res.body.text(), location: res.headers.location };
  };
  const refused = async (url: string, dispatcher: Dispatcher) => {
    const error = await get(url, dispatcher).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect({ url, refused: isPrivateAddressRefusal(error) }).toEqual({ url, refused: true });
  };

  it('refuses to connect to a real loopback server, by literal address or by a name resolving to it', async () => {
    const dispatcher = make({ allowPrivate: false, maxRedirections: 0, lookup: aliases });
    await refused(`http://127.0.0.1:${port}/ok`, dispatcher);
    await refused(`http://[::ffff:127.0.0.1]:${port}/ok`, dispatcher);
    await refused(`http://n8n.allowed:${port}/ok`, dispatcher);
    await refused(`http://localhost:${port}/ok`, dispatcher);
  });

  it('refuses resolving names through real DNS too (the default lookup)', async () => {
    const dispatcher = make({ allowPrivate: false, maxRedirections: 0 });
    await refused(`http://localhost:${port}/ok`, dispatcher);
    await refused(`http://127.0.0.1:${port}/ok`, dispatcher);
  });

  it('connects when private addresses are allowed', async () => {
    const dispatcher = make({ allowPrivate: true, maxRedirections: 0, lookup: aliases });
    expect(await get(`http://127.0.0.1:${port}/ok`, dispatcher)).toMatchObject({ status: 200, body: 'reached' });
    expect(await get(`http://n8n.allowed:${port}/ok`, dispatcher)).toMatchObject({ status: 200, body: 'reached' });
  });

  it('connects to the allowed hosts only', async () => {
    const dispatcher = make({ allowPrivate: false, maxRedirections: 0, allowedHosts: ['N8N.allowed', '127.0.0.1'], lookup: aliases });
    expect(await get(`http://n8n.allowed:${port}/ok`, dispatcher)).toMatchObject({ status: 200, body: 'reached' });
    expect(await get(`http://127.0.0.1:${port}/ok`, dispatcher)).toMatchObject({ status: 200, body: 'reached' });
    await refused(`http://n8n.other:${port}/ok`, dispatcher);
    await refused(`http://[::ffff:127.0.0.1]:${port}/ok`, dispatcher);
  });

  it('with maxRedirections 0 answers the redirect itself instead of following it', async () => {
    const dispatcher = make({ allowPrivate: false, maxRedirections: 0, allowedHosts: ['n8n.allowed'], lookup: aliases });
    expect(await get(`http://n8n.allowed:${port}/redirect-to-literal`, dispatcher)).toMatchObject({
      status: 302,
      location: `http://127.0.0.1:${port}/ok`,
    });
  });

  it('checks every redirect hop: an allowed host cannot redirect to a private one that is not', async () => {
    const dispatcher = make({ allowPrivate: false, maxRedirections: 5, allowedHosts: ['n8n.allowed'], lookup: aliases });
    await refused(`http://n8n.allowed:${port}/redirect-to-literal`, dispatcher);
    const open = make({ allowPrivate: false, maxRedirections: 5, allowedHosts: ['n8n.allowed', '127.0.0.1'], lookup: aliases });
    expect(await get(`http://127.0.0.1:${port}/redirect-to-alias`, open)).toMatchObject({ status: 200, body: 'reached' });
  });

  it('keeps the media call sites working: no allowedHosts, real DNS', async () => {
    const dispatcher = make({ allowPrivate: true, maxRedirections: 5 });
    expect(await get(`http://localhost:${port}/redirect-to-literal`, dispatcher)).toMatchObject({ status: 200, body: 'reached' });
  });
});
