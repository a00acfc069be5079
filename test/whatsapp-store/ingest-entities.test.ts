import type { GroupMetadata } from '@whiskeysockets/baileys';
import { findChat, findContact, findGroup } from '../../server/src/whatsapp/store/read-queries';
import { ALICE, ALICE_LID, BOB, BOB_LID, eventsOf, openStore, waMessage, type StoreFixture } from './fixtures';

let store: StoreFixture;

beforeAll(async () => {
  store = await openStore('wa_entities');
});
afterAll(async () => {
  await store?.close();
});

describe('chats', () => {
  const chat = '15550000101@s.whatsapp.net';
  const read = () => findChat(store.db, store.sessionRowId, chat);

  it('upserts keep what an update does not mention', async () => {
    const pinnedAt = 1_764_000_000;
    const { events } = await store.ingest({
      'chats.upsert': [
        {
          id: chat,
          name: 'Carol',
          archived: true,
          pinned: pinnedAt,
          muteEndTime: Date.now() + 3_600_000,
          unreadCount: 4,
          conversationTimestamp: 1_764_000_000,
        },
      ],
    });
    expect(await read()).toMatchObject({ name: 'Carol', isGroup: false, isArchived: true, isPinned: true, isMuted: true, unreadCount: 4 });
    expect((await read())!.metadata).toMatchObject({
      pinnedAt: new Date(pinnedAt * 1000).toISOString(),
      conversationAt: new Date(pinnedAt * 1000).toISOString(),
    });
    expect(eventsOf(events, 'chats.upsert')[0]!.payload.chats[0]).toMatchObject({ jid: chat, name: 'Carol' });

    const update = await store.ingest({ 'chats.update': [{ id: chat, archived: false }] });
    expect(await read()).toMatchObject({ name: 'Carol', isArchived: false, isPinned: true, isMuted: true, unreadCount: 4 });
    expect(eventsOf(update.events, 'chats.update')[0]!.payload).toMatchObject({ chats: [{ jid: chat, isArchived: false }], deleted: [] });

    await store.ingest({ 'chats.update': [{ id: chat, pinned: null, muteEndTime: null }] });
    expect(await read()).toMatchObject({ name: 'Carol', isPinned: false, isMuted: false, isArchived: false });
    await store.ingest({ 'chats.update': [{ id: chat, muteEndTime: Date.now() - 1000 }] });
    expect((await read())!.isMuted).toBe(false);

    const nothing = await store.ingest({ 'chats.update': [{ id: chat, archived: false }] });
    expect(eventsOf(nothing.events, 'chats.update')).toEqual([]);
  });

  it('chats.delete removes the chat and keeps its messages', async () => {
    const message = waMessage({ remoteJid: chat });
    await store.ingest({ 'messages.upsert': { messages: [message], type: 'notify' } });
    const { events } = await store.ingest({ 'chats.delete': [chat] });
    expect(await read()).toBeUndefined();
    expect(eventsOf(events, 'chats.update')[0]!.payload).toEqual({ chats: [], deleted: [chat] });
    const kept = await store.db.selectFrom('Message').select('id').where('messageId', '=', message.key.id!).execute();
    expect(kept).toHaveLength(1);
  });

  it('a LID chat is stored under its phone number when the mapping is known', async () => {
    await store.ingest({ 'lid-mapping.update': { lid: ALICE_LID, pn: ALICE }, 'chats.upsert': [{ id: ALICE_LID, name: 'Alice' }] });
    expect((await findChat(store.db, store.sessionRowId, ALICE))!.metadata).toMatchObject({ lid: ALICE_LID });
    expect(await findChat(store.db, store.sessionRowId, ALICE_LID)).toBeUndefined();
  });
});

