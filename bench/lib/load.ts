import autocannon from 'autocannon';

export interface LoadResult {
  requestsPerSecond: number;
  p99Ms: number;
  non2xx: number;
}

/** Drives one URL with keep-alive connections for a fixed time; a short warm-up run comes first. */
export async function measure(url: string, headers: Record<string, string> = {}, seconds = 8): Promise<LoadResult> {
  await autocannon({ url, headers, connections: 20, duration: 2 });
  const result = await autocannon({ url, headers, connections: 50, pipelining: 1, duration: seconds });
  return { requestsPerSecond: result.requests.average, p99Ms: result.latency.p99, non2xx: result.non2xx };
}
