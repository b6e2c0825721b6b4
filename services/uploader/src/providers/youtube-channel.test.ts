import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { FolderStore, openDatabase, type Database } from '@faceless/infra';
import { createLogger, FacelessError, type StageContext } from '@faceless/runtime';
import {
  createChannelRecord, createYouTubeClient, openYouTubeState, QUOTA_COST_TABLES, QuotaTable, runInstalledAppFlow,
  type QuotaLedger, type YouTubeClient, type YouTubeConfig, type YouTubeState,
} from '@faceless/youtube';
import { startFakeGoogle, startFakeGoogleOAuth, type FakeGoogle, type FakeGoogleOAuth, type FakeYouTube } from '@faceless/youtube/testing';
import { createUploaderStage } from '../stage.ts';
import { YouTubeChannelTarget } from './youtube-channel.ts';

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(2_000)]);
// 1.25 MiB: five 256 KiB chunks, the last one short.
const VIDEO = randomBytes(5 * 256 * 1024 + 1234);
const VIDEO_SHA = createHash('sha256').update(VIDEO).digest('hex');
const META = {
  title: 'Why cats purr', description: 'All about purring.', tags: ['cats', 'purring'], hashtags: ['#cats'],
  chapters: [], categoryId: '15', defaultLanguage: 'en',
};
const NOW = '2026-03-10T08:00:00Z';
const SRT = '1\n00:00:00,200 --> 00:00:01,400\nLes chats ronronnent\n\n2\n00:00:01,500 --> 00:00:02,900\nquand ils sont contents.\n';

let fake: FakeGoogle;
let google: FakeGoogleOAuth;
let youtube: FakeYouTube;
let root: string;
let config: YouTubeConfig;
let refreshToken: string;
let db: Database;
let state: YouTubeState;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'youtube-target-'));
  fake = await startFakeGoogle({ dataDir: join(root, 'data') });
  ({ google, youtube, config } = fake);
  // One consent; every case stores its own channel record with this refresh token.
  refreshToken = await fake.authorize();
  // One database for the file (creating one costs seconds); each case has its own pipeline ids and quota project.
  db = await openDatabase({ dataDir: join(root, 'db') });
  state = await openYouTubeState(db, { dataDir: join(root, 'data') });
});
after(async () => {
  await db.close();
  await fake.close();
  await rm(root, { recursive: true, force: true });
});

let n = 0;
async function setup(channel = 'science', slots = ['15:00']): Promise<{ ctx: StageContext; store: FolderStore; warnings: string[]; ledger: QuotaLedger; dataDir: string }> {
  const dir = join(root, `case-${++n}`);
  const dataDir = join(dir, 'data');
  const channels = state.channels;
  await channels.save(await createChannelRecord({ name: channel, refreshToken, secretKey: config.secretKey, now: new Date(NOW), defaults: { slots } }));
  const store = new FolderStore(join(dir, 'store'));
  await store.putBytes('run/video.mp4', VIDEO);
  await store.putBytes('run/thumbnail.png', PNG);
  await store.putBytes('run/captions.srt', SRT);
  const warnings: string[] = [];
  const log = createLogger({ level: 'error' });
  const ctx: StageContext = {
    store,
    log: { ...log, warn: (message: string) => { warnings.push(message); } } as StageContext['log'],
    signal: new AbortController().signal,
    progress: () => {},
    workDir: await mkdtemp(join(dir, 'work-')),
  };
  const ledger = new QuotaTable(db, { clientId: `${google.clientId}-case-${n}`, dailyQuota: 10_000, costs: QUOTA_COST_TABLES.legacy });
  return { ctx, store, warnings, ledger, dataDir };
}

