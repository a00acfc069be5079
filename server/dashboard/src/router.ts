import { useEffect, useState } from 'preact/hooks';

/** Hash routes: `#/sessions/abc` is the path `sessions/abc`. Links are plain `<a href={href('sessions', id)}>`. */
export const href = (...segments: string[]): string => `#/${segments.map(encodeURIComponent).join('/')}`;

/** The path as in the address bar: segments still encoded. */
export const currentPath = (): string => location.hash.replace(/^#\/?/, '');

export function navigate(...segments: string[]): void {
  location.hash = href(...segments);
}

export function useCurrentPath(): string {
  const [path, setPath] = useState(currentPath);
  useEffect(() => {
    const update = () => setPath(currentPath());
    addEventListener('hashchange', update);
    return () => removeEventListener('hashchange', update);
  }, []);
  return path;
}

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
