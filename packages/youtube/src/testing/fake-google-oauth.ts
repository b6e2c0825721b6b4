import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeGoogleOAuthOptions {
  clientId?: string;
  clientSecret?: string;
  /** Lifetime of the access tokens it hands out; default 3600 like Google. */
  expiresInSec?: number;
}

export interface FakeGoogleOAuthCounters {
  authorizations: number;
  denials: number;
  codeExchanges: number;
  refreshes: number;
  /** Token requests answered with an error (4xx or an injected 5xx). */
  tokenErrors: number;
}

/** What the loopback server answered the simulated browser. */
export interface ApproveResult {
  status: number;
  body: string;
  /** The redirect the browser followed (code or error, and state). */
  redirectedTo: string;
}

export interface FakeGoogleOAuth {
  /** Base URL; `authUrl` and `tokenUrl` are what GOOGLE_OAUTH_URL / GOOGLE_TOKEN_URL point at. */
  url: string;
  authUrl: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  counters: FakeGoogleOAuthCounters;
  /** Plays the user's browser: opens the consent URL (checked like Google does), clicks Allow, follows the redirect. */
  approve(authUrl: string): Promise<ApproveResult>;
  /** The next approve() is answered with error=access_denied, as when the user clicks Cancel. */
  denyNext(): void;
  /** The next `count` token requests get this status (default 503) before any checks. */
  failTokenRequests(count: number, status?: number): void;
  isValidAccessToken(token: string): boolean;
  /** As when the user removes the app's access, or a Testing-status app's 7 days are up. */
  revokeRefreshToken(token: string): void;
  expireAccessTokens(): void;
  close(): Promise<void>;
}

interface PendingCode {
  clientId: string;
  redirectUri: string;
  challenge: string;
  scope: string;
  used: boolean;
}

const KNOWN_SCOPE = /^https:\/\/www\.googleapis\.com\/auth\/[a-z0-9._-]+$/;
const LOOPBACK = /^http:\/\/(127\.0\.0\.1|\[::1\]|localhost)(:\d+)?(\/.*)?$/;

function token(prefix: string): string {
  return `${prefix}${randomBytes(24).toString('base64url')}`;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let raw = '';
    req.setEncoding('utf8').on('data', (c: string) => { raw += c; }).on('end', () => resolve(raw)).on('error', reject);
  });
}