function stageFor(dataDir: string, ledger: QuotaLedger, extra: { sleep?: (ms: number) => Promise<void>; clientFor?: (client: YouTubeClient) => YouTubeClient } = {}) {
  const wrap = extra.clientFor;
  const target = new YouTubeChannelTarget({
    config: { ...config, dataDir }, state: async () => state, ledger,
    ...(wrap ? { clientFor: (tokens) => wrap(createYouTubeClient({ apiUrl: config.apiUrl, uploadUrl: config.uploadUrl, reportingUrl: config.reportingUrl, tokens })) } : {}),
    chunkBytes: 256 * 1024, sleep: extra.sleep ?? (async () => {}), now: () => new Date(NOW),
  });
  return createUploaderStage({ targetFor: () => target, slots: ['09:00'], leadMinutes: 60, now: () => new Date(NOW) });
}

const input = (extra: Record<string, unknown> = {}) => ({
  outputPrefix: 'run/', pipelineId: `pipe-1-case-${n}`, videoPath: 'run/video.mp4', thumbnailPath: 'run/thumbnail.png', metadata: META, channel: 'science', ...extra,
});

function videosOf(pipelineTitle: string) {
  return youtube.videos.filter((v) => v.snippet.title === pipelineTitle);
}

test('uploads in 256 KiB chunks, sets the thumbnail and every status field, schedules into the channel slot, once', async () => {
  const { ctx, ledger, dataDir } = await setup();
  const stage = stageFor(dataDir, ledger);
  const title = 'Chunked and scheduled';
  const out = await stage.execute(input({ metadata: { ...META, title } }), ctx);
  assert.equal(out.target, 'youtube');
  assert.equal(out.publishAt, '2026-03-10T15:00:00.000Z', 'the channel\'s own slot (15:00), not the global one (09:00)');
  assert.equal(out.url, `https://www.youtube.com/watch?v=${out.videoId}`);
  const [video, ...more] = videosOf(title);
  assert.equal(more.length, 0);
  assert.ok(video);
  assert.equal(video.id, out.videoId);
  assert.equal(video.sha256, VIDEO_SHA, 'YouTube holds exactly the file');
  assert.deepEqual(video.status, {
    ...video.status, privacyStatus: 'private', publishAt: '2026-03-10T15:00:00.000Z', selfDeclaredMadeForKids: false, containsSyntheticMedia: true,
  });
  assert.equal(video.snippet.categoryId, '27', 'the channel default category');
  assert.ok(video.thumbnail && video.thumbnail.bytes.equals(PNG), 'the chosen thumbnail was set');
  for (const chunk of youtube.uploadChunks().filter((c) => c.total === VIDEO.length && c.last + 1 < c.total)) {
    assert.equal(chunk.bytes % (256 * 1024), 0, `non-final chunk of ${chunk.bytes} bytes`);
  }
  assert.equal((await ledger.usage(new Date(NOW))).unitsUsed, 1650, 'videos.insert + thumbnails.set reserved');

  const before = youtube.requests.length;
  const again = await stage.execute(input({ metadata: { ...META, title } }), ctx);
  assert.deepEqual(again, out);
  assert.equal(youtube.requests.length, before, 'a rerun sends nothing to YouTube');
  assert.equal(videosOf(title).length, 1);
});

test('a crash mid-upload resumes the saved session: one video, the right bytes', async () => {
  const { ctx, ledger, dataDir, store } = await setup();
  const title = 'Crash and resume';
  const abort = new AbortController();
  let chunks = 0;
  // The "crash": the process dies during the third chunk.
  const crashing = { ...ctx, signal: abort.signal, progress: () => { if (++chunks === 3) abort.abort(); } };
  await assert.rejects(stageFor(dataDir, ledger).execute(input({ metadata: { ...META, title } }), crashing));
  assert.ok(await state.sessions.get('science', input().pipelineId), 'the session URI was kept');
  assert.equal(videosOf(title).length, 0);
  const sessionsBefore = youtube.sessions.length;

  const out = await stageFor(dataDir, ledger).execute(input({ metadata: { ...META, title } }), ctx);
  assert.equal(youtube.sessions.length, sessionsBefore, 'no second upload session was opened');
  const videos = videosOf(title);
  assert.equal(videos.length, 1);
  assert.equal(videos[0]?.id, out.videoId);
  assert.equal(videos[0]?.sha256, VIDEO_SHA);
  assert.equal(await state.sessions.get('science', input().pipelineId), undefined, 'the session is dropped once the video id is recorded');
  assert.equal(await store.exists('run/youtube-science.upload-session.json'), false, 'no session file beside the artifacts');
});

