/**
 * `npm run test:n8n`: this package in a real n8n, end to end.
 *
 * 1. Installs the pinned n8n into a cache folder once (see install.ts), or reuses it.
 * 2. Starts the WhatsApp simulator and a gateway on a fresh MariaDB database (in this process),
 *    with a session "me" linked to a simulated phone, and a simulated contact.
 * 3. Starts n8n with the built dist/ as custom extensions, creates the owner and a Baileys API
 *    credential over n8n's REST API, imports a workflow "WhatsApp (Baileys) Trigger → WhatsApp
 *    (Baileys) send text" and activates it: the trigger registers its webhook on the gateway.
 * 4. The contact writes; the gateway delivers the signed event to n8n; the workflow answers on
 *    WhatsApp, quoting the message; the contact's phone receives "Echo: …".
 * 5. Deactivating the workflow deletes the webhook on the gateway.
 *
 * Every wait is bounded and the whole run has a deadline; n8n is killed, its folder (and SQLite
 * database) removed and the gateway's database dropped on success and on failure alike.
 * Needs `npm run build:nodes` first (the npm script does it).
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { eventually } from '../helpers/eventually';
import { REPO_ROOT } from '../helpers/processes';
import { phoneJid, startConnectedWorld, type ConnectedWorld } from '../helpers/whatsapp';
import { ensureN8n } from './install';
import { spawnN8n, type N8n } from './n8n-process';

const ME = '15550919001';
const ALICE = '15550919002';
/** The whole run after the install: starting everything takes ~30 s, the message round trip a few. */
const DEADLINE_MS = 6 * 60_000;
const OWNER = { email: 'owner@n8n.test', password: 'Owner-password-1', firstName: 'Test', lastName: 'Owner' };

const started = Date.now();
const log = (line: string) => process.stdout.write(`[test:n8n ${((Date.now() - started) / 1000).toFixed(1)}s] ${line}\n`);

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

/** The workflow the README describes: trigger on incoming messages, answer with the same text. */
function autoReplyWorkflow(credential: { id: string; name: string }) {
  const credentials = { baileysApi: credential };
  return {
    name: 'WhatsApp auto-reply',
    nodes: [
      {
        id: randomUUID(),
        name: 'WhatsApp Trigger',
        type: 'CUSTOM.whatsAppBaileysTrigger',
        typeVersion: 1,
        position: [0, 0],
        webhookId: randomUUID(),
        parameters: {
          sessionScope: 'one',
          sessionId: { __rl: true, mode: 'list', value: 'me', cachedResultName: 'me' },
          events: ['messages.upsert'],
          options: { ignoreFromMe: true, ignoreGroups: true, ignoreStatus: true },
        },
        credentials,
      },
      {
        id: randomUUID(),
        name: 'Reply',
        type: 'CUSTOM.whatsAppBaileys',
        typeVersion: 1,
        position: [260, 0],
        parameters: {
          resource: 'message',
          operation: 'sendText',
          sessionId: { __rl: true, mode: 'id', value: '={{ $json.sessionId }}' },
          to: '={{ $json.chatId }}',
          text: '=Echo: {{ $json.text }}',
          options: { quotedMessageId: '={{ $json.messageId }}' },
        },
        credentials,
      },
    ],
    connections: { 'WhatsApp Trigger': { main: [[{ node: 'Reply', type: 'main', index: 0 }]] } },
    settings: { executionOrder: 'v1' },
  };
}

