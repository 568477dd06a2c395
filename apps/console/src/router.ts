import { useEffect, useState } from 'preact/hooks';

/** Routes live in the fragment (#/keys/…): the server serves one page, and nothing reaches a server log. */
export interface Route {
  path: string[];
  params: URLSearchParams;
}

function read(): Route {
  const hash = location.hash.replace(/^#\/?/, '');
  const q = hash.indexOf('?');
  const path = (q < 0 ? hash : hash.slice(0, q))
    .split('/')
    .filter((s) => s !== '')
    .map(decodeURIComponent);
  return { path, params: new URLSearchParams(q < 0 ? '' : hash.slice(q + 1)) };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const changed = () => setRoute(read());
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  return route;
}

export function href(path: string[], params: Record<string, string | undefined> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, v);
  const qs = q.toString();
  return `#/${path.map(encodeURIComponent).join('/')}${qs === '' ? '' : `?${qs}`}`;
}
