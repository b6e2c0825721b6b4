import { FacelessError } from '@faceless/runtime';
import type { YouTubeConfig } from '../youtube-config.ts';

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
