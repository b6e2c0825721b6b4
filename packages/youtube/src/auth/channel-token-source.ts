import { FacelessError, withRetry } from '@faceless/runtime';
import type { RetryOptions } from '@faceless/runtime';
import type { AccessTokenSource } from '../ports.ts';
import type { YouTubeConfig } from '../youtube-config.ts';
import type { ChannelRecord } from './channel-store.ts';
import { channelClientCredentials } from './client-credentials.ts';
import { requestToken } from './token-endpoint.ts';
import { channelTokenHealth } from './token-health.ts';
import { decryptSecret } from './token-vault.ts';

/** Refresh this long before expiry, so a token never dies in the middle of an upload chunk. */
export const REFRESH_MARGIN_MS = 5 * 60_000;

/**
 * A warning when the channel's refresh token is about to die (Google drops the refresh tokens of OAuth apps in
 * "Testing" status 7 days after they were issued): the same health the Channels page shows. Undefined when there
 * is nothing to say.
 */
export function tokenExpiryWarning(record: Pick<ChannelRecord, 'name' | 'appStatus' | 'tokenIssuedAt'>, now: Date): string | undefined {
  return channelTokenHealth(record, now).warning;
}

export interface ChannelTokenSourceOptions {
  channel: ChannelRecord;
  config: Pick<YouTubeConfig, 'tokenUrl' | 'clientId' | 'clientSecret' | 'webClientId' | 'webClientSecret' | 'secretKey'>;
  now?: () => Date;
  /** Told once when the channel's token is close to Google's 7-day limit for Testing apps. */
  warn?: (message: string) => void;
  fetch?: typeof fetch;
  retry?: Pick<RetryOptions, 'attempts' | 'baseDelayMs' | 'maxDelayMs'>;
}

interface CachedToken {
  accessToken: string;
  expiresAt: number;
}

/** Access tokens for one channel, refreshed from its stored refresh token when missing or near expiry. */
export class ChannelTokenSource implements AccessTokenSource {
  private cached: CachedToken | undefined;
  private inFlight: Promise<CachedToken> | undefined;
  private refreshToken: string | undefined;
  private warned = false;
  private readonly now: () => Date;

  constructor(private readonly options: ChannelTokenSourceOptions) {
    this.now = options.now ?? (() => new Date());
  }

  get channelName(): string {
    return this.options.channel.name;
  }

  async token(signal?: AbortSignal): Promise<string> {
    const cached = this.cached;
    if (cached && cached.expiresAt - this.now().getTime() > REFRESH_MARGIN_MS) return cached.accessToken;
    // Concurrent callers share one refresh.
    this.inFlight ??= this.refresh(signal).finally(() => { this.inFlight = undefined; });
    return (await this.inFlight).accessToken;
  }

  invalidate(): void {
    this.cached = undefined;
  }

  private async refresh(signal: AbortSignal | undefined): Promise<CachedToken> {
    const { channel, config } = this.options;
    const { clientId, clientSecret } = channelClientCredentials(channel, config);
    if (!this.warned) {
      this.warned = true;
      const warning = tokenExpiryWarning(channel, this.now());
      if (warning) this.options.warn?.(warning);
    }
    this.refreshToken ??= await decryptSecret(channel.refreshToken, config.secretKey, { channel: channel.name });
    const refreshToken = this.refreshToken;
    const tokens = await withRetry(() => requestToken({
      tokenUrl: config.tokenUrl,
      form: { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: clientId, client_secret: clientSecret },
      signal,
      fetch: this.options.fetch,
      now: this.now,
      invalidGrant: () => new FacelessError(
        'CHANNEL_AUTH',
        `the refresh token of channel ${channel.name} expired or was revoked (apps in Testing status lose it after 7 days): run \`faceless channels add ${channel.name}\``,
        { field: 'channel' },
      ),
    }), { attempts: 4, baseDelayMs: 1000, maxDelayMs: 10_000, ...this.options.retry, signal });
    this.cached = { accessToken: tokens.accessToken, expiresAt: tokens.expiresAt.getTime() };
    return this.cached;
  }
}
