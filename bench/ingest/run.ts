import { createConnection, type RowDataPacket } from 'mysql2/promise';
import { startSimulator, trustSimulator } from '../../test/wa-sim';
import { BENCH_MYSQL, startBenchGateway } from '../lib/gateway';
import { reportSummary } from '../lib/summary';
import { sleep, until } from '../lib/wait';

// A history sync of 100k messages from the simulator's phone into the gateway's MySQL, as rows per
// second, against raw mysql2 multi-row inserts of the same rows into a copy of the Message table,
// measured in the same run. Target: ratio >= 0.7.
const CHATS = Number(process.env.BENCH_CHATS ?? 100);
const PER_CHAT = Number(process.env.BENCH_MESSAGES_PER_CHAT ?? 1000);
const TOTAL = CHATS * PER_CHAT;
const PHONE = '15559990001';
const BATCH = 1000;

/** JSON columns come back parsed; send them as the JSON text they were. */
const asSqlValue = (value: unknown) =>
  value !== null && typeof value === 'object' && !(value instanceof Date) ? JSON.stringify(value) : value;

async function main(): Promise<void> {
  const sim = await startSimulator();
  trustSimulator(sim);
  const gateway = await startBenchGateway('ingest', {
    WHATSAPP_WS_URL: sim.wsUrl,
    WHATSAPP_ROOT_KEY: sim.rootPublicKeyBase64,
    NODE_EXTRA_CA_CERTS: sim.caCertPath,
    BAILEYS_LOG_LEVEL: 'silent',
    HISTORY_SYNC_MAX_DAYS: '36500',
    HISTORY_SYNC_MAX_MESSAGES_PER_CHAT: String(TOTAL),
  });
  const db = await createConnection(`${BENCH_MYSQL}/${gateway.database}`);
  try {
    const headers = { 'content-type': 'application/json', 'x-api-key': gateway.apiKey };
    const session = () => fetch(`${gateway.url}/api/v1/sessions/bench`, { headers }).then((r) => r.json() as Promise<any>);
    await sim.createAccount(PHONE, 'Bench');
    await fetch(`${gateway.url}/api/v1/sessions`, { method: 'POST', headers, body: JSON.stringify({ sessionId: 'bench' }) });
    const waiting = await until(session, (s) => s.status === 'QR_REQUIRED', 30_000, 'QR');
    await sim.scan(PHONE, waiting.qrCode);
    await until(session, (s) => s.status === 'CONNECTED', 30_000, 'CONNECTED');
    await sleep(2000);

    // Progress comes from the session's live history-sync counter (cheap), not from counting rows while
    // they are written; the rows are counted once at the end.
    const historyMessages = async () => ((await session()).metadata?.historySync?.messages ?? 0) as number;
    const before = await historyMessages();
    // The phone's work (generating and compressing the chunks) happens before the clock starts.
    const prepared = sim.prepareHistory(PHONE, { chats: CHATS, messagesPerChat: PER_CHAT, chunkSize: 5000 });
    const started = performance.now();
    const synced = prepared.send();
    await until(historyMessages, (n) => n >= before + TOTAL, 600_000, `${TOTAL} messages`);
    const gatewaySeconds = (performance.now() - started) / 1000;
    const stored = Number((await db.query<RowDataPacket[]>("SELECT COUNT(*) AS n FROM Message WHERE messageId LIKE 'HS%'"))[0][0]!.n);
    if (stored !== TOTAL) throw new Error(`expected ${TOTAL} stored history messages, found ${stored}`);

    const [rows] = await db.query<RowDataPacket[]>("SELECT * FROM Message WHERE messageId LIKE 'HS%'");
    await db.query('CREATE TABLE bench_raw_insert LIKE Message');
    const columns = Object.keys(rows[0]!);
    const rawStarted = performance.now();
    for (let i = 0; i < rows.length; i += BATCH) {
      const batch = rows.slice(i, i + BATCH).map((row) => columns.map((c) => asSqlValue(row[c])));
      await db.query(`INSERT INTO bench_raw_insert (${columns.map((c) => `\`${c}\``).join(',')}) VALUES ?`, [batch]);
    }
    const rawSeconds = (performance.now() - rawStarted) / 1000;

    const gatewayRate = TOTAL / gatewaySeconds;
    const rawRate = rows.length / rawSeconds;
    console.log(`history sync: ${synced.chunks} chunks, ${synced.messages} messages`);
    console.log(`gateway (simulator → Baileys → ingest → MySQL): ${gatewaySeconds.toFixed(2)} s, ${gatewayRate.toFixed(0)} rows/s`);
    console.log(
      `raw mysql2 multi-row INSERT of the same ${rows.length} rows (${BATCH} per statement): ${rawSeconds.toFixed(2)} s, ${rawRate.toFixed(0)} rows/s`,
    );
    const ratio = gatewayRate / rawRate;
    console.log(`ratio: ${ratio.toFixed(2)} (target >= 0.7)`);
    reportSummary('ingest', [
      {
        metric: `history sync of ${TOTAL} messages into MySQL, rows/s`,
        result: gatewayRate.toFixed(0),
        baseline: `${rawRate.toFixed(0)} (raw multi-row INSERT)`,
        ratio: ratio.toFixed(2),
        target: 'ratio >= 0.7',
        met: ratio >= 0.7,
      },
    ]);
  } finally {
    await db.end();
    await gateway.stop();
    await sim.stop();
  }
}

main().catch((error) => {
  console.error(String(error?.message ?? error).slice(0, 2000));
  process.exit(1);
});
