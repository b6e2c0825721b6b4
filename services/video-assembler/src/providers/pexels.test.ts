import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { FacelessError, ffprobe } from '@faceless/runtime';
import type { SegmentBrief, SegmentVisual, StockSession, VideoFrame } from '../visuals.ts';
import { startFakePexels } from './fake-pexels.ts';
import type { FakePexels } from './fake-pexels.ts';
import { chooseVideoFile, createPexelsSource, rateLimitWaitMs, searchQueries } from './pexels.ts';
import type { PexelsOptions } from './pexels.ts';

let root: string;
let fake: FakePexels;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'va-pexels-'));
  fake = await startFakePexels({ dir: root });
});

after(async () => {
  await fake.close();
  await rm(root, { recursive: true, force: true });
});

const PORTRAIT: VideoFrame = { aspect: '9:16', width: 1080, height: 1920 };

function brief(segment: number, keywords: string[], durationSec = 1.5): SegmentBrief {
  return { segment, heading: `Section ${segment}`, keywords, durationSec };
}

interface Session {
  session: StockSession;
  warnings: string[];
  cacheDir: string;
  controller: AbortController;
}

async function session(options: { frame?: VideoFrame; cacheDir?: string; source?: Partial<PexelsOptions> } = {}): Promise<Session> {
  const cacheDir = options.cacheDir ?? (await mkdtemp(join(root, 'cache-')));
  const warnings: string[] = [];
  const controller = new AbortController();
  const source = createPexelsSource({ apiKey: fake.apiKey, baseUrl: fake.url, cacheDir, retryBaseDelayMs: 1, ...options.source });
  return { session: source.session({ signal: controller.signal, warn: (m) => warnings.push(m), frame: options.frame ?? PORTRAIT }), warnings, cacheDir, controller };
}

function clip(visual: SegmentVisual | undefined): Extract<SegmentVisual, { kind: 'clip' }> {
  assert.ok(visual && visual.kind === 'clip', `a clip, got ${JSON.stringify(visual)}`);
  return visual;
}

/** Requests made while `fn` runs. */
async function counting<T>(fn: () => Promise<T>): Promise<{ value: T; searches: number; downloads: number }> {
  const searches = fake.searches().length;
  const downloads = fake.downloads().length;
  const value = await fn();
  return { value, searches: fake.searches().length - searches, downloads: fake.downloads().length - downloads };
}

test('searchQueries goes from all the keywords to fewer, then each later keyword alone', () => {
  assert.deepEqual(searchQueries(['octopus', 'heart', ' blue  blood ']), ['octopus heart blue blood', 'octopus heart', 'octopus', 'heart']);
  assert.deepEqual(searchQueries(['Ocean', 'ocean', '']), ['Ocean']);
  assert.deepEqual(searchQueries([]), []);
});

test('chooseVideoFile takes the smallest MP4 not much smaller than the output, at most 1080p when it can', () => {
  const file = (id: number, width: number | null, height: number | null, type = 'video/mp4') => ({ id, file_type: type, width, height, link: `x/${id}` });
  const files = [file(1, 2160, 3840), file(2, 1080, 1920), file(3, 540, 960), file(4, null, null, 'application/x-mpegURL'), file(5, 1080, 1920, 'video/webm')];
  assert.equal(chooseVideoFile(files, { width: 1080, height: 1920 })?.id, 2);
  assert.equal(chooseVideoFile(files, { width: 270, height: 480 })?.id, 3);
  assert.equal(chooseVideoFile(files, { width: 1920, height: 1080 })?.id, 2, 'a 1080p portrait file covers a 1080p landscape frame after the crop');
  assert.equal(chooseVideoFile([file(1, 2160, 3840), file(3, 540, 960)], { width: 1080, height: 1920 })?.id, 1, '540p is much smaller than 1080p');
  assert.equal(chooseVideoFile([file(3, 360, 640), file(6, 540, 960)], { width: 1080, height: 1920 })?.id, 6, 'all too small: the largest');
  assert.equal(chooseVideoFile([file(4, null, null, 'application/x-mpegURL')], { width: 1080, height: 1920 }), undefined);
});

test('rateLimitWaitMs reads Retry-After, else the X-Ratelimit-Reset timestamp', () => {
  const now = 1_700_000_000_000;
  assert.equal(rateLimitWaitMs(new Headers({ 'retry-after': '2' }), now), 2000);
  assert.equal(rateLimitWaitMs(new Headers({ 'x-ratelimit-reset': String(now / 1000 + 30) }), now), 30_000);
  assert.equal(rateLimitWaitMs(new Headers({ 'x-ratelimit-reset': String(now / 1000 - 5) }), now), 0);
  assert.equal(rateLimitWaitMs(new Headers(), now), undefined);
});

