import { eventually } from '../helpers/eventually';
import { sessionWhere, startConnectedWorld, type ConnectedWorld } from '../helpers/whatsapp';

jest.setTimeout(180_000);

const ME = '15550871001';
const ANA = '15550871002';

let world: ConnectedWorld;

beforeAll(async () => {
  world = await startConnectedWorld('stop_while_receiving', { me: ME, contacts: { [ANA]: 'Ana' } });
});
afterAll(async () => world?.close());

async function storedIds(): Promise<Set<string>> {
  const rows = await world.gateway.ctx.db.selectFrom('Message').select('messageId').where('sessionId', '=', world.sessionRowId).execute();
  return new Set(rows.map((row) => row.messageId));
}

// Baileys sends a message's receipt before it emits the message; a stop that ended the socket in between
// lost the message: WhatsApp had its receipt and never sent it again.
it('messages arriving while the session is disconnected on purpose are all stored once it is back', async () => {
  const sent: string[] = [];
  for (let round = 0; round < 4; round++) {
    const burst = (async () => {
      for (let n = 0; n < 40; n++) sent.push((await world.sim.send(ANA, { to: ME, text: `round ${round} message ${n}` })).id);
    })();
    await new Promise((resolve) => setTimeout(resolve, 50 + round * 40));
    expect((await world.gateway.api.post('/api/v1/sessions/me/disconnect', { key: world.key })).status).toBe(200);
    await burst;
    expect((await world.gateway.api.post('/api/v1/sessions/me/connect', { key: world.key })).status).toBe(200);
    await sessionWhere(world.gateway, world.key, 'me', (s) => s.status === 'CONNECTED');
  }
  const stored = await eventually(storedIds, (ids) => sent.every((id) => ids.has(id)), 60_000, 'every message stored').catch(
    async (error: Error) => {
      const ids = await storedIds();
      throw new Error(
        `${error.message.slice(0, 100)}; missing ${sent
          .map((id, i) => (ids.has(id) ? '' : `#${i} ${id}`))
          .filter(Boolean)
          .join(', ')} of ${sent.length}`,
      );
    },
  );
  expect(sent.filter((id) => !stored.has(id))).toEqual([]);
});
