import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { FacelessError } from '@faceless/runtime';
import { startFakeYouTube } from '../testing/fake-youtube.ts';
import { countingTokens, instantSleep, randomFile } from './test-helpers.ts';
import { createYouTubeClient } from './youtube-client.ts';

const SRT = '1\n00:00:00,200 --> 00:00:01,400\nOctopuses have\n\n2\n00:00:01,500 --> 00:00:02,900\nthree hearts – and blue blood.\n';

async function setup(t: { after: (fn: () => Promise<void>) => void }) {
  const fake = await startFakeYouTube();
  t.after(() => fake.close());
  const scratch = await randomFile(16, 'scratch.bin');
  t.after(() => scratch.remove());
  const file = join(scratch.dir, 'captions.srt');
  await writeFile(file, SRT);
  const { sleep, delays } = instantSleep();
  const client = createYouTubeClient({ apiUrl: fake.url, uploadUrl: fake.url, reportingUrl: fake.url, tokens: countingTokens(), retry: { sleep, random: () => 0.5, maxRetries: 2 } });
  const video = fake.addVideo({ snippet: { title: 'Octopuses', categoryId: '27' } });
  return { fake, client, video, file, dir: scratch.dir, delays };
}

test('ensureCaptionTrack posts the SRT as a multipart captions.insert in the language asked, and lists it back', async (t) => {
  const { fake, client, video, file } = await setup(t);
  const { track, inserted } = await client.ensureCaptionTrack({ videoId: video.id, language: 'fr', file });
  assert.equal(inserted, true);
  assert.deepEqual(fake.captions.map((c) => [c.id, c.videoId, c.language, c.name, c.isDraft, c.body.toString('utf8')]), [[track.id, video.id, 'fr', '', false, SRT]]);
  const post = fake.requests.find((r) => r.path === '/upload/youtube/v3/captions');
  assert.deepEqual(post?.query, { uploadType: 'multipart', part: 'snippet' });
  assert.match(post?.headers['content-type'] ?? '', /^multipart\/related; boundary=/);
  assert.equal(fake.requests.filter((r) => r.path === '/youtube/v3/captions').length, 0, 'no list before a first insert');
  const listed = await client.listCaptionTracks(video.id);
  assert.deepEqual(listed.map((c) => [c.id, c.snippet.language, c.snippet.trackKind]), [[track.id, 'fr', 'standard']]);
});

test('a lost answer to captions.insert is not a second track: the retry lists the tracks and finds it', async (t) => {
  const { fake, client, video, file, delays } = await setup(t);
  fake.dropNextCaptionResponse();
  const { track, inserted } = await client.ensureCaptionTrack({ videoId: video.id, language: 'en', file });
  assert.equal(inserted, false, 'the track the lost answer created is taken');
  assert.equal(fake.captions.length, 1);
  assert.equal(track.id, fake.captions[0]?.id);
  assert.equal(delays.length, 1, 'one backoff');
  assert.deepEqual(fake.requests.map((r) => `${r.method} ${r.path} ${r.status}`), [
    'POST /upload/youtube/v3/captions 0', 'GET /youtube/v3/captions 200',
  ]);

  // A 503 that did not create anything: listed, not found, inserted once.
  fake.failNext(503);
  const second = await client.ensureCaptionTrack({ videoId: video.id, language: 'de', file });
  assert.equal(second.inserted, true);
  assert.deepEqual(fake.captions.map((c) => c.language), ['en', 'de']);

  // listFirst: a caller that may have inserted before (a crash) finds its track without posting.
  const posts = fake.requests.filter((r) => r.method === 'POST').length;
  const again = await client.ensureCaptionTrack({ videoId: video.id, language: 'en', file, listFirst: true });
  assert.deepEqual([again.inserted, again.track.id], [false, track.id]);
  assert.equal(fake.requests.filter((r) => r.method === 'POST').length, posts);
});

test('YouTube\'s automatic track and other names are not taken for ours; bad files are refused before sending', async (t) => {
  const { fake, client, video, file, dir } = await setup(t);
  fake.captions.push({ id: 'asr1', videoId: video.id, language: 'en', name: '', isDraft: false, trackKind: 'asr', contentType: '', body: Buffer.alloc(0) });
  fake.captions.push({ id: 'named', videoId: video.id, language: 'en', name: 'Director\'s notes', isDraft: false, trackKind: 'standard', contentType: '', body: Buffer.alloc(0) });
  const { inserted } = await client.ensureCaptionTrack({ videoId: video.id, language: 'en', file, listFirst: true });
  assert.equal(inserted, true);
  assert.equal(fake.captions.length, 3);

  const before = fake.requests.length;
  const empty = join(dir, 'empty.srt');
  await writeFile(empty, '');
  await assert.rejects(client.ensureCaptionTrack({ videoId: video.id, language: 'en', file: empty }), (err: FacelessError) => err.code === 'INVALID_INPUT' && err.field === 'captionsPath');
  await assert.rejects(client.ensureCaptionTrack({ videoId: video.id, language: 'en', file: join(dir, 'none.srt') }), /cannot read the caption file/);
  assert.equal(fake.requests.length, before, 'nothing sent');
  await assert.rejects(client.ensureCaptionTrack({ videoId: 'nope0000000', language: 'en', file }), (err: FacelessError) => err.code === 'NOT_FOUND');
  const garbage = join(dir, 'garbage.srt');
  await writeFile(garbage, 'no cues here');
  await assert.rejects(client.ensureCaptionTrack({ videoId: video.id, language: 'en', file: garbage }), (err: FacelessError) => err.code === 'INVALID_INPUT' && err.field === 'captionsPath' && /invalidCaptionFile/.test(err.message));
  await assert.rejects(client.ensureCaptionTrack({ videoId: video.id, language: 'English', file }), (err: FacelessError) => err.code === 'INVALID_INPUT' && err.field === 'metadata.defaultLanguage');
});