test('finds a clip by keywords in the video orientation, sends the key to the API only, caches it and credits the author', async () => {
  const s = await session();
  const before = fake.requests.length;
  const visual = clip(await s.session.find(brief(1, ['octopus', 'heart']), ['octopus', 'heart']));
  assert.equal(visual.source, 'pexels:2002');
  assert.equal(visual.credit, 'Video by Bo Tide on Pexels: https://www.pexels.com/video/octopus-heart-ocean-2002/');
  assert.equal(visual.path, join(s.cacheDir, '2002-20022.mp4'), 'the 1080p rendition, named by video and file id');
  const probe = await ffprobe(visual.path);
  assert.equal(probe.streams[0]?.codec_name, 'h264');
  assert.ok(Math.abs(visual.durationSec - 2) < 0.1, `clip lasts ${visual.durationSec}`);
  const [search, download, ...rest] = fake.requests.slice(before);
  assert.equal(rest.length, 0);
  assert.equal(search?.path, '/videos/search');
  assert.deepEqual(Object.fromEntries(search?.query ?? []), { query: 'octopus heart', orientation: 'portrait', per_page: '15' });
  assert.equal(search?.authorization, fake.apiKey);
  assert.equal(download?.path, '/video-files/2002/20022/octopus.mp4');
  assert.equal(download?.authorization, undefined, 'the key never goes to the file host');
  assert.deepEqual(s.warnings, []);

  for (const [frame, orientation, id] of [[{ aspect: '16:9', width: 480, height: 270 }, 'landscape', 'pexels:3001'], [{ aspect: '1:1', width: 270, height: 270 }, 'square', 'pexels:4001']] as const) {
    const other = await session({ frame });
    assert.equal(clip(await other.session.find(brief(1, ['octopus']), ['octopus'])).source, id);
    assert.equal(fake.searches().at(-1)?.query.get('orientation'), orientation);
  }
});

test('never the same clip twice in a video; fewer words when the specific search is used up', async () => {
  const s = await session();
  const sources: (string | undefined)[] = [];
  const before = fake.searches().length;
  for (let i = 0; i < 3; i++) sources.push((await s.session.find(brief(i, ['octopus', 'heart']), ['octopus', 'heart']))?.source);
  // "octopus heart" has one clip, "octopus" alone 2001 and 2002, "heart" alone 2002 only: then none is left.
  assert.deepEqual(sources, ['pexels:2002', 'pexels:2001', undefined]);
  assert.deepEqual(s.warnings, [], 'running out of clips is not worth a warning: the next visual takes over');
  // Each search is asked once: the later segments read the answers from the cache.
  assert.deepEqual(fake.searches().slice(before).map((r) => r.query.get('query')), ['octopus heart', 'octopus', 'heart']);
});

test('a second video reuses the cached search and file: no request at all', async () => {
  const cacheDir = await mkdtemp(join(root, 'shared-cache-'));
  const first = await counting(async () => clip(await (await session({ cacheDir })).session.find(brief(1, ['ocean', 'waves']), ['ocean', 'waves'])));
  assert.deepEqual([first.searches, first.downloads], [1, 1]);
  const second = await counting(async () => clip(await (await session({ cacheDir })).session.find(brief(1, ['ocean', 'waves']), ['ocean', 'waves'])));
  assert.deepEqual([second.searches, second.downloads], [0, 0]);
  assert.equal(second.value.path, first.value.path);
  // With the search answer expired, the search is asked again but the file is not downloaded again.
  const third = await counting(async () => clip(await (await session({ cacheDir, source: { searchTtlMs: 0 } })).session.find(brief(1, ['ocean', 'waves']), ['ocean', 'waves'])));
  assert.deepEqual([third.searches, third.downloads], [1, 0]);
  assert.deepEqual((await readdir(cacheDir)).sort(), ['2003-20032.mp4', 'search']);
});

test('prefers a clip as long as the segment; a shorter one only when nothing else is left', async () => {
  const s = await session();
  // "blue" finds 2004 (1 s) before 2005 (2 s): the segment lasts 1.5 s, so 2005 comes first.
  assert.equal(clip(await s.session.find(brief(1, ['blue']), ['blue'])).source, 'pexels:2005');
  const short = clip(await s.session.find(brief(2, ['blue']), ['blue']));
  assert.equal(short.source, 'pexels:2004');
  assert.ok(short.durationSec < 1.4, `the short clip lasts ${short.durationSec} s and is looped by the renderer`);
});

test('a truncated download is deleted, named in a warning and replaced by another clip', async (t) => {
  fake.truncate(2002);
  t.after(() => fake.truncate());
  const s = await session();
  const visual = clip(await s.session.find(brief(1, ['octopus', 'heart']), ['octopus', 'heart']));
  assert.equal(visual.source, 'pexels:2001');
  assert.equal(s.warnings.length, 1, s.warnings.join('\n'));
  assert.match(s.warnings[0] ?? '', /2002-20022\.mp4: it is corrupt or truncated/);
  const files = await readdir(s.cacheDir);
  assert.deepEqual(files.sort(), ['2001-20012.mp4', 'search'], 'no broken or partial file is left in the cache');
  // A corrupt file found in the cache is thrown away and downloaded again.
  await writeFile(join(s.cacheDir, '2003-20032.mp4'), 'not a video');
  const again = await counting(async () => clip(await s.session.find(brief(2, ['waves']), ['waves'])));
  assert.equal(again.value.source, 'pexels:2003');
  assert.equal(again.downloads, 1);
  assert.ok((await ffprobe(again.value.path)).streams.length > 0);
});

