import { parseArgs } from 'node:util';
import { startSimulator, trustSimulator, type Simulator } from '../../test/wa-sim';
import { startBenchGateway } from '../lib/gateway';
import { pairByQr, restClient, type Rest } from '../lib/rest';
import { ensureAccounts, simulatorEnv, startBareBaileys } from '../lib/sim';
import { percentile, summarize } from '../lib/stats';
import { reportSummary } from '../lib/summary';
import { forEachConcurrently, retrying, until } from '../lib/wait';

// Text messages from the REST call (POST /api/v1/sessions/:id/messages) to their decryption on the
// recipient's device, across --sessions (20) gateway sessions at once, nothing paced: each session
// keeps --in-flight (4) requests open, --messages (100) per session per round. Session i writes to
// account R_i, whose device is the simulator's hosted Baileys client (in this process): it decrypts
// the message and records when (InboxEntry.receivedAt). Throughput = messages / (last decryption −
// first call); latency = decryption − call, per message.
// Baseline, in the same run and alternating with the gateway round by round: as many bare Baileys
// sockets in one process (no gateway), linked to accounts of their own, calling sock.sendMessage to
// the same recipients the same way. Ratio = gateway msg/s / bare msg/s (medians of the rounds).
//
// npm run bench:send -- [--sessions 20] [--messages 100] [--in-flight 4] [--rounds 3]

const { values: flags } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    sessions: { type: 'string', default: process.env.BENCH_SEND_SESSIONS ?? '20' },
    messages: { type: 'string', default: process.env.BENCH_SEND_MESSAGES ?? '100' },
    'in-flight': { type: 'string', default: process.env.BENCH_SEND_IN_FLIGHT ?? '4' },
    rounds: { type: 'string', default: process.env.BENCH_ROUNDS ?? '3' },
  },
});
const SESSIONS = Number(flags.sessions);
const PER_SESSION = Number(flags.messages);
const IN_FLIGHT = Number(flags['in-flight']);
const ROUNDS = Number(flags.rounds);
const phones = (prefix: string) => Array.from({ length: SESSIONS }, (_, i) => `${prefix}${String(i).padStart(4, '0')}`);
const GATEWAY_SENDERS = phones('1555661');
const BARE_SENDERS = phones('1555662');
const RECIPIENTS = phones('1555663');

/** Sends that failed (a dropped connection: the session not CONNECTED for a moment) and were made again; latency counts from the first try. */
const retries = { gateway: 0, bare: 0 };

interface Round {
  perSecond: number;
  latencies: number[];
}

/** Waits until every sent message was decrypted by its recipient; measures the round. */
async function delivered(sim: Simulator, sent: [string, number][], timeoutMs = 300_000): Promise<Round> {
  const received = new Map<string, number>();
  await until(
    async () => {
      for (const phone of RECIPIENTS) for (const entry of sim.inbox(phone)) received.set(entry.id, entry.receivedAt);
      return sent.filter(([id]) => !received.has(id)).length;
    },
    (missing) => missing === 0,
    timeoutMs,
    `${sent.length} messages decrypted`,
  );
  for (const phone of RECIPIENTS) sim.clearInbox(phone);
  const latencies = sent.map(([id, at]) => received.get(id)! - at);
  const first = Math.min(...sent.map(([, at]) => at));
  const last = Math.max(...sent.map(([id]) => received.get(id)!));
  return { perSecond: sent.length / ((last - first) / 1000), latencies };
}

/** Session i sends `perSession` texts to RECIPIENTS[i] through the REST API, `IN_FLIGHT` requests at a time. */
async function gatewayRound(rest: Rest, perSession: number, label: string): Promise<[string, number][]> {
  const sent: [string, number][] = [];
  await Promise.all(
    RECIPIENTS.map((to, i) =>
      forEachConcurrently(
        Array.from({ length: perSession }, (_, n) => n),
        IN_FLIGHT,
        async (n) => {
          const at = Date.now();
          const { messageId } = await retrying(
            // 201: sent; 202: queued (a gateway with the persisted send queue answers so after SEND_WAIT_MS), messageId included.
            () => rest.post(`/sessions/s${i}/messages`, { to, type: 'text', text: `${label} ${i} ${n}` }, [201, 202]),
            () => void retries.gateway++,
          );
          sent.push([messageId, at]);
        },
      ),
    ),
  );
  return sent;
}

