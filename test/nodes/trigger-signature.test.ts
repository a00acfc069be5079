import { generateWebhookSecret, signWebhook } from '../../server/src/webhooks/signing';
import { SIGNATURE_TOLERANCE_SECONDS, signedRequest, verify } from '../../nodes/WhatsAppBaileysTrigger/signature';
import { EventFilter } from '../../server/src/webhooks/event-filter';
import { PUBLIC_EVENT_NAMES, isOptInEvent } from '../../server/src/events/public/catalogue';
import { droppedBy, eventSetting, MAX_EVENT_SETTING_LENGTH, toItem, type Envelope } from '../../nodes/WhatsAppBaileysTrigger/events';

/** The published Standard Webhooks test vector (the gateway's signing test uses it too). */
const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: '1614265330',
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

const NOW = 1_750_000_000;
const BODY = Buffer.from(JSON.stringify({ event: 'messages.upsert', data: { text: 'héllo ✓' } }), 'utf8');

/** A delivery as the gateway signs it. */
function delivery(secrets: string[], body: Buffer = BODY, timestamp = NOW, id = 'evt_1') {
  return {
    id,
    timestamp: String(timestamp),
    signature: signWebhook({ id, timestamp, body: body.toString('utf8'), secrets }),
    rawBody: body,
  };
}

describe('trigger signature check', () => {
  const secret = generateWebhookSecret();

  it('accepts the Standard Webhooks test vector', () => {
    const request = { id: VECTOR.id, timestamp: VECTOR.timestamp, signature: VECTOR.signature, rawBody: VECTOR.body };
    expect(verify(request, [VECTOR.secret], Number(VECTOR.timestamp))).toEqual({ valid: true });
  });

  it("accepts what the gateway's signer produces, over the raw bytes", () => {
    expect(verify(delivery([secret]), [secret], NOW)).toEqual({ valid: true });
  });

  it('accepts any of several signatures during a secret rotation, with either stored secret', () => {
    const previous = generateWebhookSecret();
    const request = delivery([secret, previous]);
    expect(request.signature.split(' ')).toHaveLength(2);
    expect(verify(request, [secret], NOW).valid).toBe(true);
    expect(verify(request, [previous], NOW).valid).toBe(true);
    expect(verify(request, [generateWebhookSecret(), secret], NOW).valid).toBe(true);
  });

  it('rejects a tampered body, another id, a wrong secret and a malformed signature', () => {
    const request = delivery([secret]);
    const tampered = Buffer.from(BODY.toString('utf8').replace('héllo', 'hello'), 'utf8');
    expect(verify({ ...request, rawBody: tampered }, [secret], NOW)).toEqual({ valid: false, reason: 'No valid signature' });
    expect(verify({ ...request, id: 'evt_2' }, [secret], NOW).valid).toBe(false);
    expect(verify(request, [generateWebhookSecret()], NOW).valid).toBe(false);
    expect(verify({ ...request, signature: 'v1,' }, [secret], NOW).valid).toBe(false);
    expect(verify({ ...request, signature: request.signature.replace('v1,', 'v2,') }, [secret], NOW).valid).toBe(false);
    expect(verify({ ...request, signature: request.signature.slice(0, -4) }, [secret], NOW).valid).toBe(false);
    expect(verify(request, [], NOW).valid).toBe(false);
  });

  it('allows five minutes of clock difference either way, no more', () => {
    const request = delivery([secret]);
    expect(verify(request, [secret], NOW + SIGNATURE_TOLERANCE_SECONDS).valid).toBe(true);
    expect(verify(request, [secret], NOW - SIGNATURE_TOLERANCE_SECONDS).valid).toBe(true);
    expect(verify(request, [secret], NOW + SIGNATURE_TOLERANCE_SECONDS + 1)).toEqual({
      valid: false,
      reason: 'webhook-timestamp is too old or too far in the future',
    });
    expect(verify(request, [secret], NOW - SIGNATURE_TOLERANCE_SECONDS - 1).valid).toBe(false);
    expect(verify({ ...request, timestamp: `${NOW}.5` }, [secret], NOW).valid).toBe(false);
  });

  it('rejects requests without the headers or the raw body', () => {
    const request = delivery([secret]);
    const headers = { 'webhook-id': request.id, 'webhook-timestamp': request.timestamp, 'webhook-signature': request.signature };
    expect(verify(signedRequest(headers, BODY), [secret], NOW).valid).toBe(true);
    for (const name of Object.keys(headers)) {
      expect(verify(signedRequest({ ...headers, [name]: undefined }, BODY), [secret], NOW).valid).toBe(false);
    }
    expect(verify(signedRequest(headers, undefined), [secret], NOW)).toEqual({
      valid: false,
      reason: 'The raw request body is not available',
    });
  });
});