describe('contacts', () => {
  const contact = '15550000201@s.whatsapp.net';
  const read = () => findContact(store.db, store.sessionRowId, contact);

  it('keep known fields when an update leaves them out', async () => {
    await store.ingest({
      'contacts.upsert': [
        { id: contact, name: 'Dave (work)', notify: 'Dave', imgUrl: 'https://pps.whatsapp.net/v/dave.jpg', verifiedName: 'Dave Ltd' },
      ],
    });
    expect(await read()).toMatchObject({
      name: 'Dave (work)',
      pushName: 'Dave',
      profilePicUrl: 'https://pps.whatsapp.net/v/dave.jpg',
      isBlocked: false,
      metadata: { verifiedName: 'Dave Ltd' },
    });

    const { events } = await store.ingest({ 'contacts.update': [{ id: contact, notify: 'Davey' }] });
    expect(await read()).toMatchObject({
      name: 'Dave (work)',
      pushName: 'Davey',
      profilePicUrl: 'https://pps.whatsapp.net/v/dave.jpg',
      metadata: { verifiedName: 'Dave Ltd' },
    });
    expect(eventsOf(events, 'contacts.upsert')[0]!.payload.contacts).toEqual([
      expect.objectContaining({ jid: contact, pushName: 'Davey' }),
    ]);

    await store.ingest({ 'contacts.update': [{ id: contact, imgUrl: 'changed' }] });
    expect(await read()).toMatchObject({
      profilePicUrl: 'https://pps.whatsapp.net/v/dave.jpg',
      metadata: { verifiedName: 'Dave Ltd', pictureChanged: true },
    });
    await store.ingest({ 'contacts.update': [{ id: contact, imgUrl: null }] });
    expect((await read())!.profilePicUrl).toBeNull();
  });

  it('stores names longer than their columns, clipped', async () => {
    const long = '15550000202@s.whatsapp.net';
    await store.ingest({ 'contacts.upsert': [{ id: long, name: '🧗'.repeat(300), notify: 'n'.repeat(400) }] });
    const stored = await findContact(store.db, store.sessionRowId, long);
    expect(Array.from(stored!.name!)).toHaveLength(255);
    expect(stored!.pushName).toHaveLength(255);
  });

  it('blocklist events set isBlocked', async () => {
    await store.ingest({ 'blocklist.update': { blocklist: [contact], type: 'add' } });
    expect((await read())!.isBlocked).toBe(true);
    await store.ingest({ 'blocklist.update': { blocklist: [contact], type: 'remove' } });
    expect(await read()).toMatchObject({ isBlocked: false, name: 'Dave (work)' });
  });

  it('LID contacts land on their phone number; groups are not contacts', async () => {
    await store.ingest({
      'contacts.upsert': [
        { id: BOB_LID, phoneNumber: BOB, notify: 'Bob' },
        { id: '120363000000000009@g.us', name: 'A group' },
      ],
    });
    expect(await findContact(store.db, store.sessionRowId, BOB)).toMatchObject({ pushName: 'Bob', metadata: { lid: BOB_LID } });
    expect(await findContact(store.db, store.sessionRowId, '120363000000000009@g.us')).toBeUndefined();
  });
});