/** Google's OAuth consent page and token endpoint, enough to run the installed-app flow and refreshes for real. */
export async function startFakeGoogleOAuth(options: FakeGoogleOAuthOptions = {}): Promise<FakeGoogleOAuth> {
  const clientId = options.clientId ?? 'fake-client-id.apps.googleusercontent.com';
  const clientSecret = options.clientSecret ?? 'fake-client-secret';
  const expiresInSec = options.expiresInSec ?? 3600;
  const counters: FakeGoogleOAuthCounters = { authorizations: 0, denials: 0, codeExchanges: 0, refreshes: 0, tokenErrors: 0 };
  const codes = new Map<string, PendingCode>();
  const refreshTokens = new Map<string, { scope: string; revoked: boolean }>();
  const accessTokens = new Map<string, { expiresAt: number; refreshToken: string }>();
  let denyNext = false;
  let failures: { count: number; status: number } = { count: 0, status: 503 };

  function issueAccessToken(refreshToken: string): string {
    const access = token('ya29.fake-');
    accessTokens.set(access, { expiresAt: Date.now() + expiresInSec * 1000, refreshToken });
    return access;
  }

  function tokenError(res: ServerResponse, status: number, error: string, description: string): void {
    counters.tokenErrors++;
    sendJson(res, status, { error, error_description: description });
  }

  // Google shows an error page (no redirect) when the request itself is bad; the fake answers 400 text.
  function authorize(url: URL, res: ServerResponse): void {
    const p = url.searchParams;
    const problems: string[] = [];
    if (p.get('client_id') !== clientId) problems.push('invalid_client: The OAuth client was not found.');
    const redirectUri = p.get('redirect_uri') ?? '';
    if (!LOOPBACK.test(redirectUri)) problems.push(`redirect_uri_mismatch: ${redirectUri} is not a loopback address`);
    if (p.get('response_type') !== 'code') problems.push('unsupported_response_type: response_type must be code');
    const scopes = (p.get('scope') ?? '').split(' ').filter(Boolean);
    if (scopes.length === 0 || !scopes.every((s) => KNOWN_SCOPE.test(s))) problems.push('invalid_scope: Some requested scopes were invalid.');
    const challenge = p.get('code_challenge') ?? '';
    if (p.get('code_challenge_method') !== 'S256' || !/^[A-Za-z0-9_-]{43}$/.test(challenge)) problems.push('invalid_request: code_challenge_method must be S256 with a 43-character challenge');
    if (p.get('access_type') !== 'offline') problems.push('access_type must be offline to get a refresh token');
    if (problems.length > 0) {
      res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end(`Error 400: ${problems.join('; ')}`);
      return;
    }
    const back = new URL(redirectUri);
    const state = p.get('state');
    if (denyNext) {
      denyNext = false;
      counters.denials++;
      back.searchParams.set('error', 'access_denied');
    } else {
      counters.authorizations++;
      const code = token('4/fake-');
      codes.set(code, { clientId, redirectUri, challenge, scope: scopes.join(' '), used: false });
      back.searchParams.set('code', code);
      back.searchParams.set('scope', scopes.join(' '));
    }
    if (state !== null) back.searchParams.set('state', state);
    res.writeHead(302, { location: back.toString() }).end();
  }

  async function tokenEndpoint(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    if (failures.count > 0) {
      failures.count--;
      return tokenError(res, failures.status, 'internal_failure', 'Backend Error');
    }
    if (!(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
      return tokenError(res, 400, 'invalid_request', 'Invalid content type.');
    }
    const form = new URLSearchParams(raw);
    if (form.get('client_id') !== clientId || form.get('client_secret') !== clientSecret) {
      return tokenError(res, 401, 'invalid_client', 'The OAuth client was not found.');
    }
    const grant = form.get('grant_type');
    if (grant === 'authorization_code') {
      const pending = codes.get(form.get('code') ?? '');
      if (!pending || pending.used) return tokenError(res, 400, 'invalid_grant', 'Malformed auth code.');
      pending.used = true;
      if (form.get('redirect_uri') !== pending.redirectUri) return tokenError(res, 400, 'redirect_uri_mismatch', 'Bad Request');
      const verifier = form.get('code_verifier') ?? '';
      if (createHash('sha256').update(verifier, 'ascii').digest('base64url') !== pending.challenge) {
        return tokenError(res, 400, 'invalid_grant', 'Invalid code verifier.');
      }
      counters.codeExchanges++;
      const refresh = token('1//fake-');
      refreshTokens.set(refresh, { scope: pending.scope, revoked: false });
      return sendJson(res, 200, { access_token: issueAccessToken(refresh), expires_in: expiresInSec, refresh_token: refresh, scope: pending.scope, token_type: 'Bearer' });
    }
    if (grant === 'refresh_token') {
      const refresh = form.get('refresh_token') ?? '';
      const known = refreshTokens.get(refresh);
      if (!known || known.revoked) return tokenError(res, 400, 'invalid_grant', 'Token has been expired or revoked.');
      counters.refreshes++;
      return sendJson(res, 200, { access_token: issueAccessToken(refresh), expires_in: expiresInSec, scope: known.scope, token_type: 'Bearer' });
    }
    return tokenError(res, 400, 'unsupported_grant_type', `Invalid grant_type: ${grant ?? ''}`);
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    if (req.method === 'GET' && url.pathname === '/o/oauth2/v2/auth') return authorize(url, res);
    if (req.method === 'POST' && url.pathname === '/token') {
      tokenEndpoint(req, res).catch(() => { if (!res.headersSent) sendJson(res, 500, { error: 'internal_failure' }); });
      return;
    }
    sendJson(res, 404, { error: 'not_found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    authUrl: `${url}/o/oauth2/v2/auth`,
    tokenUrl: `${url}/token`,
    clientId,
    clientSecret,
    counters,
    async approve(authUrl) {
      const consent = await fetch(authUrl, { redirect: 'manual' });
      const location = consent.headers.get('location');
      if (consent.status !== 302 || !location) {
        throw new Error(`fake Google refused the authorization request (${consent.status}): ${await consent.text()}`);
      }
      const landing = await fetch(location, { redirect: 'manual' });
      return { status: landing.status, body: await landing.text(), redirectedTo: location };
    },
    denyNext() { denyNext = true; },
    failTokenRequests(count, status = 503) { failures = { count, status }; },
    isValidAccessToken(access) {
      const entry = accessTokens.get(access);
      return entry !== undefined && entry.expiresAt > Date.now() && refreshTokens.get(entry.refreshToken)?.revoked === false;
    },
    revokeRefreshToken(refresh) {
      const entry = refreshTokens.get(refresh);
      if (entry) entry.revoked = true;
    },
    expireAccessTokens() {
      for (const entry of accessTokens.values()) entry.expiresAt = 0;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
