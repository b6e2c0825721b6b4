import { resolve } from 'node:path';
import { z } from 'zod';
import { DatabaseUrlVar } from '@faceless/infra';
import { FacelessError, blankAsUnset, expandHome } from '@faceless/runtime';

const url = (fallback: string) => z.preprocess(blankAsUnset, z.url().default(fallback));

const YouTubeEnv = z.object({
  /** Data API base: `{base}/youtube/v3/videos`. */
  YOUTUBE_API_URL: url('https://www.googleapis.com'),
  /** Upload base: `{base}/upload/youtube/v3/videos`. */
  YOUTUBE_UPLOAD_URL: url('https://www.googleapis.com'),
  /** Reporting API base: `{base}/v1/jobs`. */
  YOUTUBE_REPORTING_URL: url('https://youtubereporting.googleapis.com'),
  GOOGLE_OAUTH_URL: url('https://accounts.google.com/o/oauth2/v2/auth'),
  GOOGLE_TOKEN_URL: url('https://oauth2.googleapis.com/token'),
  GOOGLE_CLIENT_ID: z.preprocess(blankAsUnset, z.string().optional()),
  GOOGLE_CLIENT_SECRET: z.preprocess(blankAsUnset, z.string().optional()),
  /** A "Web application" client for adding channels from the dashboard (its redirect URI is the gateway's callback). */
  GOOGLE_WEB_CLIENT_ID: z.preprocess(blankAsUnset, z.string().optional()),
  GOOGLE_WEB_CLIENT_SECRET: z.preprocess(blankAsUnset, z.string().optional()),
  /** Encrypts refresh tokens at rest; at least 16 characters. Never logged. */
  FACELESS_SECRET_KEY: z.preprocess(blankAsUnset, z.string().min(16, 'must be at least 16 characters (e.g. `openssl rand -base64 32`)').optional()),
  /** Where the embedded database lives (db/, when DATABASE_URL is unset) and JSON state of earlier versions is imported from. */
  FACELESS_DATA_DIR: z.preprocess(blankAsUnset, z.string().default('~/.faceless')),
  YOUTUBE_DAILY_QUOTA: z.preprocess(blankAsUnset, z.coerce.number().int().positive().default(10_000)),
  /** `legacy` (videos.insert 1600 units…) or `uploads-bucket` (uploads counted apart, 100 a day), or a JSON cost table. */
  YOUTUBE_QUOTA_COSTS: z.preprocess(blankAsUnset, z.string().default('legacy')),
  /** Where channels, quota and publications are kept: this PostgreSQL, else PGlite under FACELESS_DATA_DIR/db. */
  DATABASE_URL: DatabaseUrlVar,
});

export interface YouTubeConfig {
  apiUrl: string;
  uploadUrl: string;
  reportingUrl: string;
  oauthUrl: string;
  tokenUrl: string;
  clientId: string | undefined;
  clientSecret: string | undefined;
  /** GOOGLE_WEB_CLIENT_ID/SECRET: the dashboard's consent flow; unset, it uses clientId/clientSecret. */
  webClientId?: string;
  webClientSecret?: string;
  secretKey: string | undefined;
  dataDir: string;
  dailyQuota: number;
  quotaCosts: string;
  /** DATABASE_URL: the PostgreSQL holding the channels; absent, the embedded database under dataDir. */
  databaseUrl?: string;
}

const trimSlash = (u: string): string => u.replace(/\/+$/, '');

/** The YouTube/Google variables, naming every bad one at once; all optional until a channel is used. */
export function readYouTubeConfig(env: Record<string, string | undefined>): YouTubeConfig {
  const r = YouTubeEnv.safeParse(env);
  if (!r.success) {
    const problems = r.error.issues.map((i) => `${i.path.join('.')} ${i.message}`);
    throw new FacelessError('INVALID_OPTION', `bad YouTube environment: ${problems.join('; ')}`, { field: String(r.error.issues[0]?.path[0] ?? '') });
  }
  const e = r.data;
  return {
    apiUrl: trimSlash(e.YOUTUBE_API_URL),
    uploadUrl: trimSlash(e.YOUTUBE_UPLOAD_URL),
    reportingUrl: trimSlash(e.YOUTUBE_REPORTING_URL),
    oauthUrl: e.GOOGLE_OAUTH_URL,
    tokenUrl: e.GOOGLE_TOKEN_URL,
    clientId: e.GOOGLE_CLIENT_ID,
    clientSecret: e.GOOGLE_CLIENT_SECRET,
    ...(e.GOOGLE_WEB_CLIENT_ID ? { webClientId: e.GOOGLE_WEB_CLIENT_ID } : {}),
    ...(e.GOOGLE_WEB_CLIENT_SECRET ? { webClientSecret: e.GOOGLE_WEB_CLIENT_SECRET } : {}),
    secretKey: e.FACELESS_SECRET_KEY,
    dataDir: resolve(expandHome(e.FACELESS_DATA_DIR)),
    dailyQuota: e.YOUTUBE_DAILY_QUOTA,
    quotaCosts: e.YOUTUBE_QUOTA_COSTS,
    ...(e.DATABASE_URL ? { databaseUrl: e.DATABASE_URL } : {}),
  };
}
