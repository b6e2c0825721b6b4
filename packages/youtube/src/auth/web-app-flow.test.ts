import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openTestDatabase } from '@faceless/infra/testing';
import type { Database } from '@faceless/runtime';
import { startFakeGoogleOAuth, type FakeGoogleOAuth } from '../testing/fake-google-oauth.ts';
import type { ChannelRecord } from './channel-store.ts';
import { ChannelTokenSource } from './channel-token-source.ts';
import { decryptSecret } from './token-vault.ts';
import { WEB_AUTHORIZATION_TTL_MS, WebAuthorizations, type WebAuthorizationOptions } from './web-app-flow.ts';

const KEY = 'web-app-flow-test-secret-0123456789';
const REDIRECT = 'http://127.0.0.1:3000/api/channels/oauth/callback';
let handle: { db: Database; cleanup(): Promise<void> };
let web: FakeGoogleOAuth;
const channels = new Map<string, ChannelRecord>();
let clock = new Date('2026-03-10T08:00:00Z');

before(async () => {
  handle = await openTestDatabase('pglite');
  // Google knows only the web client here: a refresh with the main (desktop) client would be refused.
  web = await startFakeGoogleOAuth({ clientId: 'web-client.apps.googleusercontent.com', clientSecret: 'web-secret' });
});
after(async () => {
  await web.close();
  await handle.cleanup();
});

function config(): WebAuthorizationOptions['config'] & { tokenUrl: string } {
  return {
    oauthUrl: web.authUrl, tokenUrl: web.tokenUrl, clientId: 'desktop-client.apps.googleusercontent.com', clientSecret: 'desktop-secret',
    webClientId: web.clientId, webClientSecret: web.clientSecret, secretKey: KEY,
  };
}

function flows(): WebAuthorizations {
  return new WebAuthorizations({
    db: handle.db, config: config(), now: () => clock,
    channels: {
      get: async (name) => { const r = channels.get(name); if (!r) throw new Error('unknown'); return r; },
      save: async (record) => { channels.set(record.name, record as ChannelRecord); return record as ChannelRecord; },
    },
  });
}

/** The browser at Google's consent page: where Google sends it back (code or error, and the state). */
async function consent(url: string): Promise<URLSearchParams> {
  const res = await fetch(url, { redirect: 'manual' });
  assert.equal(res.status, 302, await res.text());
  return new URL(res.headers.get('location') ?? '').searchParams;
}

test('the web client\'s consent: stored as oauthClient "web", refreshed with that client, and the state works once', async () => {
  const flow = flows();
  const { consentUrl, expiresAt } = await flow.start({ channel: 'science', redirectUri: REDIRECT });
  assert.equal(expiresAt.getTime(), clock.getTime() + WEB_AUTHORIZATION_TTL_MS);
  const url = new URL(consentUrl);
  assert.equal(url.searchParams.get('client_id'), web.clientId);
  const back = await consent(consentUrl);
  const answer = { state: back.get('state') ?? '', code: back.get('code') ?? '' };
  const { rows } = await handle.db.query<{ code_verifier: unknown }>('SELECT code_verifier FROM youtube_oauth_pending');
  assert.equal(rows.length, 1);
  assert.doesNotMatch(JSON.stringify(rows[0]), /"data":"[A-Za-z0-9_-]{43}"/, 'the verifier is stored encrypted');

  const done = await flow.complete(answer);
  assert.equal(done.outcome, 'added');
  const record = channels.get('science');
  assert.equal(record?.oauthClient, 'web');
  assert.match(await decryptSecret(record.refreshToken, KEY, { channel: 'science' }), /^1\/\/fake-/);
  const access = await new ChannelTokenSource({ channel: record, config: config(), retry: { attempts: 1, baseDelayMs: 1 } }).token();
  assert.equal(web.isValidAccessToken(access), true, 'refreshed with GOOGLE_WEB_CLIENT_ID');
  await assert.rejects(new ChannelTokenSource({ channel: { ...record, oauthClient: undefined }, config: config(), retry: { attempts: 1, baseDelayMs: 1 } }).token(), { code: 'PROVIDER_AUTH' });

  await assert.rejects(flow.complete(answer), (err: Error & { code?: string; field?: string }) => err.code === 'INVALID_INPUT' && err.field === 'state' && /already used/.test(err.message));
  assert.equal(web.counters.codeExchanges, 1);
});

test('an expired state, a denial and a tampered state: nothing stored, nothing sent to Google', async () => {
  const flow = flows();
  const exchanges = web.counters.codeExchanges;
  const late = await consent((await flow.start({ channel: 'late', redirectUri: REDIRECT })).consentUrl);
  clock = new Date(clock.getTime() + WEB_AUTHORIZATION_TTL_MS + 1000);
  await assert.rejects(flow.complete({ state: late.get('state') ?? '', code: late.get('code') ?? '' }), (err: Error & { field?: string }) => err.field === 'state' && /after its 10 minutes/.test(err.message));

  web.denyNext();
  const denied = await consent((await flow.start({ channel: 'denied', redirectUri: REDIRECT })).consentUrl);
  assert.deepEqual(await flow.complete({ state: denied.get('state') ?? '', error: denied.get('error') ?? '' }), { outcome: 'denied', channel: 'denied', error: 'access_denied' });

  const other = await consent((await flow.start({ channel: 'other', redirectUri: REDIRECT })).consentUrl);
  const state = other.get('state') ?? '';
  const tampered = `${state.slice(0, -1)}${state.endsWith('A') ? 'B' : 'A'}`;
  await assert.rejects(flow.complete({ state: tampered, code: other.get('code') ?? '' }), { code: 'INVALID_INPUT', field: 'state' });
  await assert.rejects(flow.complete({ code: 'x' }), { code: 'INVALID_INPUT', field: 'state' });
  await assert.rejects(flow.start({ channel: '../x', redirectUri: REDIRECT }), { code: 'INVALID_INPUT', field: 'channel' });
  assert.deepEqual([...channels.keys()], ['science']);
  assert.equal(web.counters.codeExchanges, exchanges);
});
