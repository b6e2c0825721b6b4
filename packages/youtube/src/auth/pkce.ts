import { createHash, randomBytes } from 'node:crypto';
import { FacelessError } from '@faceless/runtime';

/** What faceless asks for: uploading, editing titles/thumbnails, and reading analytics for the A/B tests. */
export const DEFAULT_SCOPES = [
  'https://www.googleapis.com/auth/youtube.upload',
  'https://www.googleapis.com/auth/youtube',
  'https://www.googleapis.com/auth/yt-analytics.readonly',
] as const;

export interface PkcePair {
  verifier: string;
  challenge: string;
}

// RFC 7636 §4.1: 43–128 characters from the unreserved set.
const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

export function base64url(bytes: Buffer): string {
  return bytes.toString('base64url');
}

/** The S256 code challenge of a verifier: base64url(sha256(ascii(verifier))), RFC 7636 §4.2. */
export function codeChallengeFor(verifier: string): string {
  if (!VERIFIER.test(verifier)) {
    throw new FacelessError('INVALID_INPUT', 'a PKCE code verifier must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~ (RFC 7636)', { field: 'codeVerifier' });
  }
  return base64url(createHash('sha256').update(verifier, 'ascii').digest());
}

/** A fresh verifier (32 random bytes → 43 characters) and its S256 challenge. */
export function createPkcePair(): PkcePair {
  const verifier = base64url(randomBytes(32));
  return { verifier, challenge: codeChallengeFor(verifier) };
}

/** An unguessable `state` that ties the browser's redirect to this run of the flow. */
export function createOAuthState(): string {
  return base64url(randomBytes(16));
}

export interface AuthorizationUrlOptions {
  oauthUrl: string;
  clientId: string;
  redirectUri: string;
  scopes?: readonly string[];
  state: string;
  codeChallenge: string;
}

/** Google's consent page for an installed app: a code, a refresh token every time (prompt=consent), PKCE S256. */
export function buildAuthorizationUrl(options: AuthorizationUrlOptions): string {
  const url = new URL(options.oauthUrl);
  const scopes = options.scopes ?? DEFAULT_SCOPES;
  url.searchParams.set('client_id', options.clientId);
  url.searchParams.set('redirect_uri', options.redirectUri);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('scope', scopes.join(' '));
  url.searchParams.set('state', options.state);
  url.searchParams.set('code_challenge', options.codeChallenge);
  url.searchParams.set('code_challenge_method', 'S256');
  // offline: a refresh token; consent: Google returns it again even when the user had granted access before.
  url.searchParams.set('access_type', 'offline');
  url.searchParams.set('prompt', 'consent');
  return url.toString();
}
