import type { AccessTokenSource } from '../ports.ts';
import type { RetryPolicy } from './youtube-http.ts';

/** What every YouTube call needs: the base URLs (YouTubeConfig), the channel's tokens and how to retry. */
export interface ApiContext {
  /** Data API base: `{apiUrl}/youtube/v3/videos`. */
  apiUrl: string;
  /** Upload base: `{uploadUrl}/upload/youtube/v3/videos`. */
  uploadUrl: string;
  /** Reporting API base: `{reportingUrl}/v1/jobs`. */
  reportingUrl: string;
  tokens: AccessTokenSource;
  retry: RetryPolicy;
  /** One request's limit for the metadata calls (the upload has its own). */
  requestTimeoutMs: number;
}
