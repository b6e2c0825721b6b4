import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FacelessError } from '@faceless/runtime';
import { startFakeYouTube, type FakeYouTube } from '../testing/fake-youtube.ts';
import { nextByteFromRange, UPLOAD_CHUNK_UNIT, uploadVideo, type UploadVideoOptions } from './resumable-upload.ts';
import { countingTokens, instantSleep, randomFile, recordingStore, type RecordingStore, type TestFile } from './test-helpers.ts';
import type { VideoInsertResource } from './video-resource.ts';

const KiB = 1024;
const FILE_BYTES = 3 * 1024 * KiB + 12_345;
const RESOURCE: VideoInsertResource = {
  snippet: { title: 'Why octopuses have three hearts', description: 'A short film.', tags: ['octopus', 'marine biology'], categoryId: '27' },
  status: { privacyStatus: 'private', publishAt: '2030-01-01T17:00:00Z', selfDeclaredMadeForKids: false, containsSyntheticMedia: true },
};

interface Setup {
  fake: FakeYouTube;
  file: TestFile;
  store: RecordingStore;
  sleeps: number[];
  progress: [number, number][];
  options: (extra?: Partial<UploadVideoOptions>) => UploadVideoOptions;
}

async function setup(t: { after: (fn: () => Promise<void>) => void }, fakeOptions?: Parameters<typeof startFakeYouTube>[0]): Promise<Setup> {
  const fake = await startFakeYouTube(fakeOptions);
  const file = await randomFile(FILE_BYTES);
  t.after(() => fake.close());
  t.after(() => file.remove());
  const store = recordingStore(fake);
  const { sleep, delays } = instantSleep();
  const progress: [number, number][] = [];
  const tokens = countingTokens();
  return {
    fake,
    file,
    store,
    sleeps: delays,
    progress,
    options: (extra = {}) => ({
      uploadUrl: fake.url,
      tokens,
      file: file.path,
      resource: RESOURCE,
      sessions: store,
      chunkBytes: UPLOAD_CHUNK_UNIT,
      sleep,
      random: () => 0.5,
      onProgress: (sent, total) => { progress.push([sent, total]); },
      ...extra,
    }),
  };
}

/** What every successful upload must satisfy: one video with the file's exact bytes, aligned chunks, a cleared store. */
function assertUploadedOnce(s: Setup, videoId: string): void {
  assert.equal(s.fake.videos.length, 1, 'exactly one video is created');
  const video = s.fake.videos[0]!;
  assert.equal(video.id, videoId);
  assert.equal(video.bytes.length, s.file.bytes);
  assert.equal(video.sha256, s.file.sha256, 'the stored bytes are the file, byte for byte');
  for (const c of s.fake.uploadChunks()) {
    const declared = c.last - c.first + 1;
    if (c.status !== 0) assert.equal(c.bytes, declared, `chunk ${c.first}-${c.last} carries the bytes its Content-Range declares`);
    if (c.last !== c.total - 1) assert.equal(declared % UPLOAD_CHUNK_UNIT, 0, `non-final chunk ${c.first}-${c.last} is a multiple of 256 KiB`);
    assert.equal(c.first % UPLOAD_CHUNK_UNIT, 0, `chunk ${c.first}-${c.last} starts on a 256 KiB boundary`);
  }
  assert.equal(s.store.current, undefined, 'the session store is cleared');
  assert.ok(s.store.saves.length >= 1);
  assert.equal(s.store.saves[0]!.putsBefore, 0, 'the session is saved before the first PUT');
  assert.deepEqual(s.progress.at(-1), [s.file.bytes, s.file.bytes]);
  const sent = s.progress.map(([n]) => n);
  assert.ok(sent.every((n) => n >= 0 && n <= s.file.bytes));
}

const statusQueries = (fake: FakeYouTube) => fake.requests.filter((r) => r.method === 'PUT' && r.headers['content-range']?.startsWith('bytes */'));
const initiations = (fake: FakeYouTube) => fake.requests.filter((r) => r.method === 'POST' && r.path === '/upload/youtube/v3/videos');

