import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startSimulator, type SimulatorState } from './index';

const USAGE = `usage: npm run sim -- [--port 7780] [--media-port N] [--env-file FILE] [--state FILE] [--account PHONE[:NAME]]... [--echo]

Prints WHATSAPP_WS_URL, WHATSAPP_ROOT_KEY, WHATSAPP_MEDIA_HOSTS and NODE_EXTRA_CA_CERTS (and writes them to --env-file).
Node 24 itself aborts when an --env-file after the script name does not exist yet: create the file
first, or use --write-env FILE (same meaning).
--state FILE  restores the simulator from FILE if it exists and saves it there on SIGINT/SIGTERM.
--account     creates an account (with its hosted device) at start unless it already exists.
--echo        every account answers each text it receives with "Echo: <text>" (POST /control/echo changes it).
Set WA_SIM_LOG=debug for server logs.`;

async function main() {
  const { values } = parseArgs({
    args: process.argv.slice(2).filter((arg, i) => !(i === 0 && arg === '--')),
    options: {
      port: { type: 'string', default: '7780' },
      'media-port': { type: 'string' },
      'env-file': { type: 'string' },
      'write-env': { type: 'string' },
      state: { type: 'string' },
      account: { type: 'string', multiple: true },
      echo: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const state = values.state ? readState(values.state) : undefined;
  const sim = await startSimulator({
    port: Number(values.port),
    mediaPort: values['media-port'] ? Number(values['media-port']) : undefined,
    state,
    echo: values.echo,
  });
  for (const spec of values.account ?? []) {
    const [phone, name] = spec.split(':');
    if (!sim.accounts().some((a) => a.phone === phone)) await sim.createAccount(phone!, name);
  }
  const env = [
    `WHATSAPP_WS_URL=${sim.wsUrl}`,
    `WHATSAPP_ROOT_KEY=${sim.rootPublicKeyBase64}`,
    `WHATSAPP_MEDIA_HOSTS=127.0.0.1:${sim.mediaPort}`,
    `NODE_EXTRA_CA_CERTS=${sim.caCertPath}`,
  ];
  console.log(env.join('\n'));
  const envFile = values['env-file'] ?? values['write-env'];
  if (envFile) writeFileSync(envFile, `${env.join('\n')}\n`);
  console.error(
    `WhatsApp simulator listening: websocket ${sim.wsUrl}, control API ${sim.httpUrl}/control, media https://127.0.0.1:${sim.mediaPort}`,
  );

  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    await sim.stop();
    if (values.state) writeFileSync(values.state, JSON.stringify(sim.exportState()));
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown());
  process.on('SIGTERM', () => void shutdown());
}

function readState(file: string): SimulatorState | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf-8')) as SimulatorState;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  console.error(USAGE);
  process.exit(1);
});
