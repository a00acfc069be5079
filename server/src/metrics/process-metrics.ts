import { collectDefaultMetrics, Registry } from 'prom-client';

let registry: Registry | undefined;

/**
 * prom-client's default metrics (event-loop lag, memory, CPU, handles, GC), in a registry of their own
 * made once per process: they describe the process, however many apps it holds (tests hold several), and
 * each collection adds an event-loop monitor and a GC observer that are never removed.
 */
export function processMetrics(): Registry {
  if (!registry) {
    registry = new Registry();
    collectDefaultMetrics({ register: registry });
  }
  return registry;
}