test('dropped connections and 503s are retried; the upload still lands once', async () => {
  const { ctx, ledger, dataDir } = await setup();
  const title = 'Flaky network';
  const delays: number[] = [];
  youtube.dropConnectionMidChunk(100_000);
  const stage = stageFor(dataDir, ledger, { sleep: async (ms) => { delays.push(ms); } });
  const pending = stage.execute(input({ metadata: { ...META, title } }), ctx);
  const out = await pending;
  assert.ok(delays.length >= 1, 'backed off before resuming');
  assert.equal(videosOf(title).length, 1);
  assert.equal(videosOf(title)[0]?.sha256, VIDEO_SHA);
  assert.ok(out.videoId);
});

test('a revoked authorization fails with CHANNEL_AUTH before anything reaches YouTube', async () => {
  const { ctx, ledger, dataDir } = await setup('revoked');
  const other = await startFakeGoogleOAuth();
  try {
    const tokens = await runInstalledAppFlow({ config: { ...config, oauthUrl: other.authUrl, tokenUrl: other.tokenUrl, clientId: other.clientId, clientSecret: other.clientSecret }, print: () => {}, openBrowser: (url) => { other.approve(url).catch(() => {}); } });
    const channels = state.channels;
    await channels.save(await createChannelRecord({ name: 'revoked', refreshToken: tokens.refreshToken, secretKey: config.secretKey }));
    other.revokeRefreshToken(tokens.refreshToken);
    const target = new YouTubeChannelTarget({
      config: { ...config, dataDir, tokenUrl: other.tokenUrl, clientId: other.clientId, clientSecret: other.clientSecret },
      state: async () => state, ledger, sleep: async () => {},
    });
    const stage = createUploaderStage({ targetFor: () => target, slots: ['09:00'], leadMinutes: 60, now: () => new Date(NOW) });
    const before = youtube.requests.length;
    await assert.rejects(stage.execute(input({ channel: 'revoked' }), ctx), (err: unknown) => {
      assert.ok(err instanceof FacelessError);
      assert.equal(err.code, 'CHANNEL_AUTH');
      assert.match(err.message, /faceless channels add revoked/);
      assert.ok(!err.message.includes(tokens.refreshToken));
      return true;
    });
    assert.equal(youtube.requests.length, before);
  } finally {
    await other.close();
  }
});

test('an unknown channel is a NOT_FOUND naming the channel and the command to add it', async () => {
  const { ctx, ledger, dataDir } = await setup();
  await assert.rejects(stageFor(dataDir, ledger).execute(input({ channel: 'nobody' }), ctx), (err: unknown) => {
    assert.ok(err instanceof FacelessError);
    assert.equal(err.code, 'NOT_FOUND');
    assert.equal(err.field, 'channel');
    assert.match(err.message, /faceless channels add nobody/);
    return true;
  });
});