describe('trigger items', () => {
  const envelope = (event: string, data: Envelope['data']): Envelope => ({
    id: 'evt_1',
    event,
    sessionId: 'me',
    workflowId: null,
    timestamp: '2026-11-27T10:00:00.000Z',
    sequence: 1,
    data,
  });
  const message = (fields: Record<string, unknown>) => ({
    message: {
      messageId: 'ABC',
      chatId: '15550002222@s.whatsapp.net',
      fromMe: false,
      from: '15550002222@s.whatsapp.net',
      isGroup: false,
      type: 'TEXT',
      text: 'hi',
      timestamp: '2026-11-27T09:59:59.000Z',
      ...fields,
    },
  });

  it('flattens a message event and keeps the raw data', () => {
    const data = message({});
    expect(toItem(envelope('messages.upsert', data))).toEqual({
      sessionId: 'me',
      event: 'messages.upsert',
      messageId: 'ABC',
      chatId: '15550002222@s.whatsapp.net',
      from: '15550002222@s.whatsapp.net',
      fromMe: false,
      isGroup: false,
      type: 'TEXT',
      text: 'hi',
      timestamp: '2026-11-27T09:59:59.000Z',
      data,
    });
  });

  it('has null message fields for other events, and the event time', () => {
    expect(toItem(envelope('session.status', { status: 'CONNECTED' }))).toEqual({
      sessionId: 'me',
      event: 'session.status',
      messageId: null,
      chatId: null,
      from: null,
      fromMe: null,
      isGroup: null,
      type: null,
      text: null,
      timestamp: '2026-11-27T10:00:00.000Z',
      data: { status: 'CONNECTED' },
    });
  });

  it('drops what the options exclude', () => {
    const all = { ignoreFromMe: true, ignoreGroups: true, ignoreStatus: true };
    expect(droppedBy(toItem(envelope('messages.upsert', message({}))), all)).toBeUndefined();
    expect(droppedBy(toItem(envelope('messages.upsert', message({ fromMe: true }))), all)).toBe('sent by me');
    expect(droppedBy(toItem(envelope('messages.upsert', message({ fromMe: true }))), {})).toBeUndefined();
    const group = message({ chatId: '1203630@g.us', isGroup: true });
    expect(droppedBy(toItem(envelope('messages.upsert', group)), all)).toBe('group chat');
    expect(droppedBy(toItem(envelope('messages.upsert', group)), { ignoreGroups: false })).toBeUndefined();
    const status = message({ chatId: 'status@broadcast', isGroup: false });
    expect(droppedBy(toItem(envelope('messages.upsert', status)), all)).toBe('status broadcast');
    expect(droppedBy(toItem(envelope('session.status', { status: 'CONNECTED' })), all)).toBeUndefined();
  });
});

describe('the event setting sent to the gateway', () => {
  const catalogue = PUBLIC_EVENT_NAMES.map((name) => ({ name, optIn: isOptInEvent(name) }));
  const offered = PUBLIC_EVENT_NAMES.filter((name) => name !== 'webhook.test');
  /** What the gateway would deliver for a setting. */
  const delivered = (setting: string) => PUBLIC_EVENT_NAMES.filter((name) => EventFilter.parse(setting).matches(name));

  it('is the plain list while it fits', () => {
    expect(eventSetting(['messages.upsert', 'message.receipt'], catalogue)).toBe('messages.upsert,message.receipt');
  });

  it('folds complete prefixes into patterns when the list is too long, delivering exactly the choice', () => {
    // Today's catalogue just fits in 255 characters; a shorter limit stands in for a longer catalogue.
    expect(offered.join(',').length).toBeLessThanOrEqual(MAX_EVENT_SETTING_LENGTH);
    const setting = eventSetting(offered, catalogue, 200);
    expect(setting.length).toBeLessThanOrEqual(200);
    expect(setting).toContain('messages.*');
    expect(delivered(setting).sort()).toEqual([...offered].sort());

    const some = ['messages.upsert', 'messages.update', 'messages.delete', 'messages.history', 'session.qr'];
    expect(eventSetting(some, catalogue, 60)).toBe('messages.*,messages.history,session.qr');
    expect(delivered('messages.*,messages.history,session.qr').sort()).toEqual([...some].sort());
  });

  it('falls back to * and the opt-in events, a superset webhook() narrows', () => {
    const setting = eventSetting(offered, catalogue, 40);
    expect(setting).toBe('*,messages.history');
    expect(delivered(setting)).toEqual(expect.arrayContaining(offered));
  });
});
