import { readFileSync } from 'node:fs';
import path from 'node:path';
import { eventually } from '../helpers/eventually';
import { phoneJid, startConnectedWorld, type ConnectedWorld } from '../helpers/whatsapp';
import { fakeMedia, startMediaServer, type MediaServer } from './media-server';
import { json, messageHelpers } from './message-world';

jest.setTimeout(120_000);

const ME = '15550601001';
const CARA = '15550601002';
const DAN = '15550601003';
const PNG = readFileSync(path.join(__dirname, '../fixtures/tiny.png'));
const VIDEO = fakeMedia('mp4', 3000);
const VOICE = fakeMedia('ogg', 1500);
const STICKER = fakeMedia('webp', 800);
const PDF = fakeMedia('pdf', 2500);

let world: ConnectedWorld;
let media: MediaServer;
const { api, send, row, rowWhere, inbox, sent, received, rawGet } = messageHelpers(() => world);

beforeAll(async () => {
  world = await startConnectedWorld(
    'messages_send',
    { me: ME, contacts: { [CARA]: 'Cara', [DAN]: 'Dan' } },
    { MEDIA_URL_ALLOW_PRIVATE: 'true' },
  );
  media = await startMediaServer({
    '/clips/holiday.mp4': { body: VIDEO, type: 'video/mp4' },
    '/files/report.pdf': { body: PDF, type: 'application/pdf' },
    '/download': { body: PDF, type: 'application/octet-stream', disposition: 'attachment; filename="quarterly.pdf"' },
  });
});
afterAll(async () => {
  await media?.close();
  await world?.close();
});

describe('text', () => {
  it('is stored at once as PENDING, arrives as sent, and moves to DELIVERED and READ', async () => {
    const upserts: { messageId: string; status: string }[] = [];
    const stop = world.gateway.ctx.bus.on('messages.upsert', (event) => {
      upserts.push(...event.payload.messages.map(({ messageId, status }) => ({ messageId, status })));
    });
    const response = await send({ to: `+${CARA}`, type: 'text', text: 'Hello Cara, see https://example.com/page' });
    expect(response.status).toBe(201);
    const { messageId, status, timestamp } = response.body;
    expect(messageId).toMatch(/^[0-9A-F]{10,}$/);
    expect(['PENDING', 'SENT', 'DELIVERED']).toContain(status);
    expect(Math.abs(Date.parse(timestamp) - Date.now())).toBeLessThan(60_000);

    const stored = await row(messageId);
    expect(stored).toMatchObject({ fromMe: true, chatId: phoneJid(CARA), toJid: phoneJid(CARA), messageType: 'TEXT' });

    const entry = await inbox(CARA, (e) => e.id === messageId);
    expect(entry).toMatchObject({ type: 'text', text: 'Hello Cara, see https://example.com/page', from: phoneJid(ME), fromMe: false });
    expect(JSON.stringify(entry.message)).not.toMatch(/matchedText|canonicalUrl|jpegThumbnail/);

    await rowWhere(messageId, (r) => r.status === 'DELIVERED' || r.status === 'READ');
    await world.sim.read(CARA, phoneJid(ME), [messageId]);
    await rowWhere(messageId, (r) => r.status === 'READ');

    const chats = await api().get('/api/v1/sessions/me/chats', { key: world.key });
    expect(chats.body.data.find((c: { jid: string }) => c.jid === phoneJid(CARA)).lastMessage).toMatchObject({
      id: messageId,
      fromMe: true,
    });
    // A later message goes out on the same socket and its delivery receipt comes back on it, both
    // stored through the same queue onto the bus: once its upsert and its DELIVERED are there, a
    // second upsert of the first message (from its send, receipts or read) would have come before.
    const later = await sent({ to: CARA, type: 'text', text: 'and one more' });
    await rowWhere(later, (r) => r.status === 'DELIVERED' || r.status === 'READ');
    expect(upserts.filter((m) => m.messageId === later)).toHaveLength(1);
    stop();
    expect(upserts.filter((m) => m.messageId === messageId)).toEqual([{ messageId, status: 'PENDING' }]);
  });

  it('sends to a LID; the row is kept under the phone number', async () => {
    const lid = world.sim.account(CARA).lid;
    expect(lid).toMatch(/@lid$/);
    const messageId = await sent({ to: lid, type: 'text', text: 'via LID' });
    expect(await inbox(CARA, (e) => e.id === messageId)).toMatchObject({ text: 'via LID', from: phoneJid(ME) });
    expect((await row(messageId))!.chatId).toBe(phoneJid(CARA));
  });

  it('quotes a stored message and mentions people by number or JID', async () => {
    const question = await received(CARA, { to: ME, text: 'Who brings the cake?' });
    const messageId = await sent({
      to: phoneJid(CARA),
      type: 'text',
      text: `@${DAN} does, ask @${CARA}`,
      quotedMessageId: question,
      mentions: [`+${DAN}`, phoneJid(CARA)],
    });
    const entry = await inbox(CARA, (e) => e.id === messageId);
    expect(entry).toMatchObject({ type: 'text', quotedId: question });
    const contextInfo = json(entry.message).extendedTextMessage.contextInfo;
    expect(contextInfo.mentionedJid).toEqual([phoneJid(DAN), phoneJid(CARA)]);
    expect(contextInfo.quotedMessage.conversation ?? contextInfo.quotedMessage.extendedTextMessage?.text).toBe('Who brings the cake?');
    const stored = await row(messageId);
    expect(stored!.quotedMessage).toBe(question);
  });
});

