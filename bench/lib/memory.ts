import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, waitFor, type Child } from './child';
import { sleep } from './wait';

/** Node options that let `settledMemory` collect garbage in a child (see gc-probe.ts). */
export const GC_PROBE_ARGS = ['--expose-gc', '-r', path.join(REPO_ROOT, 'bench/lib/gc-probe.ts')];

export const MB = 1024 * 1024;

/** A process's resident set size in bytes, from /proc/<pid>/status (VmRSS). */
export function residentBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]) * 1024;
}

export interface SettledMemory {
  /** VmRSS after full garbage collection, bytes */
  rss: number;
  /** V8 heap in use after it, bytes */
  heapUsed: number;
  /** memory of Buffers and other off-heap objects, bytes */
  external: number;
}

/**
 * The child's memory once it is idle: waits `quietMs`, has it collect garbage fully (the child runs
 * with GC_PROBE_ARGS), and takes the median VmRSS of `samples` readings a second apart afterwards.
 */
export async function settledMemory(child: Child, quietMs = 3000, samples = 5): Promise<SettledMemory> {
  await sleep(quietMs);
  const probes = (child.output().match(/gc-probe \d+/g) ?? []).length;
  child.process.kill('SIGWINCH');
  const [line] = await waitFor(child, new RegExp(`gc-probe ${probes + 1} (\\{.*\\})`), 60_000);
  const usage = JSON.parse(line!.slice(line!.indexOf('{'))) as NodeJS.MemoryUsage & { error?: string };
  if (usage.error) throw new Error(usage.error);
  const readings: number[] = [];
  for (let i = 0; i < samples; i++) {
    readings.push(residentBytes(child.process.pid!));
    if (i < samples - 1) await sleep(1000);
  }
  readings.sort((a, b) => a - b);
  return { rss: readings[Math.floor(samples / 2)]!, heapUsed: usage.heapUsed, external: usage.external };
}
