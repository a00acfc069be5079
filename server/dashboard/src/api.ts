/** The gateway's JSON API, called with the login token kept for this browser tab. */

export interface User {
  id: string;
  email: string;
  name: string | null;
  role: 'USER' | 'ADMIN';
}

/** Shared with the QR page (/api/v1/sessions/:id/qr/page), which reads the same key. */
const TOKEN_KEY = 'baileys-token';
const USER_KEY = 'baileys-user';
const API = '/api/v1';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const signOutListeners = new Set<() => void>();

export const auth = {
  token: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  user(): User | null {
    const saved = sessionStorage.getItem(USER_KEY);
    return saved && auth.token() ? (JSON.parse(saved) as User) : null;
  },
  async signIn(email: string, password: string): Promise<User> {
    const { token, user } = await api<{ token: string; user: User }>('POST', '/auth/login', { email, password });
    sessionStorage.setItem(TOKEN_KEY, token);
    sessionStorage.setItem(USER_KEY, JSON.stringify(user));
    return user;
  },
  signOut() {
    sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.removeItem(USER_KEY);
    for (const listener of signOutListeners) listener();
  },
  /** Called when the user signs out or the gateway stops accepting the token (401). */
  onSignOut(listener: () => void): () => void {
    signOutListeners.add(listener);
    return () => signOutListeners.delete(listener);
  },
};

async function request(method: string, path: string, body: unknown, accept: string): Promise<Response> {
  const headers: Record<string, string> = { accept };
  const token = auth.token();
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(API + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (response.ok) return response;
  const error = await response.json().catch(() => null);
  const message = (error as { message?: string } | null)?.message ?? `${response.status} ${response.statusText}`;
  if (response.status === 401 && token && path !== '/auth/login') auth.signOut();
  throw new ApiError(response.status, message);
}

/** Calls `/api/v1{path}`; a 4xx/5xx answer throws an ApiError with the gateway's message. */
export async function api<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await request(method, path, body, 'application/json');
  return (response.status === 204 ? undefined : await response.json()) as T;
}

export async function apiBlob(path: string, accept: string): Promise<Blob> {
  return (await request('GET', path, undefined, accept)).blob();
}

/** A path segment: `seg\`/sessions/${id}\`` escapes every interpolated value. */
export function seg(strings: TemplateStringsArray, ...values: string[]): string {
  return strings.reduce((path, part, i) => path + part + (i < values.length ? encodeURIComponent(values[i]!) : ''), '');
}

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}
