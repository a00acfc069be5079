import { createServer } from 'node:net';
import { buildDashboardIfNeeded } from '../server/scripts/build-if-needed';
import { startSimulator, type Simulator } from '../test/wa-sim';
import { resetDatabase } from './database';
import { describeEvent } from './describe-event';
import { spawnGateway, type GatewayChild } from './gateway';
import { GatewayApi } from './gateway-api';
import { parseOptions, USAGE, UsageError, type DemoOptions } from './options';
import { EventReceiver } from './receiver';

const DEMO_ADMIN = { email: 'demo@example.com', password: 'demo-password' };
const SESSION_ID = 'demo';
const PHONE = { phone: '15550100000', name: 'Demo Phone' };
const CONTACTS = [
  { phone: '15550100001', name: 'Alice' },
  { phone: '15550100002', name: 'Bob' },
  { phone: '15550100003', name: 'Carol' },
];

const say = (line: string): void => void process.stdout.write(`${line}\n`);

/** Everything the demo started, so that a signal or a failure at any point stops exactly that. */
class Running {
  sim?: Simulator;
  gateway?: GatewayChild;
  receiver?: EventReceiver;
  private stopping?: Promise<void>;

  get stopped(): boolean {
    return this.stopping !== undefined;
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      await this.receiver?.stop();
      await this.gateway?.stop();
      await this.sim?.stop();
    })();
    return this.stopping;
  }
}

/** Fails clearly when something already listens there (another demo, a gateway): /health would ask it instead. */
async function assertPortFree(port: number): Promise<void> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', () => reject(new UsageError(`port ${port} is in use; pick another with --port`)));
    probe.listen(port, '127.0.0.1', resolve);
  });
  await new Promise((resolve) => probe.close(resolve));
}

async function start(options: DemoOptions, running: Running, onGatewayCrash: (error: Error) => void): Promise<void> {
  const startedAt = Date.now();
  await assertPortFree(options.port);
  say(`Resetting the database ${options.databaseName} and starting the WhatsApp simulator …`);
  const [, sim] = await Promise.all([resetDatabase(options.databaseUrl), startSimulator({ port: options.simPort })]);
  running.sim = sim;
  // the simulated phones come online while the gateway starts
  const accounts = Promise.all([PHONE, ...CONTACTS].map(({ phone, name }) => sim.createAccount(phone, name)));
  accounts.catch(() => undefined);

  buildDashboardIfNeeded();
  say('Starting the gateway …');
  const gateway = (running.gateway = spawnGateway(
    {
      PORT: String(options.port),
      HOST: '127.0.0.1',
      DATABASE_URL: options.databaseUrl,
      ADMIN_EMAIL: DEMO_ADMIN.email,
      ADMIN_PASSWORD: DEMO_ADMIN.password,
      BCRYPT_COST: '10',
      LOG_LEVEL: options.verbose ? 'info' : 'warn',
      // Baileys logs the normal restart after a QR scan (515) as an error
      BAILEYS_LOG_LEVEL: options.verbose ? 'warn' : 'fatal',
      WHATSAPP_WS_URL: sim.wsUrl,
      WHATSAPP_ROOT_KEY: sim.rootPublicKeyBase64,
      WHATSAPP_MEDIA_HOSTS: `127.0.0.1:${sim.mediaPort}`,
      NODE_EXTRA_CA_CERTS: sim.caCertPath,
      WEBHOOK_ALLOW_PRIVATE: 'true',
      WEBHOOK_POLL_INTERVAL_MS: '200',
      SESSION_STATUS_MIN_INTERVAL_MS: '100',
    },
    (line) => say(`[gateway] ${line}`),
  ));
  gateway.crashed.catch(onGatewayCrash);
  const apiKey = await gateway.adminKey;
  const api = new GatewayApi(`http://127.0.0.1:${options.port}`, apiKey);
  await Promise.race([api.until('/health', () => true, 'the gateway to answer /health'), gateway.crashed]);

  const receiver = (running.receiver = new EventReceiver(
    (event) => say(`[webhook] ${describeEvent(event)}`),
    (reason) => say(`[webhook] REJECTED ${reason}`),
  ));
  const receiverUrl = await receiver.start(options.webhookPort);
  await api.expect(201, 'POST', '/api/v1/webhooks', { url: receiverUrl, event: '*', secret: receiver.secret });

  await accounts;
  for (const contact of CONTACTS) sim.setEcho(contact.phone, true);
  say(`Linking the session "${SESSION_ID}" to the simulated phone +${PHONE.phone} …`);
  await api.expect(201, 'POST', '/api/v1/sessions', { sessionId: SESSION_ID, name: PHONE.name });
  const waiting = await api.until(`/api/v1/sessions/${SESSION_ID}`, (s) => !!s.qrCode, 'a QR code');
  await sim.scan(PHONE.phone, waiting.qrCode);
  await api.until(`/api/v1/sessions/${SESSION_ID}`, (s) => s.status === 'CONNECTED', 'the session to connect');
  await sim.send(CONTACTS[0]!.phone, {
    to: PHONE.phone,
    text: `Hi, I'm ${CONTACTS[0]!.name}, a simulated contact. Write me and I answer.`,
  });

  printBanner(options, apiKey, (Date.now() - startedAt) / 1000);
}

function printBanner(options: DemoOptions, apiKey: string, seconds: number) {
  const base = `http://localhost:${options.port}`;
  const [first] = CONTACTS;
  const body = JSON.stringify({ type: 'text', to: first!.phone, text: `Hello ${first!.name}!` });
  say(
    [
      '',
      `=== Demo ready in ${seconds.toFixed(1)} s ===`,
      `Dashboard:  ${base}/   (log in as ${DEMO_ADMIN.email} / ${DEMO_ADMIN.password}; listening on 127.0.0.1 only)`,
      `API docs:   ${base}/docs`,
      `API key:    ${apiKey}`,
      `Session:    ${SESSION_ID}, linked to the simulated phone +${PHONE.phone}`,
      `Contacts:   ${CONTACTS.map((c) => `${c.name} +${c.phone}`).join(', ')} (each answers a text with "Echo: <text>")`,
      '',
      'Send a message:',
      `  curl -X POST ${base}/api/v1/sessions/${SESSION_ID}/messages \\`,
      `    -H 'X-API-Key: ${apiKey}' -H 'Content-Type: application/json' \\`,
      `    -d '${body}'`,
      '',
      'Every webhook event prints below as [webhook] (signatures verified). Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
}

async function main(): Promise<void> {
  let options: DemoOptions | 'help';
  try {
    options = parseOptions(process.argv.slice(2), process.env);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}\n`);
    process.exit(2);
  }
  if (options === 'help') return say(USAGE);
  const running = new Running();
  const shutdown = async (code: number) => {
    // npm passes the terminal's Ctrl-C on as a second SIGINT
    if (running.stopped) return;
    say('Stopping the gateway, the simulator and the webhook receiver …');
    await running.stop();
    say('Stopped.');
    process.exit(code);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void shutdown(0));
  const onGatewayCrash = (error: Error) => {
    if (running.stopped) return;
    say(`${error.message}; stopping the demo.`);
    void shutdown(1);
  };
  try {
    await start(options, running, onGatewayCrash);
  } catch (error) {
    if (running.stopped) return;
    process.stderr.write(`The demo could not start: ${error instanceof UsageError ? error.message : (error as Error).stack}\n`);
    await shutdown(1);
  }
}

void main();
