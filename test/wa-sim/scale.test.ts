import { TestClient } from './client';
import { useSimulator } from './fixtures';

const ACCOUNTS = 10;
const DEVICES_PER_ACCOUNT = 20;
const phone = (i: number) => `1555001${String(i).padStart(4, '0')}`;

describe('scale', () => {
  const env = useSimulator();
  const clients: TestClient[] = [];

  afterAll(() => clients.forEach((c) => c.end()));

  test(`${ACCOUNTS * DEVICES_PER_ACCOUNT} concurrent client connections log in, and a message fans out to 40 devices`, async () => {
    await Promise.all(Array.from({ length: ACCOUNTS }, (_, i) => env.sim.createAccount(phone(i), `User ${i}`)));
    const auths = [];
    for (let i = 0; i < ACCOUNTS; i++) {
      for (let d = 0; d < DEVICES_PER_ACCOUNT; d++) auths.push(await env.sim.provisionDevice(phone(i), { preKeys: 10, announce: false }));
    }
    // all at once: every client handshakes, logs in and reaches open while the others do
    for (const auth of auths) clients.push(new TestClient(env.sim.wsUrl, { auth }));
    await Promise.all(clients.map((c) => c.waitForOpen(60_000)));
    expect(
      env.sim
        .accounts()
        .flatMap((a) => a.devices)
        .filter((d) => d.connected && !d.hosted),
    ).toHaveLength(200);

    const { id } = await env.sim.send(phone(0), { to: phone(1), text: 'to every device' });
    const receivers = clients.filter((c) => c.me!.id.startsWith(phone(1)) || c.me!.id.startsWith(phone(0)));
    expect(receivers).toHaveLength(2 * DEVICES_PER_ACCOUNT);
    await Promise.all(receivers.map((c) => c.waitForMessage((m) => m.key.id === id, 20_000)));
  }, 120_000);
});
