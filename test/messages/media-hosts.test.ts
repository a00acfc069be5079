import { ConfigError, loadConfig } from '../../server/src/config';
import { mediaSourceOf, MediaUrlRefused, parseMediaHosts } from '../../server/src/whatsapp/media-hosts';

const DIRECT_PATH = '/v/t62.7118-24/123_456_n.enc?ccb=11-4&oh=01_Q5Aa&oe=6A1B2C3D&_nc_sid=5e03e0';
const defaults = parseMediaHosts(loadConfig({}).WHATSAPP_MEDIA_HOSTS);

describe('WHATSAPP_MEDIA_HOSTS', () => {
  it('defaults to WhatsApp’s hosts, none of them exempt from the private-address check', () => {
    expect(defaults.primary).toBe('mmg.whatsapp.net');
    expect(defaults.exemptFromAddressCheck).toEqual([]);
    const sim = parseMediaHosts(' 127.0.0.1:7781 , MMG.whatsapp.net:443, *.cdn.example ');
    expect(sim.primary).toBe('127.0.0.1:7781');
    expect([...sim.exact]).toEqual(['127.0.0.1:7781', 'mmg.whatsapp.net']);
    expect(sim.exemptFromAddressCheck).toEqual(['127.0.0.1']);
  });

  it.each(['*.whatsapp.net', 'https://mmg.whatsapp.net', 'mmg.whatsapp.net/path', 'a b', '', 'mmg.whatsapp.net,,x'])(
    'refuses %p at start',
    (value) => {
      expect(() => loadConfig({ WHATSAPP_MEDIA_HOSTS: value })).toThrow(ConfigError);
    },
  );
});

describe('where a message’s media is downloaded from', () => {
  const source = (media: { url?: string; directPath?: string }, hosts = defaults) => {
    const { url, ignoredHost } = mediaSourceOf(hosts, media);
    return { url: url.href, ignoredHost };
  };

  it('rebuilds the URL from directPath on the host the message names when it is allowed', () => {
    expect(source({ url: `https://mmg.whatsapp.net${DIRECT_PATH}&mms3=true`, directPath: DIRECT_PATH })).toEqual({
      url: `https://mmg.whatsapp.net${DIRECT_PATH}`,
      ignoredHost: undefined,
    });
    expect(source({ url: 'https://media-fra3-1.cdn.whatsapp.net/x', directPath: DIRECT_PATH }).url).toBe(
      `https://media-fra3-1.cdn.whatsapp.net${DIRECT_PATH}`,
    );
    expect(source({ directPath: DIRECT_PATH }).url).toBe(`https://mmg.whatsapp.net${DIRECT_PATH}`);
    expect(source({ url: 'https://mmg.whatsapp.net/d/f/abc.enc' })).toEqual({
      url: 'https://mmg.whatsapp.net/d/f/abc.enc',
      ignoredHost: undefined,
    });
  });

  it.each([
    ['http://mmg.whatsapp.net/x', 'mmg.whatsapp.net'],
    ['https://mmg.whatsapp.net:8443/x', 'mmg.whatsapp.net:8443'],
    ['https://mmg.whatsapp.net.evil.example/x', 'mmg.whatsapp.net.evil.example'],
    ['https://evilwhatsapp.net/x', 'evilwhatsapp.net'],
    ['https://user:pw@mmg.whatsapp.net/x', 'mmg.whatsapp.net'],
    ['http://169.254.169.254/latest/meta-data', '169.254.169.254'],
  ])('uses only the path when the URL is %p, and refuses it without a path', (url, host) => {
    expect(source({ url, directPath: DIRECT_PATH })).toEqual({ url: `https://mmg.whatsapp.net${DIRECT_PATH}`, ignoredHost: host });
    expect(() => source({ url })).toThrow(MediaUrlRefused);
    expect(() => source({ url })).toThrow(/not a WhatsApp media host \(WHATSAPP_MEDIA_HOSTS\); nothing was downloaded$/);
  });

  it.each(['@evil.example/x', '.evil.example/x', ':8080/x', 'x', '/a b'])('refuses the directPath %p', (directPath) => {
    expect(() => source({ url: 'https://mmg.whatsapp.net/x', directPath })).toThrow(MediaUrlRefused);
  });

  it('refuses a message with no location at all', () => {
    expect(() => source({})).toThrow('The message carries no media location; nothing was downloaded');
  });
});