async function main(): Promise<void> {
  const sim = await startSimulator();
  trustSimulator(sim);
  const cleanups: (() => Promise<unknown>)[] = [() => sim.stop()];
  try {
    await ensureAccounts(sim, [...GATEWAY_SENDERS, ...BARE_SENDERS, ...RECIPIENTS]);
    const bare = await startBareBaileys(sim);
    cleanups.push(() => bare.stop());
    await bare.call('link', { phones: BARE_SENDERS, concurrency: 8 });
    const gateway = await startBenchGateway('send', { ...simulatorEnv(sim), RATE_LIMIT_MAX: '100000000' });
    cleanups.push(() => gateway.stop());
    const rest = restClient(gateway);
    await forEachConcurrently(GATEWAY_SENDERS, 8, (phone, i) => pairByQr(rest, sim, `s${i}`, phone));

    // Warm-up, not measured: Signal sessions with every recipient device, JIT, connection pools.
    const bareRound = async (perClient: number, label: string) => {
      const result = await bare.call<{ sent: [string, number][]; retries: number }>('send', {
        to: RECIPIENTS,
        perClient,
        inFlight: IN_FLIGHT,
        label,
      });
      retries.bare = result.retries;
      return delivered(sim, result.sent);
    };
    await bareRound(5, 'warm');
    await delivered(sim, await gatewayRound(rest, 5, 'warm'));

    const baseline: Round[] = [];
    const api: Round[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      baseline.push(await bareRound(PER_SESSION, `bare${round}`));
      api.push(await delivered(sim, await gatewayRound(rest, PER_SESSION, `api${round}`)));
    }

    const show = (rounds: Round[]) => summarize(rounds.map((r) => r.perSecond));
    const p99s = (rounds: Round[]) => rounds.map((r) => percentile(r.latencies, 0.99).toFixed(0)).join(', ');
    const all = (rounds: Round[]) => rounds.flatMap((r) => r.latencies);
    const latency = (rounds: Round[]) =>
      `p50 ${percentile(all(rounds), 0.5).toFixed(0)} ms, p99 ${percentile(all(rounds), 0.99).toFixed(0)} ms (p99 by round: ${p99s(rounds)})`;
    console.log(
      `\nsend benchmark: ${SESSIONS} senders × ${PER_SESSION} texts per round, ${IN_FLIGHT} in flight per sender (${SESSIONS * IN_FLIGHT} at once), ${ROUNDS} rounds alternating; ` +
        `call → decrypted by the recipient's device`,
    );
    console.log(`bare Baileys sock.sendMessage (one process, no gateway), msg/s by round: ${show(baseline).text}; ${latency(baseline)}`);
    console.log(`gateway POST /sessions/:id/messages, msg/s by round: ${show(api).text}; ${latency(api)}`);
    const ratio = show(api).median / show(baseline).median;
    console.log(`ratio (gateway / bare Baileys): ${ratio.toFixed(2)}`);
    console.log(`sends retried after a failure: gateway ${retries.gateway}, bare Baileys ${retries.bare}`);
    reportSummary('send', [
      {
        metric: `texts/s, REST call → decrypted by the recipient, ${SESSIONS} sessions, median of rounds`,
        result: `${show(api).median.toFixed(0)} (${show(api).min.toFixed(0)}–${show(api).max.toFixed(0)})`,
        baseline: `${show(baseline).median.toFixed(0)} (bare Baileys sendMessage)`,
        ratio: ratio.toFixed(2),
      },
      {
        metric: 'p99 latency REST call → decrypted, ms (all rounds)',
        result: percentile(all(api), 0.99).toFixed(0),
        baseline: `${percentile(all(baseline), 0.99).toFixed(0)} (bare Baileys)`,
        ratio: (percentile(all(api), 0.99) / percentile(all(baseline), 0.99)).toFixed(2),
      },
    ]);
  } finally {
    for (const step of cleanups.reverse()) await step().catch((error) => console.error(`cleanup: ${String(error)}`));
  }
}

main().catch((error) => {
  console.error(String(error?.stack ?? error).slice(0, 3000));
  process.exit(1);
});
