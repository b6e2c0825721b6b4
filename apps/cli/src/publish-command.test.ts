import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openYouTubeStateFromEnv } from '@faceless/youtube';
import { startFakeGoogle, type FakeGoogle, type FakeGoogleOAuth, type FakeYouTube } from '@faceless/youtube/testing';
import { channelsCommand } from './channels-command.ts';
import { readCliConfig } from './config.ts';
import { UsageError } from './make-options.ts';
import { publishCommand } from './publish-command.ts';

let fake: FakeGoogle;
let google: FakeGoogleOAuth;
let youtube: FakeYouTube;
let root: string;
let env: Record<string, string>;
const VIDEO = randomBytes(700_000);
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(3_000)]);

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'faceless-publish-'));
  fake = await startFakeGoogle({ dataDir: join(root, 'data') });
  ({ google, youtube } = fake);
  env = { ...fake.env, LOG_LEVEL: 'error' };
});
after(async () => {
  await fake.close();
  await rm(root, { recursive: true, force: true });
});

function io() {
  const lines: string[] = [];
  return {
    lines,
    write: (t: string) => { lines.push(t); },
    note: (t: string) => { lines.push(t); },
    signal: new AbortController().signal,
    openBrowser: (url: string) => { google.approve(url).catch(() => {}); },
  };
}

/** An output folder as "faceless make" leaves it: the checkpoint and the files it names. */
async function madeRun(name: string): Promise<string> {
  const dir = join(root, name);
  await mkdir(join(dir, 'thumbnails'), { recursive: true });
  await writeFile(join(dir, 'video.mp4'), VIDEO);
  await writeFile(join(dir, 'thumbnails', 'thumb-1.jpg'), JPEG);
  const done = (output: unknown) => ({ status: 'completed', output, startedAt: '2026-11-25T10:00:00Z', finishedAt: '2026-11-25T10:01:00Z', attempts: 1 });
  const outputs = {
    video: { videoPath: 'video.mp4', durationSec: 3, width: 1080, height: 1920, visuals: [], credits: [] },
    thumbnail: { thumbnailPath: 'thumbnails/thumb-1.jpg', variants: [] },
    metadata: {
      provider: 'rules', metadataPath: 'metadata.json',
      metadata: { title: `Published ${name}`, titleAlternatives: [], description: 'About octopuses.', tags: ['octopus'], hashtags: [], chapters: [], categoryId: '27', defaultLanguage: 'en' },
    },
  };
  const checkpoint = {
    version: 1, pipelineId: `pipe-${name}`, outputPrefix: '', state: 'Completed', runs: 1, eventSeq: 9, startedPublished: true,
    request: { topic: 'octopuses', lang: 'en', durationSec: 60, aspect: '9:16', channel: 'local', captionStyle: 'highlight', music: true },
    stages: Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, done(v)])),
  };
  await writeFile(join(dir, 'pipeline.json'), JSON.stringify(checkpoint));
  return dir;
}

test('channels add runs the consent flow and stores the channel; publish uploads once, however often it runs', async () => {
  const add = io();
  assert.equal(await channelsCommand(['add', 'science', '--slots', '10:00,18:00', '--category', '28'], env, add), 0);
  assert.match(add.lines.join(''), /accounts|oauth|http:\/\/127\.0\.0\.1/i, 'the consent URL was shown');
  assert.match(add.lines.join(''), /✓ channel science added/);
  // Stored in the database (PGlite under FACELESS_DATA_DIR here), the refresh token encrypted; no channel file.
  const state = await openYouTubeStateFromEnv(env);
  try {
    const stored = await state.channels.get('science');
    assert.deepEqual(stored.defaults.slots, ['10:00', '18:00']);
    assert.equal(stored.defaults.categoryId, '28');
    assert.equal(stored.refreshToken.alg, 'aes-256-gcm', 'the refresh token is stored encrypted');
  } finally {
    await state.close();
  }
  assert.equal(existsSync(join(root, 'data', 'youtube', 'channels')), false, 'no channel file is written');

  const list = io();
  assert.equal(await channelsCommand(['list'], env, list), 0);
  assert.match(list.lines.join(''), /science .*testing .*slots 10:00,18:00 UTC, private, category 28/);

  const dir = await madeRun('first');
  const out = io();
  const deps = { config: readCliConfig(env), env, write: out.write, signal: out.signal };
  const published = await publishCommand([dir, '--channel', 'science'], deps);
  assert.equal(published.target, 'youtube');
  const mine = youtube.videos.filter((v) => v.snippet.title === 'Published first');
  assert.equal(mine.length, 1);
  assert.equal(mine[0]?.sha256, createHash('sha256').update(VIDEO).digest('hex'));
  assert.equal(mine[0]?.snippet.categoryId, '28');
  assert.match(String(mine[0]?.status.publishAt), /T(10|18):00:00/);
  assert.match(out.lines.join(''), /100%/);

  const again = await publishCommand([dir, '--channel', 'science'], deps);
  assert.deepEqual(again, published);
  assert.equal(youtube.videos.filter((v) => v.snippet.title === 'Published first').length, 1, 'no second video');
});

test('publish refuses what it cannot do, before anything is sent', async () => {
  const dir = await madeRun('refused');
  const out = io();
  const deps = { config: readCliConfig(env), env, write: out.write, signal: out.signal };
  const before = youtube.requests.length;
  const usage = async (argv: string[], option: string, pattern: RegExp) => {
    await assert.rejects(publishCommand(argv, deps), (err: unknown) => {
      assert.ok(err instanceof UsageError, String(err));
      assert.equal(err.option, option);
      assert.match(err.message, pattern);
      return true;
    });
  };
  await usage([dir, '--channel', 'nobody'], '--channel', /faceless channels add nobody/);
  await usage([dir], '--channel', /missing/);
  await usage([join(root, 'nothing-here'), '--channel', 'science'], '<out-dir>', /no faceless run/);
  await usage([dir, '--channel', 'science', '--privacy', 'secret'], '--privacy', /private, unlisted or public/);
  await usage([dir, '--channel', 'science', '--at', 'tomorrow'], '--at', /ISO 8601/);
  assert.equal(youtube.requests.length, before);
});

test('channels add checks its options and credentials before opening the browser', async () => {
  const add = io();
  await assert.rejects(channelsCommand(['add', 'x', '--slots', '25:00'], env, add), /--slots/);
  await assert.rejects(channelsCommand(['add', 'Bad Name'], env, add), /a-z 0-9/);
  await assert.rejects(channelsCommand(['add', 'x'], { ...env, FACELESS_SECRET_KEY: '' }, add), /FACELESS_SECRET_KEY/);
  await assert.rejects(channelsCommand(['add', 'x'], { ...env, GOOGLE_CLIENT_ID: '' }, add), /GOOGLE_CLIENT_ID/);
  assert.equal(google.counters.authorizations, 1, 'only the first test\'s consent happened');
});
