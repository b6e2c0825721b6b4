import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startFakeGoogleOAuth } from '../testing/fake-google-oauth.ts';
import type { FakeGoogleOAuth } from '../testing/fake-google-oauth.ts';
import { createChannelRecord } from './channel-store.ts';
import type { ChannelRecord } from './channel-store.ts';
import { ChannelTokenSource, tokenExpiryWarning } from './channel-token-source.ts';
import type { ChannelTokenSourceOptions } from './channel-token-source.ts';
import { runInstalledAppFlow } from './installed-app-flow.ts';

const KEY = 'token-source-test-key-0123456789';
let google: FakeGoogleOAuth;
let refreshToken: string;

before(async () => {
  google = await startFakeGoogleOAuth({ expiresInSec: 3600 });
  const tokens = await runInstalledAppFlow({
    config: { oauthUrl: google.authUrl, tokenUrl: google.tokenUrl, clientId: google.clientId, clientSecret: google.clientSecret },
    print: () => {},
    openBrowser: (url) => { google.approve(url).catch(() => {}); },
  });
  refreshToken = tokens.refreshToken;
});
after(async () => { await google.close(); });

function config(): ChannelTokenSourceOptions['config'] {
  return { tokenUrl: google.tokenUrl, clientId: google.clientId, clientSecret: google.clientSecret, secretKey: KEY };
}

async function channel(overrides: Partial<Parameters<typeof createChannelRecord>[0]> = {}): Promise<ChannelRecord> {
  return createChannelRecord({ name: 'science', refreshToken, secretKey: KEY, ...overrides });
}

test('tokenExpiryWarning speaks only for Testing apps in the last 3 days of their token, as the Channels page does', () => {
  const issued = '2025-06-01T00:00:00.000Z';
  const day = (d: number): Date => new Date(Date.parse(issued) + d * 86_400_000);
  const testing = { name: 'science', appStatus: 'testing' as const, tokenIssuedAt: issued };
  assert.equal(tokenExpiryWarning(testing, day(3.9)), undefined);
  const soon = tokenExpiryWarning(testing, day(6.5));
  assert.match(soon ?? '', /channel science expires in 12 hours, at 2025-06-08T00:00:00.000Z/);
  assert.match(soon ?? '', /faceless channels add science/);
  assert.match(tokenExpiryWarning(testing, day(4.5)) ?? '', /expires in 2 days/);
  assert.match(tokenExpiryWarning(testing, day(9)) ?? '', /expired at 2025-06-08/);
  assert.equal(tokenExpiryWarning({ ...testing, appStatus: 'production' }, day(30)), undefined);
});

test('the first token() refreshes, later calls reuse it until 5 minutes before expiry, invalidate() forces a refresh', async () => {
  let clock = Date.now();
  const source = new ChannelTokenSource({ channel: await channel(), config: config(), now: () => new Date(clock) });
  const start = google.counters.refreshes;
  const first = await source.token();
  assert.equal(google.isValidAccessToken(first), true);
  assert.equal(await source.token(), first);
  assert.equal(google.counters.refreshes, start + 1);
  clock += 54 * 60_000;
  assert.equal(await source.token(), first, '6 minutes left: still reused');
  clock += 2 * 60_000;
  const second = await source.token();
  assert.notEqual(second, first, '4 minutes left: refreshed');
  assert.equal(google.counters.refreshes, start + 2);
  source.invalidate();
  const third = await source.token();
  assert.notEqual(third, second);
  assert.equal(google.counters.refreshes, start + 3);
});

test('concurrent callers share one refresh', async () => {
  const source = new ChannelTokenSource({ channel: await channel(), config: config() });
  const start = google.counters.refreshes;
  const tokens = await Promise.all([source.token(), source.token(), source.token()]);
  assert.equal(new Set(tokens).size, 1);
  assert.equal(google.counters.refreshes, start + 1);
});

test('5xx answers are retried; when they persist the error is a retryable PROVIDER_UNAVAILABLE', async () => {
  const retry = { attempts: 3, baseDelayMs: 5 };
  google.failTokenRequests(2, 503);
  const ok = new ChannelTokenSource({ channel: await channel(), config: config(), retry });
  assert.equal(google.isValidAccessToken(await ok.token()), true);
  google.failTokenRequests(3, 500);
  const failing = new ChannelTokenSource({ channel: await channel(), config: config(), retry });
  await assert.rejects(() => failing.token(), (err: Error & { code?: string; retryable?: boolean }) => err.code === 'PROVIDER_UNAVAILABLE' && err.retryable === true);
  const unreachable = new ChannelTokenSource({ channel: await channel(), config: { ...config(), tokenUrl: 'http://127.0.0.1:9/token' }, retry: { attempts: 1, baseDelayMs: 1 } });
  await assert.rejects(() => unreachable.token(), (err: Error & { code?: string; retryable?: boolean }) => err.code === 'PROVIDER_UNAVAILABLE' && err.retryable === true && /could not be reached/.test(err.message));
});

test('a Testing app whose token is in its last 3 days warns once; a production app does not', async () => {
  const old = new Date(Date.now() - 6.5 * 86_400_000);
  const warnings: string[] = [];
  const source = new ChannelTokenSource({ channel: await channel({ now: old }), config: config(), warn: (m) => warnings.push(m) });
  await source.token();
  source.invalidate();
  await source.token();
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /Testing status/);
  assert.ok(!warnings[0]!.includes(refreshToken));
  const quiet: string[] = [];
  await new ChannelTokenSource({ channel: await channel({ now: old, appStatus: 'production' }), config: config(), warn: (m) => quiet.push(m) }).token();
  assert.deepEqual(quiet, []);
});

test('a changed FACELESS_SECRET_KEY is CHANNEL_AUTH before any request', async () => {
  const start = google.counters.refreshes + google.counters.tokenErrors;
  const source = new ChannelTokenSource({ channel: await channel(), config: { ...config(), secretKey: 'another-key-0123456789' } });
  await assert.rejects(() => source.token(), (err: Error & { code?: string }) => err.code === 'CHANNEL_AUTH' && /FACELESS_SECRET_KEY changed/.test(err.message));
  assert.equal(google.counters.refreshes + google.counters.tokenErrors, start);
});
