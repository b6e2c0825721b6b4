import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { FolderStore, openDatabase } from '@faceless/infra';
import { registerErrorHandler, type Database } from '@faceless/runtime';
import { createChannelRecord, openYouTubeState, type YouTubeState } from '@faceless/youtube';
import { registerChannelRoutes, type ChannelSummary } from './channel-routes.ts';
import { localVideoId } from './providers/local-channel.ts';
import { buildApp } from './server.ts';

const NOW = new Date('2026-03-10T08:00:00Z');
const DAY = 86_400_000;
const KEY = 'channel-routes-test-secret-0123456789';

let root: string;
let db: Database;
let state: YouTubeState;
let app: FastifyInstance;
let env: Record<string, string>;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'channel-routes-'));
  env = {
    FACELESS_DATA_DIR: join(root, 'data'), LOCAL_CHANNEL_DIR: join(root, 'channels'), LOCAL_CHANNELS: 'drafts',
    PUBLISH_SLOTS: '09:00,15:00', PUBLISH_LEAD_MINUTES: '60', GOOGLE_CLIENT_ID: 'client.apps.googleusercontent.com', GOOGLE_CLIENT_SECRET: 'secret',
    FACELESS_SECRET_KEY: KEY, GOOGLE_OAUTH_URL: 'https://accounts.example/o/oauth2/v2/auth',
    // Nobody listens there: the list's token check finds Google unreachable and keeps the record's view.
    GOOGLE_TOKEN_URL: 'http://127.0.0.1:9/token',
  };
  db = await openDatabase({ dataDir: join(root, 'db') });
  state = await openYouTubeState(db, { dataDir: env.FACELESS_DATA_DIR! });
  app = Fastify();
  registerErrorHandler(app);
  registerChannelRoutes(app, { env, openDatabase: async () => db, now: () => NOW });
});
after(async () => {
  await app.close();
  await db.close();
  await rm(root, { recursive: true, force: true });
});

async function channels(): Promise<Map<string, ChannelSummary>> {
  const res = await app.inject({ method: 'GET', url: '/channels' });
  assert.equal(res.statusCode, 200, res.body);
  return new Map((res.json() as { channels: ChannelSummary[] }).channels.map((c) => [c.name, c]));
}

test('GET /channels: a Testing app\'s token issued 5 days ago is expiring, with its end and a warning naming the fix; a published app\'s is ok', async () => {
  await state.channels.save(await createChannelRecord({ name: 'science', refreshToken: '1//r1', secretKey: KEY, now: new Date(NOW.getTime() - 5 * DAY) }));
  await state.channels.save(await createChannelRecord({ name: 'history', refreshToken: '1//r2', secretKey: KEY, now: new Date(NOW.getTime() - 30 * DAY), appStatus: 'production' }));
  await state.channels.save(await createChannelRecord({ name: 'old', refreshToken: '1//r3', secretKey: KEY, now: new Date(NOW.getTime() - 8 * DAY) }));
  const list = await channels();
  const science = list.get('science');
  assert.equal(science?.kind, 'youtube');
  assert.equal(science.tokenHealth, 'expiring');
  assert.equal(science.tokenExpiresAt, new Date(NOW.getTime() + 2 * DAY).toISOString());
  assert.equal(science.warnings.length, 1);
  assert.match(science.warnings[0]!, /expires in 2 days/);
  assert.match(science.warnings[0]!, /faceless channels add science/);
  assert.deepEqual([list.get('history')?.tokenHealth, list.get('history')?.tokenExpiresAt, list.get('history')?.warnings], ['ok', undefined, []]);
  assert.equal(list.get('old')?.tokenHealth, 'expired');
  assert.match(list.get('old')?.warnings[0] ?? '', /expired at/);
});

test('GET /channels: today\'s quota counts the uploads recorded in the ledger, per Pacific day', async () => {
  const ledger = state.ledger({ clientId: env.GOOGLE_CLIENT_ID, dailyQuota: 10_000, quotaCosts: 'legacy' });
  assert.deepEqual((await channels()).get('science')?.quota, { usedToday: 0, limit: 10_000, day: '2026-03-10' });
  for (let i = 0; i < 2; i++) assert.equal((await ledger.reserve([{ op: 'videos.insert', count: 1 }, { op: 'thumbnails.set', count: 1 }], NOW)).ok, true);
  const list = await channels();
  // 08:00 UTC is still the 10th in California; each upload reserved 1600 + 50 units.
  assert.deepEqual(list.get('science')?.quota, { usedToday: 3300, limit: 10_000, day: '2026-03-10' });
  assert.deepEqual(list.get('history')?.quota, list.get('science')?.quota, 'the quota is the Cloud project\'s, shared by its channels');
  assert.deepEqual(list.get('local')?.quota, { usedToday: 0, limit: 0, day: '2026-03-10' });
});