test('a clean upload: one session, saved first, 256 KiB chunks, the exact bytes, progress to the end', async (t) => {
  const s = await setup(t);
  const video = await uploadVideo(s.options());
  assertUploadedOnce(s, video.id);
  assert.equal(video.snippet?.title, RESOURCE.snippet.title);
  assert.equal(video.status?.privacyStatus, 'private');
  assert.equal(video.status?.containsSyntheticMedia, true);

  const [post] = initiations(s.fake);
  assert.ok(post);
  assert.equal(post.query.uploadType, 'resumable');
  assert.equal(post.query.part, 'snippet,status');
  assert.equal(post.headers['x-upload-content-length'], String(FILE_BYTES));
  assert.equal(post.headers['x-upload-content-type'], 'video/mp4');
  assert.match(post.headers['content-type'] ?? '', /^application\/json/);
  assert.equal(post.headers.authorization, 'Bearer', 'the fake records the scheme, never the token');

  const chunks = s.fake.uploadChunks();
  assert.equal(chunks.length, Math.ceil(FILE_BYTES / UPLOAD_CHUNK_UNIT));
  assert.deepEqual(chunks.map((c) => c.first), chunks.map((_, i) => i * UPLOAD_CHUNK_UNIT));
  assert.deepEqual(chunks.slice(0, -1).map((c) => c.status), chunks.slice(0, -1).map(() => 308));
  assert.equal(chunks.at(-1)!.status, 201);
  assert.equal(statusQueries(s.fake).length, 0, 'a fresh session needs no status query');
  assert.equal(s.store.saves.length, 1);
  assert.equal(s.store.saves[0]!.session.totalBytes, FILE_BYTES);
  assert.equal(s.store.saves[0]!.session.sha256, s.file.sha256);
  assert.equal(s.sleeps.length, 0);
});

test('a chunk size that is not a multiple of 256 KiB is refused before any request', async (t) => {
  const s = await setup(t);
  for (const chunkBytes of [100_000, 0, UPLOAD_CHUNK_UNIT + 1]) {
    await assert.rejects(uploadVideo(s.options({ chunkBytes })), (err: FacelessError) => err.code === 'INVALID_OPTION' && err.field === 'chunkBytes' && err.message.includes(String(chunkBytes)));
  }
  assert.equal(s.fake.requests.length, 0);
});

for (const status of [500, 502, 503, 504]) {
  test(`HTTP ${status} on a chunk and on the status query: backs off, asks where it stands, resumes`, async (t) => {
    const s = await setup(t);
    let armed = false;
    const video = await uploadVideo(s.options({
      onProgress: (sent, total) => {
        s.progress.push([sent, total]);
        if (!armed && sent >= 2 * UPLOAD_CHUNK_UNIT) { armed = true; s.fake.failNext(status, 2); }
      },
    }));
    assertUploadedOnce(s, video.id);
    assert.equal(s.sleeps.length, 2, 'one backoff per failure');
    assert.deepEqual(s.sleeps, [750, 1500], 'exponential (1 s, 2 s caps) with the pinned jitter');
    const queries = statusQueries(s.fake);
    assert.equal(queries.length, 2, 'the failed query is asked again');
    assert.equal(queries.at(-1)!.headers['content-length'], '0');
    assert.equal(queries.at(-1)!.headers['content-range'], `bytes */${FILE_BYTES}`);
    const failed = s.fake.uploadChunks().filter((c) => c.status === status);
    assert.equal(failed.length, 1);
    assert.equal(failed[0]!.first, 2 * UPLOAD_CHUNK_UNIT, 'the failed chunk is sent again from where the server stands');
    assert.equal(s.fake.uploadChunks().filter((c) => c.first === 2 * UPLOAD_CHUNK_UNIT).length, 2);
    assert.equal(initiations(s.fake).length, 1, 'no second session');
  });
}

