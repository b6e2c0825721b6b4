import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { hashApiKey } from '@faceless/api-gateway';
import { createLogger } from '@faceless/runtime';
import { ChannelTokenSource, DEFAULT_SCOPES, decryptSecret, openYouTubeStateFromEnv } from '@faceless/youtube';
import { startFakeGoogle, type FakeGoogle } from '@faceless/youtube/testing';
import { startServe, type ServeHandle } from './serve-command.ts';

// Adding a YouTube channel from a browser, through `faceless serve` (gateway and uploader in one process) and
// the project's fake Google: the consent page's redirect comes back to the gateway's public callback.
const KEY = 'fk_serve-channels-test-key';
const auth = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };
const logLines: string[] = [];
let work: string;
let fake: FakeGoogle;
let served: ServeHandle;
let env: Record<string, string | undefined>;
let refreshToken = '';

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'faceless-serve-channels-'));
  const dataDir = join(work, 'data');
  fake = await startFakeGoogle({ dataDir });
  env = {
    ...process.env, ...fake.env, API_KEYS: `t:${hashApiKey(KEY)}`, API_KEYS_FILE: undefined, DATABASE_URL: undefined,
    FACELESS_DATA_DIR: dataDir, LOCAL_CHANNEL_DIR: join(work, 'channels'), LOG_LEVEL: 'info',
  };
  served = await startServe({ port: 0, host: '127.0.0.1', env, log: createLogger({ level: 'debug', write: (line) => logLines.push(line) }) });
});
after(async () => {
  await served.close();
  await fake.close();
  await rm(work, { recursive: true, force: true });
});

async function start(name: string): Promise<URL> {
  const res = await fetch(`${served.url}/api/channels/oauth/start`, { method: 'POST', headers: auth, body: JSON.stringify({ name }) });
  assert.equal(res.status, 200, await res.clone().text());
  return new URL(((await res.json()) as { consentUrl: string }).consentUrl);
}

async function channels(): Promise<Array<{ name: string; kind: string; tokenHealth: string; tokenExpiresAt?: string; quota: { usedToday: number; limit: number; day: string } }>> {
  const res = await fetch(`${served.url}/api/channels`, { headers: auth });
  assert.equal(res.status, 200, await res.clone().text());
  return ((await res.json()) as { channels: Awaited<ReturnType<typeof channels>> }).channels;
}

test('start → Google\'s consent URL for the configured client, back to the gateway\'s callback, with a fresh state and PKCE', async () => {
  const url = await start('science');
  assert.equal(`${url.origin}${url.pathname}`, fake.google.authUrl);
  assert.equal(url.searchParams.get('client_id'), fake.google.clientId);
  assert.equal(url.searchParams.get('redirect_uri'), `${served.url}/api/channels/oauth/callback`);
  assert.deepEqual(url.searchParams.get('scope')?.split(' '), [...DEFAULT_SCOPES]);
  assert.deepEqual([url.searchParams.get('access_type'), url.searchParams.get('prompt'), url.searchParams.get('code_challenge_method')], ['offline', 'consent', 'S256']);
  assert.match(url.searchParams.get('state') ?? '', /^[A-Za-z0-9_-]{43}$/);
  assert.notEqual((await start('science')).searchParams.get('state'), url.searchParams.get('state'), 'each start has its own state');

  const noKey = await fetch(`${served.url}/api/channels/oauth/start`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'x' }) });
  assert.equal(noKey.status, 401);
  const bad = await fetch(`${served.url}/api/channels/oauth/start`, { method: 'POST', headers: auth, body: JSON.stringify({ name: '../etc' }) });
  assert.equal(bad.status, 400);
  assert.equal(((await bad.json()) as { error: { field: string } }).error.field, 'name');
});

