/** The few REST calls the demo makes, with an API key, against the gateway it started. */
export class GatewayApi {
  constructor(
    readonly baseUrl: string,
    private readonly key = '',
  ) {}

  withKey(key: string): GatewayApi {
    return new GatewayApi(this.baseUrl, key);
  }

  async call<T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { 'x-api-key': this.key, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text) as T };
  }

  /** The call's body when its status is `expected`, else an error that says what the gateway answered. */
  async expect<T = any>(expected: number, method: string, path: string, body?: unknown): Promise<T> {
    const answer = await this.call<T>(method, path, body);
    if (answer.status !== expected) throw new Error(`${method} ${path} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    return answer.body;
  }

  /** Polls `GET path` until `accept` takes the body; gives up after `timeoutMs`. */
  async until<T = any>(path: string, accept: (body: T) => boolean, what: string, timeoutMs = 30_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    for (;;) {
      try {
        const answer = await this.call<T>('GET', path);
        last = answer.body;
        if (answer.status === 200 && accept(answer.body)) return answer.body;
      } catch (error) {
        last = (error as Error).message;
      }
      if (Date.now() > deadline) throw new Error(`gave up waiting for ${what} (last answer: ${JSON.stringify(last)})`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