test('a connection dropped mid-chunk: resumes from the 256 KiB the server kept, not from the chunk start', async (t) => {
  const s = await setup(t);
  const chunkBytes = 2 * UPLOAD_CHUNK_UNIT;
  let armed = false;
  const video = await uploadVideo(s.options({
    chunkBytes,
    onProgress: (sent, total) => {
      s.progress.push([sent, total]);
      if (!armed && sent === chunkBytes) { armed = true; s.fake.dropConnectionMidChunk(300 * KiB); }
    },
  }));
  assertUploadedOnce(s, video.id);
  const dropped = s.fake.uploadChunks().filter((c) => c.status === 0);
  assert.equal(dropped.length, 1, 'one chunk lost its connection');
  assert.equal(dropped[0]!.first, chunkBytes);
  assert.equal(s.sleeps.length, 1);
  assert.equal(statusQueries(s.fake).length, 1);
  const firsts = s.fake.uploadChunks().map((c) => c.first);
  assert.ok(firsts.includes(chunkBytes + UPLOAD_CHUNK_UNIT), `resumed at ${chunkBytes + UPLOAD_CHUNK_UNIT}, the byte after what the server kept (chunks started at ${firsts.join(', ')})`);
  assert.equal(initiations(s.fake).length, 1);
});

test('a 308 without Range means the server holds nothing: the upload restarts at byte 0 in the same session', async (t) => {
  const s = await setup(t);
  let armed = false;
  const video = await uploadVideo(s.options({
    onProgress: (sent, total) => {
      s.progress.push([sent, total]);
      if (!armed && sent >= 3 * UPLOAD_CHUNK_UNIT) { armed = true; s.fake.omitRangeOnNext308(); }
    },
  }));
  assertUploadedOnce(s, video.id);
  const firsts = s.fake.uploadChunks().map((c) => c.first);
  assert.equal(firsts.filter((f) => f === 0).length, 2, `byte 0 is sent twice (chunks started at ${firsts.join(', ')})`);
  assert.equal(initiations(s.fake).length, 1, 'the same session is kept');
  assert.ok(s.progress.some(([sent], i) => i > 0 && sent < s.progress[i - 1]![0]), 'progress goes back when the server lost the bytes');
});

for (const gone of [404, 410] as const) {
  test(`a session that answers ${gone} is cleared and replaced by a new one; still one video`, async (t) => {
    const s = await setup(t);
    let armed = false;
    const video = await uploadVideo(s.options({
      onProgress: (sent, total) => {
        s.progress.push([sent, total]);
        if (!armed && sent >= 2 * UPLOAD_CHUNK_UNIT) { armed = true; s.fake.expireSession(gone); }
      },
    }));
    assertUploadedOnce(s, video.id);
    assert.equal(initiations(s.fake).length, 2, 'a second session was started');
    assert.equal(s.store.saves.length, 2);
    assert.notEqual(s.store.saves[0]!.session.uri, s.store.saves[1]!.session.uri);
    assert.ok(s.store.clears >= 2, 'cleared when the session was gone, and at the end');
    assert.equal(s.fake.uploadChunks().filter((c) => c.status === gone).length, 1);
    assert.equal(s.sleeps.length, 0, 'a forgotten session is not a transient failure');
  });
}

test('another 4xx on a chunk fails at once with YouTube\'s reason; the session is kept for a later resume', async (t) => {
  const s = await setup(t);
  let armed = false;
  await assert.rejects(uploadVideo(s.options({
    onProgress: (sent) => {
      if (!armed && sent >= UPLOAD_CHUNK_UNIT) { armed = true; s.fake.failNext(400, 1, 'badContent'); }
    },
  })), (err: FacelessError) => {
    assert.equal(err.code, 'PROVIDER_BAD_RESPONSE');
    assert.equal(err.retryable, false);
    assert.match(err.message, /HTTP 400 badContent/);
    assert.doesNotMatch(err.message, /secretvalue/);
    return true;
  });
  assert.equal(s.sleeps.length, 0);
  assert.equal(s.fake.videos.length, 0);
  assert.ok(s.store.current, 'the session stays in the store');
});