test('a bad key, an exhausted quota and an outage fall back with a warning and stop asking for this video', async (t) => {
  t.after(() => fake.fail(undefined));
  const cases = [
    { name: 'bad key', setup: () => fake.fail(undefined), source: { apiKey: 'wrong-key-0123456789' }, code: 'PROVIDER_AUTH', text: /PEXELS_API_KEY/, searches: 1 },
    { name: 'forbidden', setup: () => fake.fail({ status: 403 }), source: {}, code: 'PROVIDER_AUTH', text: /HTTP 403.*PEXELS_API_KEY/, searches: 1 },
    { name: 'quota', setup: () => fake.fail({ status: 429, resetInSec: 3600 }), source: {}, code: 'PROVIDER_RATE_LIMITED', text: /resets in 3\d{3} s/, searches: 1 },
    { name: 'outage', setup: () => fake.fail({ status: 503 }), source: {}, code: 'PROVIDER_UNAVAILABLE', text: /HTTP 503/, searches: 3 },
    { name: 'unreachable', setup: () => fake.fail(undefined), source: { baseUrl: 'http://127.0.0.1:9', attempts: 2 }, code: 'PROVIDER_UNAVAILABLE', text: /could not reach Pexels.*PEXELS_API_URL/, searches: 0 },
  ];
  for (const c of cases) {
    c.setup();
    const s = await session({ source: c.source });
    const first = await counting(() => s.session.find(brief(1, ['octopus']), ['octopus']));
    assert.equal(first.value, undefined, c.name);
    assert.equal(first.searches, c.searches, `${c.name}: searches`);
    assert.equal(s.warnings.length, 1, `${c.name}: ${s.warnings.join('\n')}`);
    assert.ok(s.warnings[0]?.includes(`[${c.code}]`), `${c.name}: ${s.warnings[0]}`);
    assert.match(s.warnings[0] ?? '', c.text);
    assert.ok(!s.warnings[0]?.includes(fake.apiKey) && !s.warnings[0]?.includes('wrong-key'), 'the key is never in a warning');
    fake.fail(undefined);
    const next = await counting(() => s.session.find(brief(2, ['ocean']), ['ocean']));
    assert.equal(next.value, undefined, `${c.name}: stopped for this video`);
    assert.equal(next.searches, 0);
  }
});

test('a rate limit that resets within a second is waited out; a single 503 is retried', async (t) => {
  t.after(() => fake.fail(undefined));
  fake.fail({ status: 429, resetInSec: 0.5 }, 1);
  const limited = await session();
  const waited = await counting(() => limited.session.find(brief(1, ['octopus']), ['octopus']));
  assert.equal(clip(waited.value).source, 'pexels:2001');
  assert.equal(waited.searches, 2);
  const [limitedAt, retriedAt] = fake.searches().slice(-2).map((r) => r.at);
  const gap = (retriedAt ?? 0) - (limitedAt ?? 0);
  assert.ok(gap >= 200 && gap < 2500, `retried ${gap} ms after the 429, when the limit reset`);
  assert.deepEqual(limited.warnings, []);

  fake.fail({ status: 503 }, 1);
  const flaky = await session();
  const retried = await counting(() => flaky.session.find(brief(1, ['octopus']), ['octopus']));
  assert.equal(clip(retried.value).source, 'pexels:2001');
  assert.equal(retried.searches, 2);
  assert.deepEqual(flaky.warnings, []);
});

test('a body that is not JSON skips that segment only, with a warning', async (t) => {
  t.after(() => fake.fail(undefined));
  fake.fail({ status: 200, badJson: true }, 1);
  const s = await session();
  assert.equal(await s.session.find(brief(1, ['octopus']), ['octopus']), undefined);
  assert.equal(s.warnings.length, 1);
  assert.match(s.warnings[0] ?? '', /not JSON \[PROVIDER_BAD_RESPONSE\]; segment 1/);
  assert.equal(clip(await s.session.find(brief(2, ['ocean', 'waves']), ['ocean', 'waves'])).source, 'pexels:2003');
});

test('a cancelled video stops the search with CANCELLED', async () => {
  const s = await session();
  s.controller.abort();
  await assert.rejects(s.session.find(brief(1, ['octopus']), ['octopus']), (err: unknown) => {
    assert.ok(err instanceof FacelessError);
    assert.equal(err.code, 'CANCELLED');
    return true;
  });
});