test('quotaExceeded is reported as such and marks the day spent; the next upload waits for the reset', async () => {
  const { ctx, ledger, dataDir } = await setup();
  youtube.refuseQuota('quotaExceeded');
  try {
    await assert.rejects(stageFor(dataDir, ledger).execute(input({ pipelineId: 'quota-1', metadata: { ...META, title: 'Quota refused' } }), ctx), (err: unknown) => {
      assert.ok(err instanceof FacelessError);
      assert.equal(err.code, 'QUOTA_EXCEEDED', err.message);
      return true;
    });
  } finally {
    youtube.refuseQuota(undefined);
  }
  assert.equal((await ledger.usage(new Date(NOW))).exhausted, true);

  // A new pipeline on the same day: the ledger makes it wait until midnight Pacific instead of failing halfway.
  const waits: number[] = [];
  let clock = new Date(NOW);
  const target = new YouTubeChannelTarget({
    config: { ...config, dataDir }, state: async () => state, ledger, chunkBytes: 256 * 1024,
    sleep: async (ms) => { waits.push(ms); clock = new Date(clock.getTime() + ms); },
    now: () => clock,
  });
  const stage = createUploaderStage({ targetFor: () => target, slots: ['09:00'], leadMinutes: 60, now: () => new Date(NOW) });
  const { ctx: ctx2 } = await setup('science');
  const out = await stage.execute(input({ pipelineId: 'quota-2', metadata: { ...META, title: 'After the reset' } }), ctx2);
  assert.ok(out.videoId);
  assert.ok(waits.length >= 1, 'waited for the quota reset');
  // 2026-03-10 08:00 UTC is 01:00 PDT; the reset is the next midnight Pacific, 2026-03-11 07:00 UTC.
  assert.ok(clock.getTime() >= Date.parse('2026-03-11T07:00:00Z'), `slept until ${clock.toISOString()}`);
});

test('a channel that may not set custom thumbnails still gets its video, with a warning', async () => {
  const { ctx, ledger, dataDir, warnings } = await setup();
  youtube.setCustomThumbnails(false);
  try {
    const out = await stageFor(dataDir, ledger).execute(input({ pipelineId: 'thumb-403', metadata: { ...META, title: 'No custom thumbnail' } }), ctx);
    assert.ok(out.videoId);
    assert.ok(warnings.some((w) => /custom thumbnail/.test(w)), warnings.join('\n'));
  } finally {
    youtube.setCustomThumbnails(true);
  }
});

test('bad input is refused before anything is sent: metadata over the limits, a thumbnail over 2 MB', async () => {
  const { ctx, ledger, dataDir, store } = await setup();
  const before = youtube.requests.length;
  await assert.rejects(stageFor(dataDir, ledger).execute(input({ metadata: { ...META, title: 'x'.repeat(101) } }), ctx), /title/);
  await assert.rejects(stageFor(dataDir, ledger).execute(input({ metadata: { ...META, title: 'a <b> title' } }), ctx), /title/);
  await store.putBytes('run/big.png', Buffer.concat([PNG, Buffer.alloc(2 * 1024 * 1024)]));
  await assert.rejects(stageFor(dataDir, ledger).execute(input({ thumbnailPath: 'run/big.png' }), ctx), /2 MB/);
  assert.equal(youtube.requests.length, before);
});

test('a corrupt publication record is a CONFLICT naming the file; a corrupt session file starts a new upload', async () => {
  const { ctx, ledger, dataDir, store } = await setup();
  const before = youtube.requests.length;
  await store.putBytes('run/youtube-science.json', '{"videoId": "abc",');
  await assert.rejects(stageFor(dataDir, ledger).execute(input(), ctx), (err: unknown) => {
    assert.ok(err instanceof FacelessError);
    assert.equal(err.code, 'CONFLICT');
    assert.match(err.message, /youtube-science\.json is not a YouTube publication record \(not JSON\): move it away/);
    return true;
  });
  assert.equal(youtube.requests.length, before, 'nothing was sent while the record is in doubt');

  await store.delete('run/youtube-science.json');
  await store.putBytes('run/youtube-science.upload-session.json', 'truncated {');
  const title = 'After a corrupt session file';
  const out = await stageFor(dataDir, ledger).execute(input({ metadata: { ...META, title } }), ctx);
  assert.equal(videosOf(title).length, 1);
  assert.equal(videosOf(title)[0]?.id, out.videoId);
});