test('quotaExceeded and uploadLimitExceeded on the initiating POST: their own codes, no session saved', async (t) => {
  const s = await setup(t);
  s.fake.refuseQuota('quotaExceeded');
  await assert.rejects(uploadVideo(s.options()), (err: FacelessError) => err.code === 'QUOTA_EXCEEDED' && /quotaExceeded/.test(err.message) && /midnight Pacific/.test(err.message));
  s.fake.refuseQuota('uploadLimitExceeded');
  await assert.rejects(uploadVideo(s.options()), (err: FacelessError) => err.code === 'UPLOAD_LIMIT_EXCEEDED' && /uploadLimitExceeded/.test(err.message));
  assert.equal(s.store.saves.length, 0);
  assert.equal(s.fake.uploadChunks().length, 0);
  assert.equal(s.sleeps.length, 0, 'quota refusals are not retried');
});

test('a 401 invalidates the token and retries once with a fresh one', async (t) => {
  const s = await setup(t, { isValidToken: (tok) => !tok.startsWith('tok-1-') });
  const tokens = countingTokens();
  const video = await uploadVideo(s.options({ tokens }));
  assertUploadedOnce(s, video.id);
  assert.equal(tokens.invalidations, 1);
  assert.equal(s.fake.requests.filter((r) => r.status === 401).length, 1);
});

test('a second 401 is CHANNEL_AUTH, and the token never appears in the message', async (t) => {
  const s = await setup(t, { isValidToken: () => false });
  const tokens = countingTokens();
  await assert.rejects(uploadVideo(s.options({ tokens })), (err: FacelessError) => {
    assert.equal(err.code, 'CHANNEL_AUTH');
    assert.match(err.message, /channels add/);
    for (const tok of tokens.handedOut) assert.ok(!err.message.includes(tok));
    return true;
  });
  assert.equal(tokens.invalidations, 1, 'refreshed once, not in a loop');
  assert.equal(s.fake.requests.length, 2);
  assert.equal(s.store.saves.length, 0);
});

test('a crash mid-upload (abort), then a new call with the same store: resumes the session instead of restarting', async (t) => {
  const s = await setup(t);
  const crash = new AbortController();
  await assert.rejects(uploadVideo(s.options({
    signal: crash.signal,
    onProgress: (sent) => { if (sent >= 5 * UPLOAD_CHUNK_UNIT) crash.abort(); },
  })), (err: FacelessError) => err.code === 'CANCELLED');
  assert.equal(s.fake.videos.length, 0);
  assert.ok(s.store.current, 'the session survives the crash');
  const putsBeforeResume = s.fake.uploadChunks().length;
  const requestsBeforeResume = s.fake.requests.length;

  const video = await uploadVideo(s.options());
  assertUploadedOnce(s, video.id);
  assert.equal(initiations(s.fake).length, 1, 'no second session: the stored one is resumed');
  const resumed = s.fake.requests.slice(requestsBeforeResume);
  assert.equal(resumed[0]!.headers['content-range'], `bytes */${FILE_BYTES}`, 'the resume starts by asking the server where it stands');
  const resumedChunks = s.fake.uploadChunks().slice(putsBeforeResume);
  assert.equal(resumedChunks[0]!.first, 5 * UPLOAD_CHUNK_UNIT, 'the first resumed chunk starts after what the server holds');
  const sentTotal = s.fake.uploadChunks().reduce((n, c) => n + c.bytes, 0);
  assert.equal(sentTotal, FILE_BYTES, 'no byte was sent twice');
});

