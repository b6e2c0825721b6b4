import { useEffect, useState } from 'preact/hooks';

export type Route =
  | { page: 'make' }
  | { page: 'batch' }
  | { page: 'pipelines' }
  | { page: 'pipeline'; id: string }
  | { page: 'abtests' }
  | { page: 'abtest'; id: string }
  | { page: 'channels' }
  | { page: 'not-found'; path: string };

/** The dashboard's client-side routes; the gateway answers index.html for each of them. */
export function routeOf(path: string): Route {
  const clean = path.replace(/\/+$/, '') || '/';
  if (clean === '/' || clean === '/make') return { page: 'make' };
  if (clean === '/batch') return { page: 'batch' };
  if (clean === '/pipelines') return { page: 'pipelines' };
  const m = /^\/pipelines\/([\w.-]{1,128})$/.exec(clean);
  if (m?.[1]) return { page: 'pipeline', id: m[1] };
  if (clean === '/abtests') return { page: 'abtests' };
  const ab = /^\/abtests\/([\w.-]{1,128})$/.exec(clean);
  if (ab?.[1]) return { page: 'abtest', id: ab[1] };
  if (clean === '/channels') return { page: 'channels' };
  return { page: 'not-found', path };
}

const listeners = new Set<() => void>();

export function navigate(path: string): void {
  if (path === location.pathname + location.search) return;
  history.pushState(null, '', path);
  for (const listener of listeners) listener();
}

export function usePath(): string {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const update = (): void => setPath(location.pathname);
    listeners.add(update);
    addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      removeEventListener('popstate', update);
    };
  }, []);
  return path;
}

/** Same-origin links that stay in the page; a modified click (new tab) is left to the browser. */
export function onLinkClick(event: MouseEvent): void {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const anchor = (event.target as Element | null)?.closest('a');
  if (!anchor || anchor.target || anchor.hasAttribute('download') || anchor.origin !== location.origin) return;
  if (!/^\/(make|batch|pipelines|abtests|channels)?(\/|$)/.test(anchor.pathname) || anchor.pathname.startsWith('/api/')) return;
  event.preventDefault();
  navigate(anchor.pathname + anchor.search);
}
