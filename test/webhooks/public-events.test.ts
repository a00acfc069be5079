import { domainEvent } from '../../server/src/events/catalogue';
import { toPublicEvents } from '../../server/src/events/public/from-domain';
import { EventFilter } from '../../server/src/webhooks/event-filter';

const message = (i: number, source: 'live' | 'history') => ({
  id: `row${i}`,
  messageId: `MSG${i}`,
  chatId: '15550001234@s.whatsapp.net',
  fromMe: i % 2 === 0,
  fromJid: '15550001234@s.whatsapp.net',
  toJid: '15550005678@s.whatsapp.net',
  messageType: 'TEXT' as const,
  content: { conversation: `message ${i} ${'x'.repeat(400)}` },
  status: 'READ' as const,
  timestamp: new Date(1_700_000_000_000 + i * 1000).toISOString(),
  quotedMessage: null,
  metadata: { source },
});

it('splits a history batch into messages.history events whose bodies stay under 256 KB, keeping every message in order', () => {
  const history = domainEvent('messages.upsert', 'row', {
    source: 'history',
    messages: Array.from({ length: 3000 }, (_, i) => message(i, 'history')),
  });
  const events = toPublicEvents(history, 'me');
  expect(events.length).toBeGreaterThan(4);
  for (const event of events) {
    expect(event.event).toBe('messages.history');
    expect(Buffer.byteLength(JSON.stringify({ id: 'evt_x', event: event.event, data: event.data }))).toBeLessThan(256 * 1024);
  }
  const ids = events.flatMap((event) => (event.data as { messages: { messageId: string }[] }).messages.map((m) => m.messageId));
  expect(ids).toEqual(Array.from({ length: 3000 }, (_, i) => `MSG${i}`));
});

it('turns live messages into one messages.upsert each, with the text a person reads', () => {
  const live = domainEvent('messages.upsert', 'row', { source: 'live', messages: [message(1, 'live'), message(2, 'live')] });
  const events = toPublicEvents(live, 'me');
  expect(events.map((e) => e.event)).toEqual(['messages.upsert', 'messages.upsert']);
  expect((events[0]!.data as { message: { text: string; isGroup: boolean } }).message).toMatchObject({
    text: expect.stringMatching(/^message 1 x+$/),
    isGroup: false,
  });
});

it.each([
  ['*', 'messages.upsert', true],
  ['*', 'messages.history', false],
  ['messages.*', 'messages.update', true],
  ['messages.*', 'message.receipt', false],
  ['messages.*', 'messages.history', false],
  ['messages.history', 'messages.history', true],
  ['session.status, call', 'call', true],
  ['session.status, call', 'session.qr', false],
])('event setting %p matches %p: %p', (setting, event, expected) => {
  expect(EventFilter.parse(setting).matches(event)).toBe(expected);
});

it('refuses unknown names and patterns, and normalises what it accepts', () => {
  expect(() => EventFilter.parse('messages.upsrt')).toThrow(/'messages.upsrt'/);
  expect(() => EventFilter.parse('nothing.*')).toThrow(/'nothing\.\*'/);
  expect(() => EventFilter.parse(' , ')).toThrow(/at least one/);
  expect(EventFilter.normalize(' messages.* ,call,call ')).toBe('messages.*,call');
});
