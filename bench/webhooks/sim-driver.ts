import { startSimulator } from '../../test/wa-sim';

// The WhatsApp simulator and the load it generates, in a process of its own (its hosted contacts do
// the Signal encryption of every message, which must not share an event loop with the gateway).
// Driven over IPC by run.ts: each request { id, cmd, ...args } gets one reply { id, result | error }.

type Request = { id: number; cmd: string; [arg: string]: unknown };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  const sim = await startSimulator();
  let me = '';
  let contacts: string[] = [];
  let sequence = 0;

  const commands: Record<string, (request: Request) => Promise<unknown>> = {
    async accounts(request) {
      me = request.me as string;
      contacts = request.contacts as string[];
      await sim.createAccount(me, 'Bench');
      for (const phone of contacts) await sim.createAccount(phone, `Contact ${phone.slice(-3)}`);
      return { me, contacts };
    },
    async scan(request) {
      await sim.scan(me, request.qr as string);
      return {};
    },
    /** One message from each contact, so every Signal session exists before anything is timed. */
    async warm() {
      await Promise.all(contacts.map((phone) => sim.send(phone, { to: me, text: `hello from ${phone}` })));
      return {};
    },
    /** As many messages as `concurrency` senders can push in `seconds` (closed loop): the simulator's ceiling. */
    async capacity(request) {
      const seconds = request.seconds as number;
      const concurrency = request.concurrency as number;
      const started = performance.now();
      const end = started + seconds * 1000;
      let sent = 0;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (performance.now() < end) {
            await sim.send(contacts[sequence++ % contacts.length]!, { to: me, text: `capacity ${sequence}` });
            sent++;
          }
        }),
      );
      return { sent, perSecond: sent / ((performance.now() - started) / 1000) };
    },
    /**
     * Messages at a steady `rate` (open loop: started on schedule, not when the previous one finished),
     * round-robin over the contacts, for `warmupSeconds` then `seconds`. At most `maxOutstanding` sends
     * are in progress; a send that would exceed it waits (maxBehind: the most sends that were overdue at once). Returns the measured window's
     * messages with the time each send was started.
     */
    async steady(request) {
      const rate = request.rate as number;
      const warmupMs = (request.warmupSeconds as number) * 1000;
      const measureMs = (request.seconds as number) * 1000;
      const maxOutstanding = request.maxOutstanding as number;
      const started = performance.now();
      const total = Math.round((rate * (warmupMs + measureMs)) / 1000);
      const measured: [string, number][] = [];
      let issued = 0;
      let outstanding = 0;
      let maxBehind = 0;
      let failed = 0;
      const pending = new Set<Promise<void>>();
      let windowStart = 0;
      while (issued < total) {
        const elapsed = performance.now() - started;
        const due = Math.min(total, Math.floor((rate * elapsed) / 1000) + 1);
        while (issued < due && outstanding < maxOutstanding) {
          const inWindow = elapsed >= warmupMs;
          if (inWindow && windowStart === 0) windowStart = Date.now();
          const at = Date.now();
          const n = issued++;
          outstanding++;
          const send = sim
            .send(contacts[sequence++ % contacts.length]!, { to: me, text: `${inWindow ? 'lat' : 'warm'} ${n}` })
            .then(
              ({ id }) => void (inWindow && measured.push([id, at])),
              () => void failed++,
            )
            .finally(() => {
              outstanding--;
              pending.delete(send);
            });
          pending.add(send);
        }
        maxBehind = Math.max(maxBehind, due - issued);
        if (performance.now() - started > (warmupMs + measureMs) * 3) break;
        await sleep(1);
      }
      await Promise.all(pending);
      const windowEnd = Date.now();
      return {
        measured,
        issued,
        failed,
        maxBehind,
        achievedPerSecond: measured.length / ((windowEnd - windowStart) / 1000),
        windowStart,
        windowEnd,
      };
    },
    async stop() {
      await sim.stop();
      setImmediate(() => process.exit(0));
      return {};
    },
  };

  process.on('message', (request: Request) => {
    const command = commands[request.cmd];
    if (!command) {
      process.send!({ id: request.id, error: `unknown command ${request.cmd}` });
      return;
    }
    command(request).then(
      (result) => process.send!({ id: request.id, result }),
      (error: Error) => process.send!({ id: request.id, error: String(error?.stack ?? error) }),
    );
  });
  process.on('disconnect', () => void sim.stop().finally(() => process.exit(0)));
  process.send!({ ready: { wsUrl: sim.wsUrl, rootKey: sim.rootPublicKeyBase64 } });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