test('the fake Google\'s code comes back to the public callback: the channel is stored (token encrypted, refreshable), listed, and the state cannot be replayed', async () => {
  assert.deepEqual((await channels()).map((c) => [c.name, c.kind]), [['local', 'local']]);
  const consent = await start('science');
  const approved = await fake.google.approve(consent.toString());
  assert.equal(approved.status, 303, approved.body);
  const landing = new URL(approved.redirectedTo);
  assert.equal(landing.pathname, '/api/channels/oauth/callback');
  const again = await fetch(approved.redirectedTo, { redirect: 'manual' });
  assert.equal(again.status, 400, 'a replayed state is refused');
  const error = ((await again.json()) as { error: { code: string; field: string; message: string; requestId: string } }).error;
  assert.deepEqual([error.code, error.field], ['INVALID_INPUT', 'state']);
  assert.match(error.message, /already used/);
  assert.ok(error.requestId);

  const listed = await channels();
  const science = listed.find((c) => c.name === 'science');
  assert.equal(science?.kind, 'youtube');
  assert.equal(science.tokenHealth, 'ok');
  assert.ok(science.tokenExpiresAt && Date.parse(science.tokenExpiresAt) > Date.now() + 6 * 86_400_000, 'a Testing app\'s token ends in 7 days');
  assert.deepEqual([science.quota.usedToday, science.quota.limit], [0, 10_000]);
  assert.match(science.quota.day, /^\d{4}-\d{2}-\d{2}$/);

  // Stored where `faceless channels` and the uploader read it, with a refresh token Google accepts.
  await served.close();
  const state = await openYouTubeStateFromEnv(env);
  try {
    const record = await state.channels.get('science');
    assert.doesNotMatch(JSON.stringify(record), /1\/\/fake-/, 'the refresh token is stored encrypted');
    const access = await new ChannelTokenSource({ channel: record, config: fake.config }).token();
    assert.equal(fake.google.isValidAccessToken(access), true);
    refreshToken = await decryptSecret(record.refreshToken, fake.config.secretKey, { channel: 'science' });
  } finally {
    await state.close();
  }
  served = await startServe({ port: 0, host: '127.0.0.1', env, log: createLogger({ level: 'debug', write: (line) => logLines.push(line) }) });

  // Neither the code nor the state reached a log line.
  const code = landing.searchParams.get('code') ?? '';
  const stateParam = landing.searchParams.get('state') ?? '';
  assert.ok(code.length > 10 && stateParam.length === 43);
  assert.ok(logLines.some((l) => l.includes('/api/channels/oauth/callback')), 'the callback was logged (its path)');
  for (const line of logLines) assert.ok(!line.includes(code) && !line.includes(stateParam), `secret in a log line: ${line}`);
});

test('a refresh token Google refuses (access removed) shows as revoked, with the fix', async () => {
  assert.ok(refreshToken, 'the channel of the test above');
  fake.google.revokeRefreshToken(refreshToken);
  const res = await fetch(`${served.url}/api/channels`, { headers: auth });
  const science = ((await res.json()) as { channels: Array<{ name: string; tokenHealth: string; warnings: string[] }> }).channels.find((c) => c.name === 'science');
  assert.equal(science?.tokenHealth, 'revoked');
  assert.match(science.warnings.join(' '), /refused the refresh token of channel science.*add the channel again/);
});

test('Cancel on the consent page sends the browser back with ?denied=<name>, and adds nothing; a callback without a state is 400', async () => {
  fake.google.denyNext();
  const denied = await fake.google.approve((await start('history')).toString());
  assert.equal(denied.status, 303);
  assert.equal(new URL(denied.redirectedTo).searchParams.get('error'), 'access_denied');
  const res = await fetch(denied.redirectedTo, { redirect: 'manual' });
  assert.equal(res.status, 400, 'the state was taken by the first answer');
  assert.ok(!(await channels()).some((c) => c.name === 'history'));

  fake.google.denyNext();
  const consent = await start('history');
  const back = await fetch(consent.toString(), { redirect: 'manual' });
  const callback = await fetch(back.headers.get('location') ?? '', { redirect: 'manual' });
  assert.equal(callback.status, 303);
  assert.equal(callback.headers.get('location'), '/channels?denied=history');

  const bare = await fetch(`${served.url}/api/channels/oauth/callback?code=abc`, { redirect: 'manual' });
  assert.equal(bare.status, 400);
  assert.equal(((await bare.json()) as { error: { field: string } }).error.field, 'state');
});