test('the captions go up as one caption track in the video\'s language, their quota counted; a rerun sends nothing', async () => {
  const { ctx, ledger, dataDir, store } = await setup();
  const title = 'Captions travel';
  const stage = stageFor(dataDir, ledger);
  const out = await stage.execute(input({ metadata: { ...META, title, defaultLanguage: 'fr' }, captionsPath: 'run/captions.srt' }), ctx);
  const tracks = youtube.captions.filter((c) => c.videoId === out.videoId);
  assert.deepEqual(tracks.map((c) => [c.language, c.name, c.isDraft, c.body.toString('utf8')]), [['fr', '', false, SRT]]);
  const record = JSON.parse((await store.getBytes('run/youtube-science.json')).toString('utf8')) as { captionTrackId?: string; done: boolean };
  assert.equal(record.captionTrackId, tracks[0]?.id, 'the track id is in the publication record');
  assert.equal((await ledger.usage(new Date(NOW))).unitsUsed, 1600 + 50 + 400, 'videos.insert + thumbnails.set + captions.insert');
  assert.equal(youtube.requests.filter((r) => r.path === '/youtube/v3/captions').length, 0, 'a first insert needs no captions.list');

  const before = youtube.requests.length;
  assert.deepEqual(await stage.execute(input({ metadata: { ...META, title, defaultLanguage: 'fr' }, captionsPath: 'run/captions.srt' }), ctx), out);
  assert.equal(youtube.requests.length, before, 'a rerun sends nothing to YouTube');

  await assert.rejects(stage.execute(input({ pipelineId: 'pipe-2', outputPrefix: 'run2/', captionsPath: 'run/none.srt' }), ctx), (err: FacelessError) => err.code === 'NOT_FOUND' && err.field === 'captionsPath');
});

test('a crash after captions.insert, before the record is saved: the rerun finds the track, and the video has exactly one', async () => {
  const { ctx, ledger, dataDir, store } = await setup();
  const title = 'Crash after the captions';
  const crashing = stageFor(dataDir, ledger, {
    clientFor: (client) => ({
      ...client,
      ensureCaptionTrack: async (options) => {
        await client.ensureCaptionTrack(options);
        throw new Error('process died after captions.insert');
      },
    }),
  });
  const request = input({ metadata: { ...META, title }, captionsPath: 'run/captions.srt' });
  await assert.rejects(crashing.execute(request, ctx), /process died/);
  const [video] = videosOf(title);
  assert.ok(video, 'the video was uploaded');
  assert.equal(youtube.captions.filter((c) => c.videoId === video.id).length, 1, 'YouTube has the track');
  const crashed = await state.publications.get('science', request.pipelineId) as { captionsStartedAt?: string; captionTrackId?: string; done: boolean };
  assert.ok(crashed.captionsStartedAt && !crashed.captionTrackId && !crashed.done, 'the record says an insert began, not that it ended');

  const postsBefore = youtube.requests.filter((r) => r.method === 'POST').length;
  const out = await stageFor(dataDir, ledger).execute(request, ctx);
  assert.equal(out.videoId, video.id);
  const tracks = youtube.captions.filter((c) => c.videoId === video.id);
  assert.equal(tracks.length, 1, 'exactly one caption track after the rerun');
  assert.equal(youtube.requests.filter((r) => r.method === 'POST').length, postsBefore, 'nothing posted again');
  assert.ok(youtube.requests.some((r) => r.method === 'GET' && r.path === '/youtube/v3/captions' && r.query.videoId === video.id), 'the rerun listed the tracks');
  const record = JSON.parse((await store.getBytes('run/youtube-science.json')).toString('utf8')) as { captionTrackId?: string; done: boolean };
  assert.deepEqual([record.captionTrackId, record.done], [tracks[0]?.id, true]);
  assert.equal(videosOf(title).length, 1);
});
