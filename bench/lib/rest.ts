import type { BenchGateway } from './gateway';
import { until } from './wait';

export interface Rest {
  get<T = any>(route: string): Promise<T>;
  post<T = any>(route: string, body?: unknown, expect?: number | number[]): Promise<T>;
}

/** The gateway's REST API under /api/v1 with its admin key; an unexpected status throws. */
export function restClient(gateway: Pick<BenchGateway, 'url' | 'apiKey'>): Rest {
  const call = async (method: string, route: string, body: unknown, expect: number | number[]) => {
    const response = await fetch(`${gateway.url}/api/v1${route}`, {
      method,
      headers: { 'x-api-key': gateway.apiKey, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (![expect].flat().includes(response.status)) throw new Error(`${method} ${route}: ${response.status} ${text.slice(0, 500)}`);
    return text ? JSON.parse(text) : undefined;
  };
  return {
    get: (route) => call('GET', route, undefined, 200),
    post: (route, body, expect = 201) => call('POST', route, body, expect),
  };
}

/** Every session of the key's user, page by page. */
export async function allSessions(rest: Rest): Promise<{ sessionId: string; status: string }[]> {
  const sessions: { sessionId: string; status: string }[] = [];
  let cursor: string | null = null;
  do {
    const page: { data: { sessionId: string; status: string }[]; nextCursor: string | null } = await rest.get(
      `/sessions?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    sessions.push(...page.data);
    cursor = page.nextCursor;
  } while (cursor);
  return sessions;
}

/** Creates a session through the API and links it to `phone` by scanning its QR in the simulator. */
export async function pairByQr(
  rest: Rest,
  sim: { scan(phone: string, qr: string): Promise<unknown> },
  sessionId: string,
  phone: string,
  timeoutMs = 120_000,
): Promise<void> {
  await rest.post('/sessions', { sessionId });
  const session = () => rest.get(`/sessions/${sessionId}`);
  const waiting = await until(session, (s) => s.status === 'QR_REQUIRED' && !!s.qrCode, timeoutMs, `${sessionId} QR`);
  await sim.scan(phone, waiting.qrCode);
  await until(session, (s) => s.status === 'CONNECTED', timeoutMs, `${sessionId} CONNECTED`);
}
