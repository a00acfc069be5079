import { startSimulator, trustSimulator, type Simulator } from '../wa-sim';
import { startGateway, type GatewayOptions, type TestGateway } from './gateway';
import { eventually } from './eventually';

export interface WhatsAppWorld {
  sim: Simulator;
  gateway: TestGateway;
}

/** Environment that points a gateway at a simulator. */
export const gatewayEnvFor = (sim: Simulator): Record<string, string> => ({
  WHATSAPP_WS_URL: sim.wsUrl,
  WHATSAPP_ROOT_KEY: sim.rootPublicKeyBase64,
  WHATSAPP_MEDIA_HOSTS: `127.0.0.1:${sim.mediaPort}`,
  SESSION_STATUS_MIN_INTERVAL_MS: '100',
  RECONNECT_BASE_DELAY_MS: '200',
  RECONNECT_MAX_DELAY_MS: '2000',
  BAILEYS_LOG_LEVEL: 'silent',
});

export async function startWhatsAppWorld(
  label: string,
  env: Record<string, string> = {},
  options: GatewayOptions = {},
): Promise<WhatsAppWorld> {
  const sim = await startSimulator();
  trustSimulator(sim);
  try {
    const gateway = await startGateway(label, { ...gatewayEnvFor(sim), ...env }, options);
    return { sim, gateway };
  } catch (error) {
    await sim.stop();
    throw error;
  }
}

/** Polls the REST API until the session satisfies `accept`. */
export function sessionWhere(gateway: TestGateway, key: string, sessionId: string, accept: (session: any) => boolean, timeoutMs = 10_000) {
  return eventually(
    async () => (await gateway.api.get(`/api/v1/sessions/${sessionId}`, { key })).body,
    accept,
    timeoutMs,
    `session ${sessionId}`,
  );
}

/** Creates a session through the API and links it to `phone` by scanning its QR in the simulator. */
export async function pairByQr(world: WhatsAppWorld, key: string, sessionId: string, phone: string, body: Record<string, unknown> = {}) {
  const created = await world.gateway.api.post('/api/v1/sessions', { key, body: { sessionId, ...body } });
  if (created.status !== 201) throw new Error(`could not create session: ${JSON.stringify(created.body)}`);
  const waiting = await sessionWhere(world.gateway, key, sessionId, (s) => s.status === 'QR_REQUIRED');
  await world.sim.scan(phone, waiting.qrCode);
  return sessionWhere(world.gateway, key, sessionId, (s) => s.status === 'CONNECTED');
}

export interface ConnectedWorld extends WhatsAppWorld {
  /** The admin's API key (owner of the session). */
  key: string;
  /** The phone number the gateway's session "me" is linked to. */
  me: string;
  sessionRowId: string;
  close(): Promise<void>;
}

/**
 * A simulator with accounts (`me` plus `contacts`, phone → name) and a gateway whose session "me"
 * is paired with `me` and CONNECTED.
 */
export async function startConnectedWorld(
  label: string,
  accounts: { me: string; contacts: Record<string, string> },
  env: Record<string, string> = {},
): Promise<ConnectedWorld> {
  const world = await startWhatsAppWorld(label, env);
  const close = async () => {
    await world.gateway.close();
    await world.sim.stop();
  };
  const key = world.gateway.adminKey;
  try {
    await world.sim.createAccount(accounts.me, 'Me');
    for (const [phone, name] of Object.entries(accounts.contacts)) await world.sim.createAccount(phone, name);
    await pairByQr(world, key, 'me', accounts.me);
    const { id } = await world.gateway.ctx.db.selectFrom('Session').select('id').where('sessionId', '=', 'me').executeTakeFirstOrThrow();
    return { ...world, key, me: accounts.me, sessionRowId: id, close };
  } catch (error) {
    await close();
    throw error;
  }
}

export const phoneJid = (phone: string) => `${phone}@s.whatsapp.net`;

/** Waits until the gateway has stored the message with this WhatsApp id, and returns its row. */
export function storedMessage(gateway: TestGateway, sessionRowId: string, messageId: string, timeoutMs = 10_000) {
  return eventually(
    () =>
      gateway.ctx.db
        .selectFrom('Message')
        .selectAll()
        .where('sessionId', '=', sessionRowId)
        .where('messageId', '=', messageId)
        .executeTakeFirst(),
    (row) => row !== undefined,
    timeoutMs,
    `message ${messageId} stored`,
  ).then((row) => row!);
}
