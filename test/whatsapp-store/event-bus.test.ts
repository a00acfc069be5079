import { domainEvent, type DomainEvent } from '../../server/src/events/catalogue';
import { EventBus } from '../../server/src/events/event-bus';

const qr = domainEvent('session.qr', 'row-1', { qr: 'QR-DATA' });
const status = domainEvent('session.status', 'row-1', { status: 'CONNECTED' });

it('delivers events to the handlers of their type and to catch-all handlers, in order', async () => {
  const bus = new EventBus();
  const seen: string[] = [];
  bus.on('session.qr', (event) => {
    seen.push(`qr:${event.payload.qr}`);
  });
  bus.onAny((event) => {
    seen.push(`any:${event.type}`);
  });
  await bus.publish([qr, status]);
  expect(seen).toEqual(['qr:QR-DATA', 'any:session.qr', 'any:session.status']);
});

it('reports failing handlers, sync or async, without stopping the others or the publisher', async () => {
  const errors: [unknown, DomainEvent][] = [];
  const bus = new EventBus((error, event) => errors.push([error, event]));
  const delivered: string[] = [];
  bus.on('session.qr', () => {
    throw new Error('sync boom');
  });
  bus.on('session.qr', async () => {
    throw new Error('async boom');
  });
  bus.on('session.qr', () => {
    delivered.push('third');
  });
  const publishing = bus.publish([qr]);
  expect(delivered).toEqual(['third']);
  await expect(publishing).resolves.toBeUndefined();
  expect(errors.map(([error]) => (error as Error).message).sort()).toEqual(['async boom', 'sync boom']);
  expect(errors.every(([, event]) => event === qr)).toBe(true);
});

it('survives a reporter that throws, and unsubscribes', async () => {
  const bus = new EventBus(() => {
    throw new Error('reporter down');
  });
  let calls = 0;
  const off = bus.on('session.status', () => {
    calls++;
    throw new Error('handler down');
  });
  await expect(bus.publish([status])).resolves.toBeUndefined();
  off();
  await bus.publish([status]);
  expect(calls).toBe(1);
});

it('makes JSON-serialisable events with ISO timestamps', () => {
  const event = domainEvent('messages.delete', 'row-9', { scope: 'chat', chatId: '1@s.whatsapp.net' }, new Date(0));
  expect(JSON.parse(JSON.stringify(event))).toEqual({
    type: 'messages.delete',
    sessionRowId: 'row-9',
    at: '1970-01-01T00:00:00.000Z',
    payload: { scope: 'chat', chatId: '1@s.whatsapp.net' },
  });
});
