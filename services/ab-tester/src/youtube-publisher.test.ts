import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { FolderStore } from '@faceless/infra';
import { FacelessError } from '@faceless/runtime';
import { openYouTubeStateFromEnv, QUOTA_COST_TABLES, QuotaTable, type YouTubeConfig, type YouTubeState } from '@faceless/youtube';
import { startFakeGoogle, type FakeGoogle, type FakeYouTube } from '@faceless/youtube/testing';
import { createRecordingPublisher } from './variant-publisher.ts';
import { createYouTubeVariantPublisher } from './youtube-publisher.ts';

let fake: FakeGoogle;
let youtube: FakeYouTube;
let root: string;
let config: YouTubeConfig;
let state: YouTubeState & { close(): Promise<void> };
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(1_000)]);

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'ab-youtube-'));
  fake = await startFakeGoogle({ dataDir: join(root, 'data') });
  ({ youtube, config } = fake);
  await fake.addChannel('science');
  state = await openYouTubeStateFromEnv(fake.env);
});
after(async () => {
  await state.close();
  await fake.close();
  await rm(root, { recursive: true, force: true });
});

test('a variant goes live on the channel the video was uploaded to: the title by videos.update, the image by thumbnails.set', async () => {
  const video = youtube.addVideo({ snippet: { title: 'Variant A title', description: 'Kept as it is', categoryId: '28', tags: ['kept'] } });
  await state.videos.add('science', { pipelineId: 'p1', videoId: video.id, publishAt: '2026-11-25T15:00:00Z' });
  const store = new FolderStore(join(root, 'store'));
  await store.putBytes('run/thumbnails/thumb-2.png', PNG);
  const ledger = new QuotaTable(state.db, { clientId: fake.google.clientId, dailyQuota: 10_000, costs: QUOTA_COST_TABLES.legacy });
  const fallback = createRecordingPublisher();
  const publisher = createYouTubeVariantPublisher({ config, store, fallback, ledger });

  await publisher.applyVariant({ videoId: video.id, variant: { title: 'Variant B title', thumbnailKey: 'run/thumbnails/thumb-2.png' } });
  const live = youtube.videos.find((v) => v.id === video.id);
  assert.equal(live?.snippet.title, 'Variant B title');
  assert.equal(live?.snippet.categoryId, '28', 'the rest of the snippet is sent back unchanged');
  assert.equal(live?.snippet.description, 'Kept as it is');
  assert.ok(live?.thumbnail?.bytes.equals(PNG));
  assert.equal(fallback.applied.length, 0);
  assert.equal((await ledger.usage()).unitsUsed, 1 + 50 + 50, 'videos.list + videos.update + thumbnails.set');

  // A file path (an experiment made from the CLI) works too.
  const file = join(root, 'thumb-3.png');
  await writeFile(file, PNG);
  await publisher.applyVariant({ videoId: video.id, variant: { thumbnailKey: file } });
});

test('the channel given with the video is used without looking the video up', async () => {
  const video = youtube.addVideo({ snippet: { title: 'Uploaded elsewhere', categoryId: '27' } });
  const fallback = createRecordingPublisher();
  const ledger = new QuotaTable(state.db, { clientId: 'given-channel-project', dailyQuota: 10_000, costs: QUOTA_COST_TABLES.legacy });
  const publisher = createYouTubeVariantPublisher({ config, fallback, ledger });
  await publisher.applyVariant({ videoId: video.id, channel: 'science', variant: { title: 'Named channel' } });
  assert.equal(youtube.videos.find((v) => v.id === video.id)?.snippet.title, 'Named channel');
  assert.equal(fallback.applied.length, 0);
  assert.equal((await ledger.usage()).unitsUsed, 51, 'counted in the database ledger');
  await assert.rejects(publisher.applyVariant({ videoId: video.id, channel: 'nobody', variant: { title: 'x' } }), { code: 'NOT_FOUND', field: 'channel' });
});

test('a video of the local channel is only recorded; a spent quota fails with QUOTA_EXCEEDED, to be retried later', async () => {
  const fallback = createRecordingPublisher();
  const ledger = new QuotaTable(state.db, { clientId: 'another-project', dailyQuota: 10_000, costs: QUOTA_COST_TABLES.legacy });
  const publisher = createYouTubeVariantPublisher({ config, fallback, ledger });
  await publisher.applyVariant({ videoId: 'local-abcdefghijk', variant: { title: 'Local only' } });
  assert.deepEqual(fallback.applied, [{ videoId: 'local-abcdefghijk', variant: { title: 'Local only' } }]);

  const video = youtube.addVideo({ snippet: { title: 'Quota', categoryId: '27' } });
  await state.videos.add('science', { pipelineId: 'p2', videoId: video.id, publishAt: '2026-11-25T15:00:00Z' });
  await ledger.markExhausted();
  const before = youtube.requests.length;
  await assert.rejects(publisher.applyVariant({ videoId: video.id, variant: { title: 'Too late today' } }), (err: unknown) => {
    assert.ok(err instanceof FacelessError);
    assert.equal(err.code, 'QUOTA_EXCEEDED');
    return true;
  });
  assert.equal(youtube.requests.length, before, 'nothing was sent');
});
