import { createChannelRecord, runInstalledAppFlow, type ChannelDefaults, type ChannelRecord } from '../auth/index.ts';
import { openYouTubeStateFromEnv } from '../state/youtube-state.ts';
import { readYouTubeConfig, type YouTubeConfig } from '../youtube-config.ts';
import { startFakeGoogleOAuth, type FakeGoogleOAuth } from './fake-google-oauth.ts';
import { startFakeYouTube, type FakeYouTube } from './fake-youtube.ts';

export interface FakeGoogle {
  google: FakeGoogleOAuth;
  /** Accepts only the access tokens `google` handed out and has not expired. */
  youtube: FakeYouTube;
  /** The variables that point faceless at both fakes (base URLs, client, secret key, data folder, DATABASE_URL when given). */
  env: Record<string, string>;
  config: YouTubeConfig;
  /** A refresh token from a full consent flow, as `faceless channels add` gets one. */
  authorize(): Promise<string>;
  /**
   * Authorizes a channel and stores it where `faceless channels add` does: in the database at DATABASE_URL when
   * the fake was given one, else in the PGlite database under `dataDir` (default: the config's).
   */
  addChannel(name: string, options?: { dataDir?: string; now?: Date; defaults?: Partial<ChannelDefaults> }): Promise<ChannelRecord>;
  close(): Promise<void>;
}

/** Google's OAuth and YouTube, faked on 127.0.0.1 and wired together, for tests of code that publishes. */
export async function startFakeGoogle(options: { dataDir: string; secretKey?: string; databaseUrl?: string }): Promise<FakeGoogle> {
  const google = await startFakeGoogleOAuth();
  const youtube = await startFakeYouTube({ isValidToken: (t) => google.isValidAccessToken(t) });
  const env = {
    YOUTUBE_API_URL: youtube.url, YOUTUBE_UPLOAD_URL: youtube.url, YOUTUBE_REPORTING_URL: youtube.url,
    GOOGLE_OAUTH_URL: google.authUrl, GOOGLE_TOKEN_URL: google.tokenUrl,
    GOOGLE_CLIENT_ID: google.clientId, GOOGLE_CLIENT_SECRET: google.clientSecret,
    FACELESS_SECRET_KEY: options.secretKey ?? 'fake-google-test-secret-0123456789', FACELESS_DATA_DIR: options.dataDir,
    ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
  };
  const config = readYouTubeConfig(env);
  const authorize = async (): Promise<string> => {
    const tokens = await runInstalledAppFlow({ config, print: () => {}, openBrowser: (url) => { google.approve(url).catch(() => {}); } });
    return tokens.refreshToken;
  };
  return {
    google, youtube, env, config, authorize,
    async addChannel(name, o = {}) {
      const record = await createChannelRecord({
        name, refreshToken: await authorize(), secretKey: config.secretKey,
        ...(o.now ? { now: o.now } : {}), ...(o.defaults ? { defaults: o.defaults } : {}),
      });
      const state = await openYouTubeStateFromEnv({ ...env, ...(o.dataDir ? { FACELESS_DATA_DIR: o.dataDir } : {}) });
      try {
        return await state.channels.save(record);
      } finally {
        await state.close();
      }
    },
    async close() {
      await youtube.close();
      await google.close();
    },
  };
}