describe('media', () => {
  it('sends an image from base64 with a caption; the contact decrypts the same bytes', async () => {
    const messageId = await sent({ to: CARA, type: 'image', base64: PNG.toString('base64'), caption: 'tiny picture' });
    const entry = await inbox(CARA, (e) => e.id === messageId);
    expect(entry).toMatchObject({ type: 'image', caption: 'tiny picture', mimetype: 'image/png' });
    expect((await world.sim.inboxMedia(CARA, messageId)).bytes.equals(PNG)).toBe(true);
    expect((await row(messageId))!.messageType).toBe('IMAGE');
  });

  it('sends a video fetched from a URL, with a caption', async () => {
    const messageId = await sent({ to: CARA, type: 'video', url: media.url('/clips/holiday.mp4'), caption: 'the beach' });
    const entry = await inbox(CARA, (e) => e.id === messageId);
    expect(entry).toMatchObject({ type: 'video', caption: 'the beach', mimetype: 'video/mp4' });
    expect((await world.sim.inboxMedia(CARA, messageId)).bytes.equals(VIDEO)).toBe(true);
  });

  it('sends a voice note (ptt) and plain audio', async () => {
    const voice = await sent({ to: CARA, type: 'audio', base64: VOICE.toString('base64'), ptt: true });
    const entry = await inbox(CARA, (e) => e.id === voice);
    expect(entry).toMatchObject({ type: 'audio', mimetype: 'audio/ogg; codecs=opus' });
    expect(json(entry.message).audioMessage.ptt).toBe(true);
    expect((await world.sim.inboxMedia(CARA, voice)).bytes.equals(VOICE)).toBe(true);

    const song = await sent({ to: CARA, type: 'audio', base64: `data:audio/mpeg;base64,${VOICE.toString('base64')}` });
    const plain = await inbox(CARA, (e) => e.id === song);
    expect(plain).toMatchObject({ type: 'audio', mimetype: 'audio/mpeg' });
    expect(json(plain.message).audioMessage.ptt ?? false).toBe(false);
  });

  it('sends documents with their file name: given, from the URL path, or from Content-Disposition', async () => {
    const named = await sent({
      to: CARA,
      type: 'document',
      url: media.url('/files/report.pdf'),
      fileName: 'Report Q3.pdf',
      caption: 'numbers',
    });
    expect(await inbox(CARA, (e) => e.id === named)).toMatchObject({
      type: 'document',
      fileName: 'Report Q3.pdf',
      mimetype: 'application/pdf',
      caption: 'numbers',
    });
    expect((await world.sim.inboxMedia(CARA, named)).bytes.equals(PDF)).toBe(true);

    const fromPath = await sent({ to: CARA, type: 'document', url: media.url('/files/report.pdf') });
    expect(await inbox(CARA, (e) => e.id === fromPath)).toMatchObject({ fileName: 'report.pdf', mimetype: 'application/pdf' });

    const fromHeader = await sent({ to: CARA, type: 'document', url: media.url('/download') });
    expect(await inbox(CARA, (e) => e.id === fromHeader)).toMatchObject({ fileName: 'quarterly.pdf', mimetype: 'application/pdf' });
  });

  it('sends a sticker', async () => {
    const messageId = await sent({ to: CARA, type: 'sticker', base64: STICKER.toString('base64') });
    expect(await inbox(CARA, (e) => e.id === messageId)).toMatchObject({ type: 'sticker', mimetype: 'image/webp' });
    expect((await world.sim.inboxMedia(CARA, messageId)).bytes.equals(STICKER)).toBe(true);
  });

  it('downloads the media of received and sent messages, identical to the original', async () => {
    const incoming = await received(CARA, { to: ME, image: PNG.toString('base64'), mimetype: 'image/png', caption: 'for you' });
    const download = await rawGet(`/api/v1/sessions/me/messages/${incoming}/media`);
    expect(download.status).toBe(200);
    expect(download.headers['content-type']).toBe('image/png');
    expect(download.headers['content-disposition']).toBeUndefined();
    expect(download.bytes.equals(PNG)).toBe(true);

    const outgoing = await sent({
      to: CARA,
      type: 'document',
      base64: PDF.toString('base64'),
      fileName: 'Straße.pdf',
      mimetype: 'application/pdf',
    });
    const own = await rawGet(`/api/v1/sessions/me/messages/${outgoing}/media`);
    expect(own.status).toBe(200);
    expect(own.headers['content-type']).toBe('application/pdf');
    expect(own.headers['content-disposition']).toBe(`attachment; filename="Stra_e.pdf"; filename*=UTF-8''Stra%C3%9Fe.pdf`);
    expect(own.bytes.equals(PDF)).toBe(true);
  });
});

