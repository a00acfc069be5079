import { request } from 'undici';

export interface ApiResponse<T = any> {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: T;
}

export interface CallOptions {
  key?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

/** A small real-HTTP client for one gateway. */
export class ApiClient {
  constructor(readonly baseUrl: string) {}

  async call<T = any>(method: string, path: string, options: CallOptions = {}): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.key) headers.authorization = `Bearer ${options.key}`;
    let payload: string | undefined;
    if (options.body !== undefined) {
      headers['content-type'] ??= 'application/json';
      payload = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    }
    const response = await request(`${this.baseUrl}${path}`, { method: method as 'GET', headers, body: payload });
    const text = await response.body.text();
    const isJson = String(response.headers['content-type'] ?? '').includes('json');
    return { status: response.statusCode, headers: response.headers, body: (isJson && text ? JSON.parse(text) : text) as T };
  }

  get = <T = any>(path: string, options?: CallOptions) => this.call<T>('GET', path, options);
  post = <T = any>(path: string, options?: CallOptions) => this.call<T>('POST', path, options);
  patch = <T = any>(path: string, options?: CallOptions) => this.call<T>('PATCH', path, options);
  put = <T = any>(path: string, options?: CallOptions) => this.call<T>('PUT', path, options);
  delete = <T = any>(path: string, options?: CallOptions) => this.call<T>('DELETE', path, options);
}
