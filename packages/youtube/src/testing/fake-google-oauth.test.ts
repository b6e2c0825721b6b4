import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { buildAuthorizationUrl, createPkcePair } from '../auth/pkce.ts';
import { startFakeGoogleOAuth } from './fake-google-oauth.ts';
import type { FakeGoogleOAuth } from './fake-google-oauth.ts';

let google: FakeGoogleOAuth;
let loopback: Server;
let redirectUri: string;
const landed: URL[] = [];

before(async () => {
  google = await startFakeGoogleOAuth({ expiresInSec: 120 });
  loopback = createServer((req, res) => {
    landed.push(new URL(req.url ?? '/', redirectUri));
    res.writeHead(200, { 'content-type': 'text/html' }).end('<p>ok</p>');
  });
  await new Promise<void>((resolve) => loopback.listen(0, '127.0.0.1', resolve));
  redirectUri = `http://127.0.0.1:${(loopback.address() as AddressInfo).port}`;
});

after(async () => {
  await google.close();
  loopback.closeAllConnections();
  await new Promise<void>((resolve) => loopback.close(() => resolve()));
});

function consentUrl(challenge: string, overrides: Partial<{ clientId: string; redirectUri: string }> = {}): string {
  return buildAuthorizationUrl({
    oauthUrl: google.authUrl, clientId: overrides.clientId ?? google.clientId, redirectUri: overrides.redirectUri ?? redirectUri,
    state: 'state-1', codeChallenge: challenge,
  });
}

async function token(form: Record<string, string>, contentType = 'application/x-www-form-urlencoded'): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(google.tokenUrl, { method: 'POST', headers: { 'content-type': contentType }, body: new URLSearchParams(form).toString() });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function authorize(): Promise<{ code: string; verifier: string }> {
  const pkce = createPkcePair();
  const result = await google.approve(consentUrl(pkce.challenge));
  assert.equal(result.status, 200);
  const back = landed.at(-1)!;
  assert.equal(back.searchParams.get('state'), 'state-1');
  return { code: back.searchParams.get('code')!, verifier: pkce.verifier };
}

test('approve follows the redirect to the loopback address with a code and the state', async () => {
  const before = google.counters.authorizations;
  const { code } = await authorize();
  assert.match(code, /^4\/fake-/);
  assert.equal(google.counters.authorizations, before + 1);
});

test('approve refuses what Google would refuse: unknown client, non-loopback redirect, missing PKCE', async () => {
  const pkce = createPkcePair();
  await assert.rejects(() => google.approve(consentUrl(pkce.challenge, { clientId: 'nope' })), /invalid_client/);
  await assert.rejects(() => google.approve(consentUrl(pkce.challenge, { redirectUri: 'https://example.com/cb' })), /redirect_uri_mismatch/);
  const noPkce = new URL(consentUrl(pkce.challenge));
  noPkce.searchParams.delete('code_challenge_method');
  await assert.rejects(() => google.approve(noPkce.toString()), /S256/);
});

test('denyNext answers the next consent with error=access_denied, once', async () => {
  google.denyNext();
  await google.approve(consentUrl(createPkcePair().challenge));
  assert.equal(landed.at(-1)!.searchParams.get('error'), 'access_denied');
  assert.equal(landed.at(-1)!.searchParams.get('code'), null);
  await authorize();
});

test('the code exchange checks the client, the PKCE verifier and the redirect URI, and a code works once', async () => {
  const a = await authorize();
  const base = { grant_type: 'authorization_code', client_id: google.clientId, client_secret: google.clientSecret, redirect_uri: redirectUri };
  const badClient = await token({ ...base, code: a.code, code_verifier: a.verifier, client_secret: 'wrong' });
  assert.deepEqual([badClient.status, badClient.body.error], [401, 'invalid_client']);
  const badVerifier = await token({ ...base, code: a.code, code_verifier: createPkcePair().verifier });
  assert.deepEqual([badVerifier.status, badVerifier.body.error, badVerifier.body.error_description], [400, 'invalid_grant', 'Invalid code verifier.']);

  const b = await authorize();
  const ok = await token({ ...base, code: b.code, code_verifier: b.verifier });
  assert.equal(ok.status, 200);
  assert.equal(ok.body.token_type, 'Bearer');
  assert.equal(ok.body.expires_in, 120);
  assert.match(String(ok.body.refresh_token), /^1\/\/fake-/);
  assert.match(String(ok.body.scope), /youtube\.upload/);
  assert.equal(google.isValidAccessToken(String(ok.body.access_token)), true);
  const again = await token({ ...base, code: b.code, code_verifier: b.verifier });
  assert.deepEqual([again.status, again.body.error], [400, 'invalid_grant']);

  const c = await authorize();
  const otherRedirect = await token({ ...base, code: c.code, code_verifier: c.verifier, redirect_uri: 'http://127.0.0.1:1' });
  assert.equal(otherRedirect.body.error, 'redirect_uri_mismatch');
  assert.equal((await token({ ...base, code: c.code, code_verifier: c.verifier }, 'application/json')).body.error, 'invalid_request');
  assert.equal((await token({ ...base, grant_type: 'password' })).body.error, 'unsupported_grant_type');
});

test('refresh grants new access tokens until the refresh token is revoked; expiry and revocation kill access tokens', async () => {
  const a = await authorize();
  const first = await token({ grant_type: 'authorization_code', code: a.code, code_verifier: a.verifier, client_id: google.clientId, client_secret: google.clientSecret, redirect_uri: redirectUri });
  const refreshToken = String(first.body.refresh_token);
  const refresh = { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: google.clientId, client_secret: google.clientSecret };
  const refreshed = await token(refresh);
  assert.equal(refreshed.status, 200);
  assert.equal(refreshed.body.refresh_token, undefined);
  const access = String(refreshed.body.access_token);
  assert.notEqual(access, first.body.access_token);
  assert.equal(google.isValidAccessToken(access), true);
  google.expireAccessTokens();
  assert.equal(google.isValidAccessToken(access), false);
  const later = String((await token(refresh)).body.access_token);
  assert.equal(google.isValidAccessToken(later), true);
  google.revokeRefreshToken(refreshToken);
  assert.equal(google.isValidAccessToken(later), false);
  const dead = await token(refresh);
  assert.deepEqual([dead.status, dead.body.error, dead.body.error_description], [400, 'invalid_grant', 'Token has been expired or revoked.']);
  assert.equal(google.isValidAccessToken('ya29.made-up'), false);
});

test('failTokenRequests injects server errors before any check', async () => {
  google.failTokenRequests(2, 502);
  assert.equal((await token({})).status, 502);
  assert.equal((await token({})).status, 502);
  assert.equal((await token({})).status, 401);
});
