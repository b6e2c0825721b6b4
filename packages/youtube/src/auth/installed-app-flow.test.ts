import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { startFakeGoogleOAuth } from '../testing/fake-google-oauth.ts';
import type { ApproveResult, FakeGoogleOAuth } from '../testing/fake-google-oauth.ts';
import { runInstalledAppFlow } from './installed-app-flow.ts';
import type { InstalledAppFlowOptions } from './installed-app-flow.ts';
import { openBrowserQuietly } from './open-browser.ts';

let google: FakeGoogleOAuth;
before(async () => { google = await startFakeGoogleOAuth(); });
after(async () => { await google.close(); });

function config(): InstalledAppFlowOptions['config'] {
  return { oauthUrl: google.authUrl, tokenUrl: google.tokenUrl, clientId: google.clientId, clientSecret: google.clientSecret };
}

/** A browser that opens the URL (optionally altered) and remembers what the loopback page said. */
function browser(alter: (url: URL) => void = () => {}): { open: (url: string) => void; visits: Promise<ApproveResult>[]; urls: string[] } {
  const visits: Promise<ApproveResult>[] = [];
  const urls: string[] = [];
  return {
    visits,
    urls,
    open(url) {
      urls.push(url);
      const u = new URL(url);
      alter(u);
      const visit = google.approve(u.toString());
      visit.catch(() => {});
      visits.push(visit);
    },
  };
}

test('the flow prints the URL, gets the code through the loopback redirect, exchanges it and closes its server', async () => {
  const lines: string[] = [];
  const b = browser();
  const before = Date.now();
  const tokens = await runInstalledAppFlow({ config: config(), print: (l) => lines.push(l), openBrowser: b.open, channelName: 'science' });
  assert.match(tokens.refreshToken, /^1\/\/fake-/);
  assert.equal(google.isValidAccessToken(tokens.accessToken), true);
  assert.ok(Math.abs(tokens.expiresAt.getTime() - (before + 3600_000)) < 5000);
  assert.match(tokens.scope, /yt-analytics\.readonly/);

  assert.equal(b.urls.length, 1);
  assert.ok(lines.includes(b.urls[0]!), 'the authorization URL is printed as its own line');
  const authUrl = new URL(b.urls[0]!);
  const redirectUri = authUrl.searchParams.get('redirect_uri')!;
  assert.match(redirectUri, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(authUrl.searchParams.get('code_challenge_method'), 'S256');
  const page = await b.visits[0]!;
  assert.equal(page.status, 200);
  assert.match(page.body, /Channel authorized/);
  await assert.rejects(() => fetch(redirectUri), 'the loopback server is closed');
});

test('Cancel on the consent page is a CHANNEL_AUTH error with the command to run again', async () => {
  google.denyNext();
  const b = browser();
  await assert.rejects(() => runInstalledAppFlow({ config: config(), print: () => {}, openBrowser: b.open, channelName: 'science' }),
    (err: Error & { code?: string }) => err.code === 'CHANNEL_AUTH' && /access was denied/.test(err.message) && /faceless channels add science/.test(err.message));
  assert.match((await b.visits[0]!).body, /Access denied/);
});

test('a redirect with another state is refused', async () => {
  const exchanges = google.counters.codeExchanges;
  const b = browser((u) => u.searchParams.set('state', 'forged'));
  await assert.rejects(() => runInstalledAppFlow({ config: config(), print: () => {}, openBrowser: b.open }),
    (err: Error & { code?: string }) => err.code === 'CHANNEL_AUTH' && /different OAuth state/.test(err.message));
  assert.equal((await b.visits[0]!).status, 400);
  assert.equal(google.counters.codeExchanges, exchanges);
});

test('no browser answer within the timeout is CHANNEL_AUTH; an abort is CANCELLED', async () => {
  const started = Date.now();
  await assert.rejects(() => runInstalledAppFlow({ config: config(), print: () => {}, openBrowser: () => {}, timeoutMs: 300 }),
    (err: Error & { code?: string }) => err.code === 'CHANNEL_AUTH' && /no answer from the browser/.test(err.message));
  assert.ok(Date.now() - started < 3000);
  const controller = new AbortController();
  const flow = runInstalledAppFlow({ config: config(), print: () => {}, openBrowser: () => { setTimeout(() => controller.abort(), 50); }, signal: controller.signal });
  await assert.rejects(flow, { code: 'CANCELLED' });
});

test('a 503 from the token endpoint is retried', async () => {
  google.failTokenRequests(1, 503);
  const tokens = await runInstalledAppFlow({ config: config(), print: () => {}, openBrowser: browser().open });
  assert.match(tokens.refreshToken, /^1\/\//);
});

test('a wrong client secret is PROVIDER_AUTH and the secret is not in the message', async () => {
  await assert.rejects(() => runInstalledAppFlow({ config: { ...config(), clientSecret: 'wrong-secret-value' }, print: () => {}, openBrowser: browser().open }),
    (err: Error & { code?: string }) => err.code === 'PROVIDER_AUTH' && /invalid_client/.test(err.message) && !err.message.includes('wrong-secret-value'));
});

test('missing GOOGLE_CLIENT_ID or GOOGLE_CLIENT_SECRET is an INVALID_OPTION saying where to get it', async () => {
  for (const [field, overrides] of [['GOOGLE_CLIENT_ID', { clientId: undefined }], ['GOOGLE_CLIENT_SECRET', { clientSecret: undefined }]] as const) {
    await assert.rejects(() => runInstalledAppFlow({ config: { ...config(), ...overrides }, print: () => {}, openBrowser: () => {} }),
      (err: Error & { code?: string; field?: string }) =>
        err.code === 'INVALID_OPTION' && err.field === field && err.message.startsWith(`${field} is not set`) && /Google Cloud console/.test(err.message) && /"Desktop app"/.test(err.message));
  }
});

test('the default browser opener never fails, with or without a display', async () => {
  assert.doesNotThrow(() => openBrowserQuietly('http://127.0.0.1:9/x', {}));
  assert.doesNotThrow(() => openBrowserQuietly('http://127.0.0.1:9/x', { DISPLAY: ':99' }));
  // A missing xdg-open reports through an 'error' event a moment later; it must not surface.
  await delay(200);
});
