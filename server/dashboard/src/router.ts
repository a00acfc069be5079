import { useEffect, useState } from 'preact/hooks';
import { href, pathHref } from './route-paths';

export { href, matchRoute, pathHref } from './route-paths';

/** The path as in the address bar: segments still encoded. */
export const currentPath = (): string => location.hash.replace(/^#\/?/, '');

export function navigate(...segments: string[]): void {
  location.hash = href(...segments);
}

/** To a page's literal route path, replacing the current history entry (Back does not return to it). */
export function redirect(path: string): void {
  location.replace(pathHref(path));
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