test('a stored session whose upload already completed returns the video without sending bytes again', async (t) => {
  const s = await setup(t);
  const first = await uploadVideo(s.options());
  const finished = s.store.saves[0]!.session;
  const replay = recordingStore(s.fake, finished);
  const chunksBefore = s.fake.uploadChunks().length;
  const again = await uploadVideo(s.options({ sessions: replay }));
  assert.equal(again.id, first.id);
  assert.equal(s.fake.videos.length, 1, 'still one video');
  assert.equal(s.fake.uploadChunks().length, chunksBefore, 'no bytes sent');
  assert.equal(statusQueries(s.fake).length, 1);
  assert.equal(replay.current, undefined);
});

test('a stored session for another file (different sha256) is dropped, not resumed', async (t) => {
  const s = await setup(t);
  const other = recordingStore(s.fake, { uri: `${s.fake.url}/upload/youtube/v3/videos?uploadType=resumable&upload_id=stale`, totalBytes: FILE_BYTES, sha256: '0'.repeat(64), createdAt: '2024-01-01T00:00:00Z' });
  const video = await uploadVideo(s.options({ sessions: other }));
  assert.equal(s.fake.videos.length, 1);
  assert.equal(s.fake.videos[0]!.id, video.id);
  assert.equal(s.fake.videos[0]!.sha256, s.file.sha256);
  assert.equal(statusQueries(s.fake).length, 0, 'the stale session is never asked');
  assert.ok(s.fake.requests.every((r) => r.query.upload_id !== 'stale'));
});

test('failures without progress stop after maxRetries, retryable, with the session kept', async (t) => {
  const s = await setup(t);
  let armed = false;
  await assert.rejects(uploadVideo(s.options({
    maxRetries: 3,
    onProgress: (sent) => { if (!armed && sent >= UPLOAD_CHUNK_UNIT) { armed = true; s.fake.failNext(503, 50); } },
  })), (err: FacelessError) => err.code === 'PROVIDER_UNAVAILABLE' && err.retryable && /HTTP 503 backendError/.test(err.message));
  assert.deepEqual(s.sleeps, [750, 1500, 3000]);
  assert.ok(s.store.current);
  assert.equal(s.fake.videos.length, 0);
});

test('an unreachable server is a retryable PROVIDER_UNAVAILABLE that names the host', async (t) => {
  const s = await setup(t);
  await s.fake.close();
  await assert.rejects(uploadVideo(s.options({ maxRetries: 1 })), (err: FacelessError) => err.code === 'PROVIDER_UNAVAILABLE' && err.retryable && err.message.includes(new URL(s.fake.url).host));
  assert.equal(s.sleeps.length, 1);
});

test('nextByteFromRange reads bytes=0-N and refuses ranges that do not fit', () => {
  assert.equal(nextByteFromRange('bytes=0-262143', 1_000_000), 262_144);
  assert.equal(nextByteFromRange(null, 1_000_000), 0);
  assert.throws(() => nextByteFromRange('bytes=0-999999', 1000), (err: FacelessError) => err.code === 'PROVIDER_BAD_RESPONSE');
  assert.throws(() => nextByteFromRange('bytes=5-9', 1000), (err: FacelessError) => err.code === 'PROVIDER_BAD_RESPONSE');
});

test('a session forgotten again and again gives up after three replacements, with no video', async (t) => {
  const s = await setup(t);
  await assert.rejects(uploadVideo(s.options({
    onProgress: (sent) => { if (sent === UPLOAD_CHUNK_UNIT) s.fake.expireSession(410); },
  })), (err: FacelessError) => err.code === 'PROVIDER_UNAVAILABLE' && /forgot the upload session 4 times/.test(err.message));
  assert.equal(initiations(s.fake).length, 4);
  assert.equal(s.fake.videos.length, 0);
  assert.equal(s.store.current, undefined, 'no dead session is left in the store');
});

test('a 503 on the initiating POST is retried; the session saved is the one that worked', async (t) => {
  const s = await setup(t);
  s.fake.failNext(503, 1);
  const video = await uploadVideo(s.options());
  assertUploadedOnce(s, video.id);
  assert.equal(initiations(s.fake).length, 2);
  assert.equal(s.store.saves.length, 1);
  assert.deepEqual(s.sleeps, [750]);
});
