import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { FacelessError } from '@faceless/runtime';
import { startFakeYouTube } from '../testing/fake-youtube.ts';
import { countingTokens, instantSleep, randomFile } from './test-helpers.ts';
import { THUMBNAIL_MAX_BYTES } from './videos.ts';
import { createYouTubeClient } from './youtube-client.ts';

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

async function setup(t: { after: (fn: () => Promise<void>) => void }, options?: Parameters<typeof startFakeYouTube>[0]) {
  const fake = await startFakeYouTube(options);
  t.after(() => fake.close());
  const scratch = await randomFile(16, 'scratch.bin');
  t.after(() => scratch.remove());
  const { sleep, delays } = instantSleep();
  const tokens = countingTokens();
  const client = createYouTubeClient({ apiUrl: fake.url, uploadUrl: fake.url, reportingUrl: fake.url, tokens, retry: { sleep, random: () => 0.5, maxRetries: 2 } });
  const video = fake.addVideo({ snippet: { title: 'Old title', description: 'Keep this description.', tags: ['keep', 'these tags'], categoryId: '27', defaultLanguage: 'en' } });
  return { fake, client, video, dir: scratch.dir, delays, tokens };
}

test('getVideo returns the video, and undefined for an id YouTube does not know', async (t) => {
  const { client, video, fake } = await setup(t);
  const got = await client.getVideo(video.id);
  assert.equal(got?.id, video.id);
  assert.equal(got.snippet?.title, 'Old title');
  assert.equal(got.status?.privacyStatus, 'private');
  assert.equal(await client.getVideo('nope0000000'), undefined);
  assert.equal(fake.requests[0]?.query.part, 'snippet,status');
});

test('updateVideoTitle sends the whole snippet: description, tags, categoryId and language survive', async (t) => {
  const { client, video, fake } = await setup(t);
  const updated = await client.updateVideoTitle({ videoId: video.id, title: 'New title' });
  assert.equal(updated.snippet?.title, 'New title');
  const stored = fake.videos[0]!.snippet;
  assert.equal(stored.title, 'New title');
  assert.equal(stored.description, 'Keep this description.');
  assert.deepEqual(stored.tags, ['keep', 'these tags']);
  assert.equal(stored.categoryId, '27');
  assert.equal(stored.defaultLanguage, 'en');
  assert.deepEqual(fake.requests.map((r) => `${r.method} ${r.query.part}`), ['GET snippet', 'PUT snippet']);
});

test('updateVideoSnippet changes only the given fields; an unknown video is NOT_FOUND before any update', async (t) => {
  const { client, video, fake } = await setup(t);
  await client.updateVideoSnippet({ videoId: video.id, snippet: { description: 'New description', tags: [] } });
  assert.equal(fake.videos[0]!.snippet.title, 'Old title');
  assert.equal(fake.videos[0]!.snippet.description, 'New description');
  assert.deepEqual(fake.videos[0]!.snippet.tags, []);
  await assert.rejects(client.updateVideoTitle({ videoId: 'missing0000', title: 'x' }), (err: FacelessError) => err.code === 'NOT_FOUND' && err.message.includes('missing0000'));
  assert.equal(fake.requests.filter((r) => r.method === 'PUT').length, 1);
});

test('a title YouTube refuses (invalidTitle) is INVALID_INPUT on metadata.title with YouTube\'s words', async (t) => {
  const { client, video } = await setup(t);
  await assert.rejects(client.updateVideoTitle({ videoId: video.id, title: 'a <b> title' }), (err: FacelessError) => {
    assert.equal(err.code, 'INVALID_INPUT');
    assert.equal(err.field, 'metadata.title');
    assert.match(err.message, /videos\.update answered HTTP 400 invalidTitle: "The request metadata specifies an invalid video title\."/);
    return true;
  });
});

