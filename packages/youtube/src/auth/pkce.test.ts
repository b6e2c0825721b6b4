import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_SCOPES, buildAuthorizationUrl, codeChallengeFor, createOAuthState, createPkcePair } from './pkce.ts';

test('the S256 challenge matches RFC 7636 appendix B', () => {
  assert.equal(codeChallengeFor('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'), 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
});

test('a fresh verifier is 43 unreserved characters, its challenge is derived from it, and each pair differs', () => {
  const a = createPkcePair();
  const b = createPkcePair();
  assert.match(a.verifier, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(a.challenge, codeChallengeFor(a.verifier));
  assert.notEqual(a.verifier, b.verifier);
  assert.notEqual(createOAuthState(), createOAuthState());
});

test('a verifier outside RFC 7636 is refused', () => {
  assert.throws(() => codeChallengeFor('short'), { code: 'INVALID_INPUT', field: 'codeVerifier' });
  assert.throws(() => codeChallengeFor(`${'a'.repeat(43)}!`), { code: 'INVALID_INPUT' });
});

test('the authorization URL asks for a code, offline access, consent, PKCE S256 and the three default scopes', () => {
  const url = new URL(buildAuthorizationUrl({
    oauthUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
    clientId: 'id.apps.googleusercontent.com',
    redirectUri: 'http://127.0.0.1:53123',
    state: 'st4te',
    codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
  }));
  assert.equal(url.origin + url.pathname, 'https://accounts.google.com/o/oauth2/v2/auth');
  const p = Object.fromEntries(url.searchParams);
  assert.deepEqual(p, {
    client_id: 'id.apps.googleusercontent.com',
    redirect_uri: 'http://127.0.0.1:53123',
    response_type: 'code',
    scope: 'https://www.googleapis.com/auth/youtube.upload https://www.googleapis.com/auth/youtube https://www.googleapis.com/auth/yt-analytics.readonly',
    state: 'st4te',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
    access_type: 'offline',
    prompt: 'consent',
  });
  assert.equal(DEFAULT_SCOPES.length, 3);
});

test('custom scopes replace the defaults', () => {
  const url = new URL(buildAuthorizationUrl({
    oauthUrl: 'http://127.0.0.1:1/auth', clientId: 'c', redirectUri: 'http://127.0.0.1:2', state: 's', codeChallenge: 'x',
    scopes: ['https://www.googleapis.com/auth/youtube.readonly'],
  }));
  assert.equal(url.searchParams.get('scope'), 'https://www.googleapis.com/auth/youtube.readonly');
});
