/** Hash route paths, free of the DOM and of Preact (so Node tests can load them). */

/** Hash routes: `#/sessions/abc` is the path `sessions/abc`. Links are plain `<a href={href('sessions', id)}>`. */
export const href = (...segments: string[]): string => `#/${segments.map(encodeURIComponent).join('/')}`;

/** The link to a page's literal route path (`admin/users`), slashes kept. */
export const pathHref = (path: string): string => `#/${path}`;

/** `sessions/:sessionId` against `sessions/abc` → `{ sessionId: 'abc' }`; null when it does not match. */
export function matchRoute(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (const [i, part] of want.entries()) {
    const value = got[i]!;
    if (part.startsWith(':')) {
      if (!value) return null;
      try {
        params[part.slice(1)] = decodeURIComponent(value);
      } catch {
        return null;
      }
    } else if (part !== value) return null;
  }
  return params;
}