describe('groups', () => {
  const jid = '120363000000000100@g.us';
  const read = () => findGroup(store.db, store.sessionRowId, jid);
  const carol = { lid: '900000000004@lid', pn: '15550000004@s.whatsapp.net' };
  const metadata: GroupMetadata = {
    id: jid,
    subject: 'Climbing',
    desc: 'Weekend trips',
    owner: ALICE_LID,
    ownerPn: ALICE,
    creation: 1_700_000_000,
    addressingMode: 'lid' as GroupMetadata['addressingMode'],
    announce: false,
    restrict: true,
    memberAddMode: false,
    joinApprovalMode: false,
    size: 2,
    participants: [
      { id: ALICE_LID, phoneNumber: ALICE, admin: 'superadmin' },
      { id: BOB_LID, phoneNumber: BOB, admin: null },
    ],
  };

  it('stores metadata with phone numbers, roles and settings, and names the group chat', async () => {
    const { events } = await store.ingest({ 'groups.upsert': [metadata] });
    const group = await read();
    expect(group).toMatchObject({ subject: 'Climbing', description: 'Weekend trips', owner: ALICE });
    expect(group!.participants).toEqual([
      { jid: ALICE, phoneJid: ALICE, lid: ALICE_LID, role: 'superadmin' },
      { jid: BOB, phoneJid: BOB, lid: BOB_LID, role: 'member' },
    ]);
    expect(group!.settings).toEqual({ announce: false, restrict: true, memberAddMode: false, joinApprovalMode: false });
    expect(group!.metadata).toMatchObject({
      creation: new Date(1_700_000_000_000).toISOString(),
      size: 2,
      ownerLid: ALICE_LID,
      addressingMode: 'lid',
    });
    expect(eventsOf(events, 'groups.upsert')[0]!.payload.groups[0]).toMatchObject({ jid, owner: ALICE });
    expect(await findChat(store.db, store.sessionRowId, jid)).toMatchObject({ name: 'Climbing', isGroup: true });
  });

  it('partial updates merge settings and keep everything else', async () => {
    const { events } = await store.ingest({ 'groups.update': [{ id: jid, announce: true, author: BOB_LID, authorPn: BOB }] });
    const group = await read();
    expect(group).toMatchObject({ subject: 'Climbing', description: 'Weekend trips', owner: ALICE });
    expect(group!.settings).toEqual({ announce: true, restrict: true, memberAddMode: false, joinApprovalMode: false });
    expect(group!.participants).toHaveLength(2);
    expect(eventsOf(events, 'groups.update')[0]!.payload.groups[0]).toMatchObject({ jid, settings: { announce: true } });

    await store.ingest({ 'groups.update': [{ id: jid, subject: 'Bouldering' }] });
    expect(await read()).toMatchObject({ subject: 'Bouldering', description: 'Weekend trips' });
    expect((await findChat(store.db, store.sessionRowId, jid))!.name).toBe('Bouldering');
  });

  it('ignores the whole-group copies Baileys re-emits after a fetch of every group', async () => {
    // The fetcher stores the answer itself; this copy arrives through the event queue, possibly after newer writes.
    const stale = { id: jid, subject: 'Old name', desc: undefined, participants: [{ id: ALICE, admin: 'superadmin' as const }] };
    await store.ingest({ 'groups.update': [stale] });
    expect(await read()).toMatchObject({ subject: 'Bouldering', description: 'Weekend trips' });
    expect((await read())!.participants).toHaveLength(2);
  });

  it('applies participant actions to the stored list', async () => {
    const act = (action: 'add' | 'remove' | 'promote' | 'demote', participants: { id: string; phoneNumber?: string }[]) =>
      store.ingest({ 'group-participants.update': { id: jid, author: ALICE_LID, authorPn: ALICE, participants, action } });
    const roles = async () => Object.fromEntries((await read())!.participants!.map((p) => [p.jid, p.role]));

    const added = await act('add', [{ id: carol.lid, phoneNumber: carol.pn }]);
    expect(await roles()).toEqual({ [ALICE]: 'superadmin', [BOB]: 'member', [carol.pn]: 'member' });
    expect((await read())!.metadata!.size).toBe(3);
    expect(eventsOf(added.events, 'group.participants')[0]!.payload).toEqual({
      groupJid: jid,
      action: 'add',
      author: ALICE,
      participants: [{ jid: carol.pn, phoneJid: carol.pn, lid: carol.lid, role: 'member' }],
    });
    await act('promote', [{ id: carol.lid }]);
    expect((await roles())[carol.pn]).toBe('admin');
    await act('demote', [{ id: carol.pn }]);
    expect((await roles())[carol.pn]).toBe('member');
    await act('remove', [{ id: BOB_LID }]);
    expect(await roles()).toEqual({ [ALICE]: 'superadmin', [carol.pn]: 'member' });
    expect((await read())!.subject).toBe('Bouldering');
  });

  it('reports participant changes of an unknown group without inventing its member list', async () => {
    const unknown = '120363000000000999@g.us';
    const { events } = await store.ingest({
      'group-participants.update': { id: unknown, author: ALICE, participants: [{ id: BOB }], action: 'add' },
    });
    expect(eventsOf(events, 'group.participants')).toHaveLength(1);
    expect((await findGroup(store.db, store.sessionRowId, unknown))!.participants).toBeNull();
  });
});

it('presence and calls become events without being stored', async () => {
  store.lids.learn(ALICE_LID, ALICE);
  const { events, statements } = await store.ingest({
    'presence.update': {
      id: ALICE_LID,
      presences: { [ALICE_LID]: { lastKnownPresence: 'composing' }, [BOB]: { lastKnownPresence: 'unavailable', lastSeen: 1_764_000_000 } },
    },
    call: [
      {
        chatId: ALICE_LID,
        from: ALICE_LID,
        id: 'CALL1',
        date: new Date(1_764_000_000_000),
        status: 'offer',
        offline: false,
        isVideo: true,
      },
    ],
  });
  expect(statements).toBe(0);
  expect(eventsOf(events, 'presence.update')[0]!.payload).toEqual({
    chatJid: ALICE,
    presences: [
      { jid: ALICE, presence: 'composing' },
      { jid: BOB, presence: 'unavailable', lastSeen: new Date(1_764_000_000_000).toISOString() },
    ],
  });
  expect(eventsOf(events, 'call')[0]!.payload.calls).toEqual([
    {
      callId: 'CALL1',
      chatJid: ALICE,
      from: ALICE,
      isGroup: false,
      isVideo: true,
      status: 'offer',
      offline: false,
      at: new Date(1_764_000_000_000).toISOString(),
    },
  ]);
  expect(events.every((event) => event.sessionRowId === store.sessionRowId)).toBe(true);
});