async function run(entry: string, cleanups: (() => Promise<void>)[]) {
  const dist = path.join(REPO_ROOT, 'dist');
  for (const built of ['nodes/WhatsAppBaileysTrigger/WhatsAppBaileysTrigger.node.js', 'nodes/WhatsAppBaileys/WhatsAppBaileys.node.js']) {
    check(existsSync(path.join(dist, built)), `dist/${built} is missing: run npm run build:nodes first`);
  }

  log('starting the simulator and the gateway, linking session "me"');
  const world: ConnectedWorld = await startConnectedWorld(
    'n8n_e2e',
    { me: ME, contacts: { [ALICE]: 'Alice' } },
    // n8n listens on loopback here; deliveries are polled often to keep the run short.
    { WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_POLL_INTERVAL_MS: '100' },
  );
  cleanups.push(() => world.close());
  const gateway = world.gateway.api;
  const key = world.key;

  log(`starting n8n (${path.relative(REPO_ROOT, entry) || entry})`);
  const n8n: N8n = await spawnN8n({ entry, customExtensions: dist });
  cleanups.push(async () => {
    if (process.exitCode) process.stderr.write(`--- n8n output (last 8000 characters) ---\n${n8n.output().slice(-8000)}\n`);
    await n8n.stop();
  });
  await n8n.ready(120_000);
  log(`n8n ready at ${n8n.baseUrl}`);

  await n8n.setupOwner(OWNER);
  const credential = await n8n.rest<{ id: string; name: string }>('POST', '/credentials', {
    name: 'Baileys gateway',
    type: 'baileysApi',
    data: { baseUrl: gateway.baseUrl, apiKey: key },
  });
  const workflow = await n8n.rest<{ id: string; versionId: string }>('POST', '/workflows', autoReplyWorkflow(credential));
  log(`owner, credential ${credential.id} and workflow ${workflow.id} created; activating`);
  await n8n.rest('POST', `/workflows/${workflow.id}/activate`, { versionId: workflow.versionId });

  // n8n answers the activation first and runs the trigger's checkExists/create right after.
  const webhookUrlPrefix = `${n8n.baseUrl}/webhook/`;
  const registered = await eventually(
    async () => {
      const listed = await gateway.get('/api/v1/webhooks', { key });
      check(listed.status === 200, `GET /api/v1/webhooks answered ${listed.status}`);
      return (listed.body.data as { id: string; url: string; sessionIds: string[] | null }[]).filter((webhook) =>
        webhook.url.startsWith(webhookUrlPrefix),
      );
    },
    (found) => found.length > 0,
    30_000,
    'the trigger to register its webhook on the gateway',
  );
  check(registered.length === 1, `expected one webhook for n8n on the gateway, found ${JSON.stringify(registered)}`);
  check(JSON.stringify(registered[0]!.sessionIds) === '["me"]', `the webhook should be for session "me": ${JSON.stringify(registered[0])}`);
  log(`the trigger registered ${registered[0]!.url} on the gateway`);

  const { id: messageId } = await world.sim.send(ALICE, { to: ME, text: 'ping from Alice' });
  log(`Alice sent ${messageId}; waiting for the automatic answer on her phone`);
  const reply = await world.sim.waitForInbox(ALICE, (entry) => !entry.fromMe && entry.text === 'Echo: ping from Alice', 60_000);
  check(reply.from === phoneJid(ME), `the answer came from ${reply.from}, not from ${phoneJid(ME)}`);
  check(reply.quotedId === messageId, `the answer should quote ${messageId}, quoted ${reply.quotedId}`);
  log(`Alice received "${reply.text}" from ${reply.from}, quoting her message`);

  const executions = await eventually(
    () =>
      n8n.rest<{ results: { status: string }[] }>(
        'GET',
        `/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId: workflow.id }))}`,
      ),
    (page) => page.results.length > 0 && page.results.every((execution) => execution.status !== 'running' && execution.status !== 'new'),
    20_000,
    'the execution to finish',
  );
  check(
    executions.results.length === 1 && executions.results[0]!.status === 'success',
    `expected one successful execution (our own answer must not start another): ${JSON.stringify(executions.results)}`,
  );

  await n8n.rest('POST', `/workflows/${workflow.id}/deactivate`, {});
  await eventually(
    async () => (await gateway.get(`/api/v1/webhooks/${registered[0]!.id}`, { key })).status,
    (status) => status === 404,
    30_000,
    'deactivation to delete the webhook on the gateway',
  );
  log('deactivated: the webhook is gone from the gateway');
}

async function main() {
  const cleanups: (() => Promise<void>)[] = [];
  let entry: string;
  try {
    // Bounded by its own timeouts; not part of the run's deadline (the first install takes minutes).
    entry = await ensureN8n(log);
  } catch (error) {
    process.stderr.write(`[test:n8n] FAIL: could not install n8n: ${(error as Error).stack ?? error}\n`);
    process.exit(1);
  }
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      timedOut = true;
      reject(new Error(`test:n8n did not finish within ${DEADLINE_MS / 1000} s`));
    }, DEADLINE_MS);
  });
  const running = run(entry, cleanups);
  try {
    await Promise.race([running, deadline]);
    log("PASS: a contact's WhatsApp message got an automatic reply through n8n");
  } catch (error) {
    process.exitCode = 1;
    process.stderr.write(`[test:n8n] FAIL: ${(error as Error).stack ?? error}\n`);
  } finally {
    clearTimeout(timer);
    const drain = async () => {
      for (let cleanup = cleanups.pop(); cleanup; cleanup = cleanups.pop()) {
        await cleanup().catch((error) => process.stderr.write(`[test:n8n] cleanup failed: ${(error as Error).message}\n`));
      }
    };
    await drain();
    if (timedOut) {
      // The cut-off step may still be starting something, which registers its cleanup once started.
      await Promise.race([running.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 30_000))]);
      await drain();
    }
  }
  // Baileys and the simulator may keep sockets or timers around; the verdict is in.
  process.exit(process.exitCode ?? 0);
}

void main();