test('GET /channels: the next three free slots skip the videos planned and the slots reserved, on the channel\'s own times', async () => {
  await state.channels.save(await createChannelRecord({ name: 'cooking', refreshToken: '1//r4', secretKey: KEY, now: NOW, defaults: { slots: ['10:00', '18:00'] } }));
  await state.videos.add('cooking', { pipelineId: 'p1', videoId: 'v1', publishAt: '2026-03-10T10:00:00.000Z' });
  await state.slots.reserve({ target: 'youtube', channel: 'cooking', pipelineId: 'p2', now: NOW, planned: async () => [], choose: () => new Date('2026-03-11T10:00:00Z') });
  assert.deepEqual((await channels()).get('cooking')?.nextSlots, ['2026-03-10T18:00:00.000Z', '2026-03-11T18:00:00.000Z', '2026-03-12T10:00:00.000Z']);

  // A local channel: PUBLISH_SLOTS, minus what its folder already holds; 09:00 is within the hour of lead.
  await mkdir(join(root, 'channels', 'local'), { recursive: true });
  const record = {
    videoId: localVideoId('p3'), pipelineId: 'p3', channel: 'local', title: 't', description: 'd', tags: [], categoryId: '27', privacyStatus: 'private',
    publishAt: '2026-03-10T15:00:00.000Z', madeForKids: false, containsSyntheticMedia: true, video: { key: 'v', bytes: 1, sha256: 'x' }, thumbnail: { key: 't', bytes: 1 },
    videoLocation: 'v', createdAt: NOW.toISOString(),
  };
  await writeFile(join(root, 'channels', 'local', `${record.videoId}.json`), JSON.stringify(record));
  const list = await channels();
  assert.deepEqual(list.get('local'), {
    name: 'local', kind: 'local', tokenHealth: 'none', warnings: [], quota: { usedToday: 0, limit: 0, day: '2026-03-10' },
    nextSlots: ['2026-03-11T09:00:00.000Z', '2026-03-11T15:00:00.000Z', '2026-03-12T09:00:00.000Z'],
  });
  assert.deepEqual(list.get('drafts')?.nextSlots, ['2026-03-10T15:00:00.000Z', '2026-03-11T09:00:00.000Z', '2026-03-11T15:00:00.000Z']);
  assert.deepEqual([...list.keys()].slice(0, 2).sort(), ['drafts', 'local'], 'the local channels come first');
});

test('POST /channels/oauth/start: a consent URL for the channel; a bad name, a local channel\'s name or a bad redirect URI is 400 naming the field', async () => {
  const redirectUri = 'http://127.0.0.1:3000/api/channels/oauth/callback';
  const res = await app.inject({ method: 'POST', url: '/channels/oauth/start', payload: { name: 'gaming', redirectUri } });
  assert.equal(res.statusCode, 200, res.body);
  const url = new URL((res.json() as { consentUrl: string }).consentUrl);
  assert.equal(url.origin + url.pathname, env.GOOGLE_OAUTH_URL);
  assert.equal(url.searchParams.get('client_id'), env.GOOGLE_CLIENT_ID);
  assert.equal(url.searchParams.get('redirect_uri'), redirectUri);
  assert.match(url.searchParams.get('state') ?? '', /^[A-Za-z0-9_-]{43}$/);
  const { rows } = await db.query<{ channel: string; state_hash: string }>('SELECT channel, state_hash FROM youtube_oauth_pending');
  assert.deepEqual(rows.map((r) => r.channel), ['gaming']);
  assert.notEqual(rows[0]?.state_hash, url.searchParams.get('state'), 'only a hash of the state is stored');

  for (const [payload, field] of [
    [{ name: 'Bad Name', redirectUri }, 'name'], [{ name: 'local', redirectUri }, 'name'], [{ name: 'drafts', redirectUri }, 'name'],
    [{ name: 'ok', redirectUri: 'javascript:alert(1)' }, 'redirectUri'], [{ name: 'ok', redirectUri, extra: 1 }, ''],
  ] as const) {
    const bad = await app.inject({ method: 'POST', url: '/channels/oauth/start', payload });
    assert.equal(bad.statusCode, 400, JSON.stringify(payload));
    const error = (bad.json() as { error: { code: string; field?: string } }).error;
    assert.equal(error.code, 'INVALID_INPUT');
    if (field) assert.equal(error.field, field);
  }
  const replay = await app.inject({ method: 'POST', url: '/channels/oauth/complete', payload: { state: 'x'.repeat(43), code: 'c' } });
  assert.equal(replay.statusCode, 400);
  assert.equal((replay.json() as { error: { field: string } }).error.field, 'state');
});

test('the uploader service serves GET /channels beside its stage', async () => {
  const service = buildApp({ env: { ...env, FACELESS_DATA_DIR: join(root, 'service') }, store: new FolderStore(join(root, 'store')), logger: false });
  try {
    const res = await service.inject({ method: 'GET', url: '/channels' });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual((res.json() as { channels: ChannelSummary[] }).channels.map((c) => [c.name, c.kind]), [['local', 'local'], ['drafts', 'local']]);
  } finally {
    await service.close();
  }
});

test('POST /channels/oauth/start without any Google client names the web client to create and where its redirect goes', async () => {
  const bare = Fastify();
  registerErrorHandler(bare);
  const { GOOGLE_CLIENT_ID: _id, GOOGLE_CLIENT_SECRET: _secret, ...rest } = env;
  registerChannelRoutes(bare, { env: rest, openDatabase: async () => db, now: () => NOW });
  try {
    const res = await bare.inject({ method: 'POST', url: '/channels/oauth/start', payload: { name: 'gaming', redirectUri: 'http://127.0.0.1:3000/api/channels/oauth/callback' } });
    assert.equal(res.statusCode, 400);
    const error = (res.json() as { error: { code: string; field: string; message: string } }).error;
    assert.deepEqual([error.code, error.field], ['INVALID_OPTION', 'GOOGLE_WEB_CLIENT_ID']);
    assert.match(error.message, /"Web application".*\/api\/channels\/oauth\/callback/);
  } finally {
    await bare.close();
  }
});
