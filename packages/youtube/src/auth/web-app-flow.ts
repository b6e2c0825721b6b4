import { createHash, randomBytes } from 'node:crypto';
import { migrate, type Migration } from '@faceless/infra';
import { FacelessError, type Database } from '@faceless/runtime';
import type { YouTubeConfig } from '../youtube-config.ts';
import { assertChannelName, createChannelRecord, type ChannelDirectory, type ChannelRecord } from './channel-store.ts';
import { requireWebClientCredentials } from './client-credentials.ts';
import { exchangeAuthorizationCode } from './code-exchange.ts';
import { DEFAULT_SCOPES, buildAuthorizationUrl, createPkcePair } from './pkce.ts';
import { decryptSecret, encryptSecret, EncryptedSecret, requireSecretKey } from './token-vault.ts';

/** The consent flows started from the dashboard and not yet answered; their own list beside the publishing state's. */
export const webAuthorizationMigrations: readonly Migration[] = [
  {
    id: 'youtube-oauth-0001-pending-authorizations',
    sql: `
-- A consent page opened from the dashboard: the state's hash (never the state), the channel it adds, the exact
-- redirect URI sent, and the PKCE verifier encrypted with FACELESS_SECRET_KEY. Deleted when answered or expired.
CREATE TABLE youtube_oauth_pending (
  state_hash text PRIMARY KEY,
  channel text NOT NULL,
  redirect_uri text NOT NULL,
  code_verifier jsonb NOT NULL,
  expires_at timestamptz NOT NULL
);
`,
  },
];

/** How long a consent page may stay open: Google's own codes live minutes, and a stale state should not. */
export const WEB_AUTHORIZATION_TTL_MS = 10 * 60_000;
const STATE = /^[A-Za-z0-9_-]{43}$/;

export interface WebAuthorizationOptions {
  db: Database;
  channels: Pick<ChannelDirectory, 'get' | 'save'>;
  config: Pick<YouTubeConfig, 'oauthUrl' | 'tokenUrl' | 'clientId' | 'clientSecret' | 'webClientId' | 'webClientSecret' | 'secretKey'>;
  scopes?: readonly string[];
  now?: () => Date;
  fetch?: typeof fetch;
}

/** What Google's redirect to the callback carried. */
export interface WebAuthorizationAnswer {
  state?: string;
  code?: string;
  /** Google's error, e.g. access_denied when the user clicked Cancel. */
  error?: string;
}

export type WebAuthorizationOutcome =
  | { outcome: 'added' | 're-authorized'; channel: ChannelRecord }
  | { outcome: 'denied'; channel: string; error: string };

const hashOf = (state: string): string => createHash('sha256').update(state).digest('hex');

/**
 * Adding a channel from a browser: `start` opens a consent page whose redirect URI is the gateway's callback,
 * `complete` takes Google's answer. The `state` is 32 random bytes; only its hash is stored, with the channel
 * name, the redirect URI and the PKCE verifier, for ten minutes, and `complete` deletes the row as it reads it:
 * a state works once, for the channel it was made for, on whichever replica the browser comes back to.
 */
export class WebAuthorizations {
  private migrated: Promise<unknown> | undefined;
  private readonly now: () => Date;

  constructor(private readonly options: WebAuthorizationOptions) {
    this.now = options.now ?? (() => new Date());
  }

  private ready(): Promise<unknown> {
    this.migrated ??= migrate(this.options.db, webAuthorizationMigrations).catch((err: unknown) => {
      this.migrated = undefined;
      throw err;
    });
    return this.migrated;
  }

