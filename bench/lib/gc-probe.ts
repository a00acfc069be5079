// Preloaded into a benchmarked process (`-r bench/lib/gc-probe.ts`, with `--expose-gc`): on SIGWINCH (ignored by default, and not one close-with-grace shuts down on) it
// runs full garbage collections until the heap stops shrinking, then prints one line
// `gc-probe <n> {memoryUsage}`, so the parent can read the settled resident size from /proc. Nothing
// in the server knows about it; without the flag and the signal it does nothing.
let probes = 0;

process.on('SIGWINCH', () => {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) {
    process.stdout.write(`gc-probe ${++probes} {"error":"run with --expose-gc"}\n`);
    return;
  }
  void (async () => {
    let previous = Infinity;
    for (let round = 0; round < 10; round++) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 200));
      const used = process.memoryUsage().heapUsed;
      if (used > previous * 0.99) break;
      previous = used;
    }
    process.stdout.write(`gc-probe ${++probes} ${JSON.stringify(process.memoryUsage())}\n`);
  })();
});