test('5xx on videos.list is retried with backoff; quotaExceeded is not', async (t) => {
  const { client, video, fake, delays } = await setup(t);
  fake.failNext(503, 2);
  assert.equal((await client.getVideo(video.id))?.id, video.id);
  assert.deepEqual(delays, [750, 1500]);
  fake.failNext(500, 3);
  await assert.rejects(client.getVideo(video.id), (err: FacelessError) => err.code === 'PROVIDER_UNAVAILABLE' && err.retryable);
  fake.refuseQuota('quotaExceeded');
  const before = fake.requests.length;
  await assert.rejects(client.getVideo(video.id), (err: FacelessError) => err.code === 'QUOTA_EXCEEDED');
  assert.equal(fake.requests.length, before + 1);
});

test('a stale token on videos.list is refreshed once (invalidate) and the call succeeds', async (t) => {
  const { client, video, tokens } = await setup(t, { isValidToken: (tok) => !tok.startsWith('tok-1-') });
  assert.equal((await client.getVideo(video.id))?.id, video.id);
  assert.equal(tokens.invalidations, 1);
});

test('setThumbnail posts the PNG to thumbnails.set and reports the largest size back', async (t) => {
  const { client, video, fake, dir } = await setup(t);
  const png = Buffer.concat([PNG_MAGIC, Buffer.alloc(5000, 7)]);
  const path = join(dir, 'thumb.png');
  await writeFile(path, png);
  const set = await client.setThumbnail({ videoId: video.id, file: path });
  assert.match(set.url ?? '', /maxresdefault\.jpg$/);
  assert.deepEqual(fake.videos[0]!.thumbnail?.bytes, png);
  assert.equal(fake.videos[0]!.thumbnail?.contentType, 'image/png');
  const req = fake.requests.at(-1)!;
  assert.equal(req.path, '/upload/youtube/v3/thumbnails/set');
  assert.equal(req.query.videoId, video.id);
  assert.equal(req.headers['content-type'], 'image/png');
});

test('setThumbnail refuses > 2 MB, non-images and a wrong contentType before sending anything', async (t) => {
  const { client, video, fake, dir } = await setup(t);
  const big = join(dir, 'big.jpg');
  await writeFile(big, Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.alloc(THUMBNAIL_MAX_BYTES)]));
  await assert.rejects(client.setThumbnail({ videoId: video.id, file: big }), (err: FacelessError) => err.code === 'LIMIT_EXCEEDED' && err.field === 'thumbnailPath' && err.message.includes(String(THUMBNAIL_MAX_BYTES + 3)));
  const text = join(dir, 'thumb.png');
  await writeFile(text, 'not an image');
  await assert.rejects(client.setThumbnail({ videoId: video.id, file: text }), (err: FacelessError) => err.code === 'INVALID_INPUT' && err.field === 'thumbnailPath');
  const png = join(dir, 'real.png');
  await writeFile(png, Buffer.concat([PNG_MAGIC, Buffer.alloc(100)]));
  await assert.rejects(client.setThumbnail({ videoId: video.id, file: png, contentType: 'image/jpeg' }), (err: FacelessError) => err.code === 'INVALID_INPUT' && /image\/png/.test(err.message));
  await assert.rejects(client.setThumbnail({ videoId: video.id, file: join(dir, 'absent.png') }), (err: FacelessError) => err.code === 'INVALID_INPUT' && /ENOENT/.test(err.message));
  assert.equal(fake.requests.length, 0);
});

test('a channel that may not set custom thumbnails: 403 forbidden → PROVIDER_AUTH naming the reason and the fix', async (t) => {
  const { client, video, fake, dir } = await setup(t, { customThumbnails: false });
  const path = join(dir, 'thumb.png');
  await writeFile(path, Buffer.concat([PNG_MAGIC, Buffer.alloc(100)]));
  await assert.rejects(client.setThumbnail({ videoId: video.id, file: path }), (err: FacelessError) => {
    assert.equal(err.code, 'PROVIDER_AUTH');
    assert.match(err.message, /HTTP 403 forbidden/);
    assert.match(err.message, /verify/);
    return true;
  });
  fake.setCustomThumbnails(true);
  fake.failNext(400, 1, 'invalidImage');
  await assert.rejects(client.setThumbnail({ videoId: video.id, file: path }), (err: FacelessError) => err.code === 'INVALID_INPUT' && err.field === 'thumbnailPath' && /invalidImage/.test(err.message));
  assert.ok((await client.setThumbnail({ videoId: video.id, file: path })).url);
});