  /** The consent URL for adding (or re-authorizing) `channel`; everything that can be wrong here is checked first. */
  async start(o: { channel: string; redirectUri: string }): Promise<{ consentUrl: string; expiresAt: Date }> {
    assertChannelName(o.channel);
    const { config } = this.options;
    const client = requireWebClientCredentials(config);
    requireSecretKey(config.secretKey);
    await this.ready();
    const pkce = createPkcePair();
    const state = randomBytes(32).toString('base64url');
    const now = this.now();
    const expiresAt = new Date(now.getTime() + WEB_AUTHORIZATION_TTL_MS);
    await this.options.db.query('DELETE FROM youtube_oauth_pending WHERE expires_at < $1', [now]);
    await this.options.db.query(
      'INSERT INTO youtube_oauth_pending (state_hash, channel, redirect_uri, code_verifier, expires_at) VALUES ($1, $2, $3, $4::jsonb, $5)',
      [hashOf(state), o.channel, o.redirectUri, JSON.stringify(await encryptSecret(pkce.verifier, config.secretKey)), expiresAt],
    );
    const consentUrl = buildAuthorizationUrl({
      oauthUrl: config.oauthUrl, clientId: client.clientId, redirectUri: o.redirectUri,
      scopes: this.options.scopes ?? DEFAULT_SCOPES, state, codeChallenge: pkce.challenge,
    });
    return { consentUrl, expiresAt };
  }

  /**
   * Google's answer: the state is taken (whatever follows, it cannot be used again), then the code is exchanged
   * and the channel saved with its refresh token encrypted. A missing, unknown, used or expired state is
   * INVALID_INPUT (field state); a denial comes back as an outcome, so the page can say so.
   */
  async complete(answer: WebAuthorizationAnswer, signal?: AbortSignal): Promise<WebAuthorizationOutcome> {
    const startAgain = 'open the Channels page and add the channel again';
    if (!answer.state || !STATE.test(answer.state)) {
      throw new FacelessError('INVALID_INPUT', `the callback has no valid OAuth state: it must come from Google's consent page opened by faceless; ${startAgain}`, { field: 'state' });
    }
    await this.ready();
    const { rows } = await this.options.db.query<{ channel: string; redirect_uri: string; code_verifier: unknown; expires_at: Date | string }>(
      'DELETE FROM youtube_oauth_pending WHERE state_hash = $1 RETURNING channel, redirect_uri, code_verifier, expires_at', [hashOf(answer.state)],
    );
    const pending = rows[0];
    if (!pending) {
      throw new FacelessError('INVALID_INPUT', `this OAuth state is unknown or was already used (a consent page answers once): ${startAgain}`, { field: 'state' });
    }
    const channel = pending.channel;
    if (new Date(pending.expires_at).getTime() <= this.now().getTime()) {
      throw new FacelessError('INVALID_INPUT', `the consent page for channel ${channel} was answered after its ${WEB_AUTHORIZATION_TTL_MS / 60_000} minutes: ${startAgain}`, { field: 'state' });
    }
    if (answer.error !== undefined) return { outcome: 'denied', channel, error: answer.error.slice(0, 80) };
    if (!answer.code) throw new FacelessError('INVALID_INPUT', `Google's answer has neither a code nor an error: ${startAgain}`, { field: 'code' });

    const { config } = this.options;
    const client = requireWebClientCredentials(config);
    const stored = EncryptedSecret.parse(typeof pending.code_verifier === 'string' ? JSON.parse(pending.code_verifier) : pending.code_verifier);
    const verifier = await decryptSecret(stored, config.secretKey, { channel });
    const tokens = await exchangeAuthorizationCode({
      config, client, code: answer.code, verifier, redirectUri: pending.redirect_uri, scopes: this.options.scopes ?? DEFAULT_SCOPES,
      again: `add channel ${channel} again from the Channels page`, signal, fetch: this.options.fetch, now: this.now,
    });
    const previous = await this.options.channels.get(channel).catch(() => undefined);
    const record = await createChannelRecord({
      name: channel, refreshToken: tokens.refreshToken, secretKey: config.secretKey, now: this.now(),
      ...(client.oauthClient ? { oauthClient: client.oauthClient } : {}),
      ...(previous ? { previous } : {}),
    });
    return { outcome: previous ? 're-authorized' : 'added', channel: await this.options.channels.save(record) };
  }
}
