import type { TestClient } from './client';
import { useSimulator } from './fixtures';

const ALICE = '15550006001';
const BOB = '15550006002';
const pn = (phone: string) => `${phone}@s.whatsapp.net`;
/** a 32x32 blue JPEG (Baileys resizes profile pictures with sharp or jimp before uploading) */
const JPEG = Buffer.from(
  '/9j/2wBDABALDA4MChAODQ4SERATGCgaGBYWGDEjJR0oOjM9PDkzODdASFxOQERXRTc4UG1RV19iZ2hnPk1xeXBkeFxlZ2P/2wBDARESEhgVGC8aGi9jQjhCY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2P/wAARCAAgACADASIAAhEBAxEB/8QAFQABAQAAAAAAAAAAAAAAAAAAAAT/xAAUEAEAAAAAAAAAAAAAAAAAAAAA/8QAFgEBAQEAAAAAAAAAAAAAAAAAAAUG/8QAFBEBAAAAAAAAAAAAAAAAAAAAAP/aAAwDAQACEQMRAD8AjAahNAAAAAAf/9k=',
  'base64',
);

describe('presence, chatstate, profile and blocking', () => {
  const env = useSimulator();
  let alice: TestClient;
  let bob: TestClient;

  beforeAll(async () => {
    await Promise.all([env.sim.createAccount(ALICE, 'Alice'), env.sim.createAccount(BOB, 'Bob')]);
    [alice, bob] = await Promise.all([env.link(ALICE), env.link(BOB)]);
  });

  const presenceOf = (client: TestClient, chat: string, participant: string, state: string) =>
    client.waitFor('presence.update', (u) => u.id === chat && u.presences[participant]?.lastKnownPresence === state);

  test('subscribing to a contact gives its presence, and later changes are pushed', async () => {
    await alice.sock.presenceSubscribe(pn(BOB));
    await presenceOf(alice, pn(BOB), pn(BOB), 'unavailable');
    await bob.sock.sendPresenceUpdate('available');
    await presenceOf(alice, pn(BOB), pn(BOB), 'available');
    await bob.sock.sendPresenceUpdate('unavailable');
    const gone = await alice.waitFor(
      'presence.update',
      (u) => u.presences[pn(BOB)]?.lastKnownPresence === 'unavailable' && !!u.presences[pn(BOB)]?.lastSeen,
      5000,
      alice.events.length,
    );
    expect(gone.presences[pn(BOB)]!.lastSeen).toBeGreaterThan(Date.now() / 1000 - 60);
  });

  test('chatstates are relayed to the peer’s devices and to group members', async () => {
    await alice.sock.sendPresenceUpdate('composing', pn(BOB));
    await presenceOf(bob, pn(ALICE), pn(ALICE), 'composing');
    await env.sim.presence(BOB, 'recording', ALICE);
    await presenceOf(alice, pn(BOB), pn(BOB), 'recording');
    const group = await alice.sock.groupCreate('typing room', [pn(BOB)]);
    await bob.waitFor('groups.upsert', (gs) => gs.some((g) => g.id === group.id));
    await alice.sock.sendPresenceUpdate('composing', group.id);
    await presenceOf(bob, group.id, env.sim.account(ALICE).lid, 'composing');
  });

  test('profile pictures: none is a 404, a set one is served by the media server', async () => {
    await expect(bob.sock.profilePictureUrl(pn(ALICE))).rejects.toMatchObject({ data: 404 });
    await alice.sock.updateProfilePicture(pn(ALICE), JPEG);
    const url = await bob.sock.profilePictureUrl(pn(ALICE), 'image');
    expect(url).toMatch(new RegExp(`^https://127\\.0\\.0\\.1:${env.sim.mediaPort}/pps/`));
    const served = Buffer.from(await (await fetch(url!)).arrayBuffer());
    expect(served.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    await alice.sock.removeProfilePicture(pn(ALICE));
    await expect(bob.sock.profilePictureUrl(pn(ALICE))).rejects.toMatchObject({ data: 404 });
  });

  test('status text is stored and answered in usync; nobody is a business', async () => {
    expect(await bob.sock.getBusinessProfile(pn(ALICE))).toBeUndefined();
    await alice.sock.updateProfileStatus('Out fishing');
    const [result] = (await bob.sock.fetchStatus(pn(ALICE)))!;
    expect((result as { status?: { status?: string } }).status?.status).toBe('Out fishing');
  });

  test('block and unblock: the blocklist changes and blocked senders are not delivered', async () => {
    await alice.sock.updateBlockStatus(pn(BOB), 'block');
    expect(await alice.sock.fetchBlocklist()).toEqual([pn(BOB)]);
    const whileBlocked = await env.sim.send(BOB, { to: ALICE, text: 'are you there?' });
    const control = await env.sim.send(BOB, { to: BOB, text: 'note to self' });
    await bob.waitForMessage((m) => m.key.id === control.id);
    await alice.sock.updateBlockStatus(pn(BOB), 'unblock');
    expect(await alice.sock.fetchBlocklist()).toEqual([]);
    const after = await env.sim.send(BOB, { to: ALICE, text: 'now?' });
    await alice.waitForMessage((m) => m.key.id === after.id);
    // Bob's later message reached Alice over the same link: the blocked one, had it been delivered
    // (at once or held until the unblock), would have come before it.
    expect(alice.messages.has(whileBlocked.id)).toBe(false);
  });
});
