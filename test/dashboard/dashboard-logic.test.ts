import { messageText } from '../../server/dashboard/src/message-text';
import { href, matchRoute } from '../../server/dashboard/src/route-paths';

describe('dashboard message text', () => {
  it.each([
    [{ conversation: 'hi' }, 'hi'],
    [{ extendedTextMessage: { text: 'quoted reply', contextInfo: { stanzaId: 'X' } } }, 'quoted reply'],
    [{ messageContextInfo: { deviceListMetadata: {} }, imageMessage: { caption: 'a photo', mimetype: 'image/jpeg' } }, 'a photo'],
    [{ ephemeralMessage: { message: { extendedTextMessage: { text: 'disappearing' } } } }, 'disappearing'],
    [{ documentWithCaptionMessage: { message: { documentMessage: { fileName: 'report.pdf', caption: 'the report' } } } }, 'the report'],
    [{ locationMessage: { degreesLatitude: 1, degreesLongitude: 2, name: 'Office' } }, 'Office'],
  ])('reads %j as %s', (content, text) => {
    expect(messageText(content)).toBe(text);
  });

  it('has no text for media without a caption or for nothing', () => {
    expect(messageText({ imageMessage: { mimetype: 'image/jpeg' } })).toBeUndefined();
    expect(messageText({})).toBeUndefined();
    expect(messageText({ senderKeyDistributionMessage: { groupId: 'g' } })).toBeUndefined();
  });
});

describe('dashboard routes', () => {
  it('matches literal parts and decodes parameters', () => {
    expect(matchRoute('sessions', 'sessions')).toEqual({});
    expect(matchRoute('sessions/:sessionId', 'sessions/sales-team')).toEqual({ sessionId: 'sales-team' });
    expect(matchRoute('sessions/:sessionId/chats/:jid', href('sessions', 'a', 'chats', '123@s.whatsapp.net').slice(2))).toEqual({
      sessionId: 'a',
      jid: '123@s.whatsapp.net',
    });
  });

  it('keeps a slash inside a parameter from splitting the route', () => {
    expect(href('sessions', 'a/b')).toBe('#/sessions/a%2Fb');
    expect(matchRoute('sessions/:sessionId', 'sessions/a%2Fb')).toEqual({ sessionId: 'a/b' });
  });

  it.each([
    ['sessions/:sessionId', 'sessions'],
    ['sessions/:sessionId', 'sessions/'],
    ['sessions/:sessionId', 'sessions/a/b'],
    ['sessions', 'webhooks'],
    ['sessions/:sessionId', 'sessions/%E0%A4%A'],
  ])('%s does not match %s', (pattern, path) => {
    expect(matchRoute(pattern, path)).toBeNull();
  });
});
