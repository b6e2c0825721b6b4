import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startFakeGoogleOAuth } from '../testing/fake-google-oauth.ts';
import type { FakeGoogleOAuth } from '../testing/fake-google-oauth.ts';
import { openYouTubeStateFromEnv } from '../state/youtube-state.ts';
import { readYouTubeConfig } from '../youtube-config.ts';
import type { YouTubeConfig } from '../youtube-config.ts';
import { ChannelTokenSource, createChannelRecord, runInstalledAppFlow } from './index.ts';

let google: FakeGoogleOAuth;
let dir: string;
let config: YouTubeConfig;
let env: Record<string, string>;

before(async () => {
  google = await startFakeGoogleOAuth();
  dir = await mkdtemp(join(tmpdir(), 'channel-auth-'));
  env = {
    GOOGLE_OAUTH_URL: google.authUrl,
    GOOGLE_TOKEN_URL: google.tokenUrl,
    GOOGLE_CLIENT_ID: google.clientId,
    GOOGLE_CLIENT_SECRET: google.clientSecret,
    FACELESS_SECRET_KEY: 'e2e-secret-key-0123456789abcdef',
    FACELESS_DATA_DIR: dir,
  };
  config = readYouTubeConfig(env);
});
after(async () => {
  await google.close();
  await rm(dir, { recursive: true, force: true });
});

test('add a channel through the browser flow, use it, and lose it when Google revokes the refresh token', async (t) => {
  // What `faceless channels add science` does.
  const lines: string[] = [];
  const tokens = await runInstalledAppFlow({
    config, channelName: 'science', print: (l) => lines.push(l),
    openBrowser: (url) => { google.approve(url).catch(() => {}); },
  });
  const added = await openYouTubeStateFromEnv(env);
  await added.channels.save(await createChannelRecord({ name: 'science', refreshToken: tokens.refreshToken, secretKey: config.secretKey, channelTitle: 'Science Daily' }));
  const { rows } = await added.db.query<{ record: string }>('SELECT record::text AS record FROM youtube_channels');
  await added.close();
  assert.equal(rows.length, 1);
  assert.ok(!rows[0]!.record.includes(tokens.refreshToken), 'the refresh token is encrypted at rest');
  assert.ok(!lines.join('\n').includes(tokens.refreshToken), 'nor printed');

  // What the uploader does later: the state opened again and a fresh token source.
  const state = await openYouTubeStateFromEnv(env);
  t.after(() => state.close());
  const channel = await state.channels.get('science');
  assert.equal(channel.channelTitle, 'Science Daily');
  const source = new ChannelTokenSource({ channel, config });
  const access = await source.token();
  assert.equal(google.isValidAccessToken(access), true);
  assert.notEqual(access, tokens.accessToken);

  // A 401 from the API: the client invalidates and gets a new token.
  google.expireAccessTokens();
  assert.equal(google.isValidAccessToken(access), false);
  source.invalidate();
  const renewed = await source.token();
  assert.equal(google.isValidAccessToken(renewed), true);

  const ledger = state.ledger(config);
  assert.equal((await ledger.reserve([{ op: 'videos.insert', count: 1 }])).ok, true);

  // The user removes the app's access (or 7 days pass in Testing status).
  google.revokeRefreshToken(tokens.refreshToken);
  source.invalidate();
  await assert.rejects(() => source.token(), (err: Error & { code?: string; retryable?: boolean }) => {
    assert.equal(err.code, 'CHANNEL_AUTH');
    assert.equal(err.retryable, false);
    assert.equal(err.message, 'the refresh token of channel science expired or was revoked (apps in Testing status lose it after 7 days): run `faceless channels add science`');
    return true;
  });
});