describe('location, contacts, polls and reactions', () => {
  it('sends a location', async () => {
    const messageId = await sent({
      to: CARA,
      type: 'location',
      latitude: 52.520008,
      longitude: 13.404954,
      name: 'Alexanderplatz',
      address: 'Berlin',
    });
    expect((await inbox(CARA, (e) => e.id === messageId)).location).toEqual({
      latitude: 52.520008,
      longitude: 13.404954,
      name: 'Alexanderplatz',
      address: 'Berlin',
    });
  });

  it('sends one contact card and several', async () => {
    const one = await sent({ to: CARA, type: 'contact', contacts: [{ name: 'Dan Smith', phone: `+${DAN}` }] });
    const card = await inbox(CARA, (e) => e.id === one);
    expect(card.type).toBe('contact');
    expect(card.contacts![0]!.displayName).toBe('Dan Smith');
    expect(card.contacts![0]!.vcard).toContain(`TEL;type=CELL;type=VOICE;waid=${DAN}:+${DAN}`);
    expect(card.contacts![0]!.vcard).toContain('FN:Dan Smith');

    const two = await sent({
      to: CARA,
      type: 'contact',
      contacts: [
        { name: 'Dan', phone: DAN },
        { name: 'Office; main', phone: '+49 30 1234567' },
      ],
    });
    const cards = await inbox(CARA, (e) => e.id === two);
    expect(cards.type).toBe('contacts');
    expect(cards.contacts!.map((c) => c.displayName)).toEqual(['Dan', 'Office; main']);
    expect(cards.contacts![1]!.vcard).toContain('FN:Office\\; main');
    expect(cards.contacts![1]!.vcard).toContain('waid=49301234567:+49301234567');
  });

  it('sends a poll', async () => {
    const messageId = await sent({ to: CARA, type: 'poll', name: 'Lunch?', options: ['Pizza', 'Sushi', 'Salad'], selectableCount: 2 });
    expect((await inbox(CARA, (e) => e.id === messageId)).poll).toEqual({
      name: 'Lunch?',
      options: ['Pizza', 'Sushi', 'Salad'],
      selectableCount: 2,
    });
    expect((await row(messageId))!.messageType).toBe('POLL');
    const single = await sent({ to: CARA, type: 'poll', name: 'Yes or no', options: ['Yes', 'No'] });
    expect((await inbox(CARA, (e) => e.id === single)).poll).toMatchObject({ selectableCount: 1 });
  });

  it('reacts to a message and takes the reaction back', async () => {
    const target = await received(CARA, { to: ME, text: 'I passed the exam!' });
    const reaction = await sent({ to: CARA, type: 'reaction', messageId: target, emoji: '🎉' });
    expect((await inbox(CARA, (e) => e.id === reaction)).reaction).toEqual({ targetId: target, emoji: '🎉' });
    const removal = await sent({ to: CARA, type: 'reaction', messageId: target, emoji: '' });
    expect((await inbox(CARA, (e) => e.id === removal)).reaction).toEqual({ targetId: target, emoji: '' });
  });
});

describe('groups', () => {
  it('sends a text to a group; every member receives it', async () => {
    const group = await world.sim.createGroup(CARA, 'Cake committee', [ME, DAN]);
    await eventually(
      () => api().get('/api/v1/sessions/me/groups', { key: world.key }),
      (res) => res.body.data.some((g: { jid: string }) => g.jid === group.id),
      10_000,
      'group stored',
    );
    const messageId = await sent({ to: group.id, type: 'text', text: 'Hello committee' });
    expect(await inbox(CARA, (e) => e.id === messageId)).toMatchObject({ chat: group.id, text: 'Hello committee', from: phoneJid(ME) });
    expect(await inbox(DAN, (e) => e.id === messageId)).toMatchObject({ chat: group.id, text: 'Hello committee' });
    expect(await row(messageId)).toMatchObject({ chatId: group.id, fromMe: true });
  });

  it('marks a message WhatsApp refuses (announcement group, not an admin) FAILED', async () => {
    const group = await world.sim.createGroup(CARA, 'Announcements', [ME]);
    await world.sim.groupUpdate(CARA, group.id, { setting: 'announcement' });
    await eventually(
      () => api().get('/api/v1/sessions/me/groups', { key: world.key }),
      (res) =>
        res.body.data.some(
          (g: { jid: string; settings: { announce?: boolean } | null }) => g.jid === group.id && g.settings?.announce === true,
        ),
      10_000,
      'announcement group stored',
    );
    const response = await send({ to: group.id, type: 'text', text: 'may I?' });
    expect(response.status).toBe(201);
    const failed = await rowWhere(response.body.messageId, (r) => r.status === 'FAILED', 'FAILED');
    expect(json(failed.metadata)).toMatchObject({ errorCode: '403', error: expect.stringContaining('not allowed to send in this chat') });
  });
});
