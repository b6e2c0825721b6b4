import { FacelessError, withRetry } from '@faceless/runtime';
import type { YouTubeConfig } from '../youtube-config.ts';
import type { ClientCredentials } from './client-credentials.ts';
import { requestToken } from './token-endpoint.ts';

/** What a consent flow ends with: the refresh token faceless keeps, and the first access token. */
export interface AuthorizedTokens {
  accessToken: string;
  expiresAt: Date;
  refreshToken: string;
  scope: string;
}

export interface CodeExchangeOptions {
  config: Pick<YouTubeConfig, 'tokenUrl'>;
  client: ClientCredentials;
  code: string;
  /** The PKCE verifier of the challenge sent to the consent page. */
  verifier: string;
  /** Exactly the redirect_uri of the consent URL: Google compares them. */
  redirectUri: string;
  scopes: readonly string[];
  /** How to start over, ending each message, e.g. "run `faceless channels add x` again". */
  again: string;
  signal?: AbortSignal;
  fetch?: typeof fetch;
  now?: () => Date;
}

/**
 * The authorization code exchanged for tokens (grant_type=authorization_code with the PKCE verifier), retried
 * on Google's transient failures; refused when Google gave no refresh token or only part of the scopes.
 */
export async function exchangeAuthorizationCode(o: CodeExchangeOptions): Promise<AuthorizedTokens> {
  const tokens = await withRetry(() => requestToken({
    tokenUrl: o.config.tokenUrl,
    form: {
      grant_type: 'authorization_code', code: o.code, code_verifier: o.verifier,
      client_id: o.client.clientId, client_secret: o.client.clientSecret, redirect_uri: o.redirectUri,
    },
    signal: o.signal,
    fetch: o.fetch,
    now: o.now,
    invalidGrant: (why) => new FacelessError('CHANNEL_AUTH', `Google refused the authorization code (${why}): ${o.again}`),
  }), { attempts: 3, baseDelayMs: 500, signal: o.signal });

  if (!tokens.refreshToken) {
    throw new FacelessError('PROVIDER_BAD_RESPONSE', `Google returned no refresh token: remove faceless from https://myaccount.google.com/permissions, then ${o.again}`);
  }
  if (tokens.scope) {
    const granted = new Set(tokens.scope.split(' '));
    const missing = o.scopes.filter((s) => !granted.has(s));
    if (missing.length > 0) {
      throw new FacelessError('CHANNEL_AUTH', `the consent page granted only part of the access faceless needs (missing ${missing.join(', ')}): ${o.again} and tick every permission`);
    }
  }
  return { accessToken: tokens.accessToken, expiresAt: tokens.expiresAt, refreshToken: tokens.refreshToken, scope: tokens.scope };
}
