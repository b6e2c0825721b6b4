import { FacelessError } from '@faceless/runtime';
import type { YouTubeConfig } from '../youtube-config.ts';
import type { ChannelRecord } from './channel-store.ts';

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}

const WHERE =
  'create an OAuth client of type "Desktop app" in the Google Cloud console (APIs & Services → Credentials, with the YouTube Data API v3 enabled) and put its client ID and secret in GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET';

/** The OAuth client of the Cloud project, or an error naming the missing variable and where to get it. */
export function requireClientCredentials(config: Pick<YouTubeConfig, 'clientId' | 'clientSecret'>): ClientCredentials {
  const clientId = requireClientId(config);
  if (!config.clientSecret) throw new FacelessError('INVALID_OPTION', `GOOGLE_CLIENT_SECRET is not set: ${WHERE}`, { field: 'GOOGLE_CLIENT_SECRET' });
  return { clientId, clientSecret: config.clientSecret };
}

/** The OAuth client id alone: it names the Cloud project, whose quota all its channels share. */
export function requireClientId(config: Pick<YouTubeConfig, 'clientId'>): string {
  if (!config.clientId) throw new FacelessError('INVALID_OPTION', `GOOGLE_CLIENT_ID is not set: ${WHERE}`, { field: 'GOOGLE_CLIENT_ID' });
  return config.clientId;
}

/** Which client a consent flow from the dashboard uses, and what the channel record remembers of it. */
export interface WebClientCredentials extends ClientCredentials {
  /** 'web' when GOOGLE_WEB_CLIENT_ID is set: the channel's refresh token then belongs to that client. */
  oauthClient?: 'web';
}

/** The "Web application" client (GOOGLE_WEB_CLIENT_ID/SECRET), else the main one (GOOGLE_CLIENT_ID/SECRET). */
export function requireWebClientCredentials(config: Pick<YouTubeConfig, 'clientId' | 'clientSecret' | 'webClientId' | 'webClientSecret'>): WebClientCredentials {
  if (!config.webClientId && !config.clientId) {
    throw new FacelessError('INVALID_OPTION', 'no Google OAuth client for the dashboard: create one of type "Web application" in the Google Cloud console (APIs & Services → Credentials, YouTube Data API v3 enabled) with the authorized redirect URI <the dashboard\'s address>/api/channels/oauth/callback, and set GOOGLE_WEB_CLIENT_ID and GOOGLE_WEB_CLIENT_SECRET where the uploader runs', { field: 'GOOGLE_WEB_CLIENT_ID' });
  }
  if (!config.webClientId) return requireClientCredentials(config);
  if (!config.webClientSecret) {
    throw new FacelessError('INVALID_OPTION', 'GOOGLE_WEB_CLIENT_SECRET is not set while GOOGLE_WEB_CLIENT_ID is: copy the secret of the "Web application" OAuth client from the Google Cloud console (APIs & Services → Credentials)', { field: 'GOOGLE_WEB_CLIENT_SECRET' });
  }
  return { clientId: config.webClientId, clientSecret: config.webClientSecret, oauthClient: 'web' };
}

/** The client a channel's refresh token was issued to: Google refreshes a token only for its own client. */
export function channelClientCredentials(
  channel: Pick<ChannelRecord, 'oauthClient'>, config: Pick<YouTubeConfig, 'clientId' | 'clientSecret' | 'webClientId' | 'webClientSecret'>,
): ClientCredentials {
  if (channel.oauthClient !== 'web') return requireClientCredentials(config);
  if (!config.webClientId) {
    throw new FacelessError('INVALID_OPTION', 'GOOGLE_WEB_CLIENT_ID is not set, but this channel was added from the dashboard with that client: set GOOGLE_WEB_CLIENT_ID and GOOGLE_WEB_CLIENT_SECRET again, or add the channel again', { field: 'GOOGLE_WEB_CLIENT_ID' });
  }
  return requireWebClientCredentials(config);
}
