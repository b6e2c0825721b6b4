import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, forgetKey, onUnauthorized, storedKey } from './api-client.ts';
import { AbTestPage } from './pages/abtest-page.tsx';
import { AbTestsPage } from './pages/abtests-page.tsx';
import { BatchPage } from './pages/batch-page.tsx';
import { ChannelsPage } from './pages/channels-page.tsx';
import { MakePage } from './pages/make-page.tsx';
import { PipelinePage } from './pages/pipeline-page.tsx';
import { PipelinesPage } from './pages/pipelines-page.tsx';
import { SignInPage } from './pages/sign-in-page.tsx';
import { onLinkClick, routeOf, usePath, type Route } from './router.ts';

type Auth = { state: 'checking' } | { state: 'needed'; reason?: string } | { state: 'ok' };

const NAV = [
  { href: '/', name: 'Make', pages: ['make'] },
  { href: '/batch', name: 'Batch', pages: ['batch'] },
  { href: '/pipelines', name: 'Pipelines', pages: ['pipelines', 'pipeline'] },
  { href: '/abtests', name: 'A/B tests', pages: ['abtests', 'abtest'] },
  { href: '/channels', name: 'Channels', pages: ['channels'] },
] as const;

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'make':
      return <MakePage />;
    case 'batch':
      return <BatchPage />;
    case 'pipelines':
      return <PipelinesPage />;
    case 'pipeline':
      return <PipelinePage key={route.id} id={route.id} />;
    case 'abtests':
      return <AbTestsPage />;
    case 'abtest':
      return <AbTestPage key={route.id} id={route.id} />;
    case 'channels':
      return <ChannelsPage />;
    case 'not-found':
      return (
        <section aria-labelledby="page-title">
          <h1 id="page-title" tabIndex={-1}>Not found</h1>
          <p>Nothing lives at <code>{route.path}</code>. <a href="/">Make a video</a> or see the <a href="/pipelines">pipelines</a>.</p>
        </section>
      );
  }
}

export function App() {
  const path = usePath();
  const route = routeOf(path);
  const [auth, setAuth] = useState<Auth>({ state: 'checking' });

  useEffect(() => onUnauthorized(() => {
    const hadKey = Boolean(storedKey());
    forgetKey();
    setAuth({ state: 'needed', ...(hadKey ? { reason: 'Your API key was refused (401): sign in again.' } : {}) });
  }), []);

  useEffect(() => {
    // One cheap call tells whether this server asks for a key at all.
    api.listPipelines({ limit: 1, offset: 0 }).then(
      () => setAuth({ state: 'ok' }),
      (err: unknown) => {
        if (!(err instanceof ApiError && err.status === 401)) setAuth({ state: 'ok' });
      },
    );
  }, []);

  // A new page: move focus to its heading so keyboard and screen-reader users start there.
  useEffect(() => {
    // The first meaningful render (a page or the sign-in form, not "Loading…"): bench/web-dashboard.ts reads it.
    if (auth.state !== 'checking' && performance.getEntriesByName('faceless:first-render').length === 0) performance.mark('faceless:first-render');
    if (auth.state !== 'checking') document.getElementById('page-title')?.focus({ preventScroll: true });
    document.title = `${auth.state === 'needed' ? 'Sign in' : NAV.find((n) => (n.pages as readonly string[]).includes(route.page))?.name ?? 'faceless'} · faceless`;
  }, [path, auth.state]);

  return (
    <div class="app" onClick={onLinkClick}>
      <a class="skip" href="#main">Skip to content</a>
      <header class="top">
        <span class="brand">faceless</span>
        {auth.state === 'ok' && (
          <nav aria-label="Main">
            <ul>
              {NAV.map((n) => (
                <li key={n.href}>
                  <a href={n.href} {...((n.pages as readonly string[]).includes(route.page) ? { 'aria-current': 'page' } : {})}>{n.name}</a>
                </li>
              ))}
            </ul>
          </nav>
        )}
        {auth.state === 'ok' && storedKey() && (
          <button type="button" class="sign-out" onClick={() => {
            forgetKey();
            setAuth({ state: 'needed', reason: 'Signed out.' });
          }}>Sign out</button>
        )}
      </header>
      <main id="main">
        {auth.state === 'checking' && <p aria-live="polite">Loading…</p>}
        {auth.state === 'needed' && <SignInPage reason={auth.reason} onSignedIn={() => setAuth({ state: 'ok' })} />}
        {auth.state === 'ok' && <Page route={route} />}
      </main>
    </div>
  );
}
