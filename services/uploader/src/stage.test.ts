import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FolderStore } from '@faceless/infra';
import { createLogger, FacelessError, type StageContext } from '@faceless/runtime';
import { createStage, createUploaderStage, LocalChannelTarget, localVideoId, readUploaderConfig } from './index.ts';
import { checkVideo } from './publish-checks.ts';
import { SlotBook } from './slot-book.ts';

const root = await mkdtemp(join(tmpdir(), 'uploader-test-'));
after(() => rm(root, { recursive: true, force: true }));

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(200)]);
const VIDEO = randomBytes(300_000);
const META = {
  title: 'Why cats purr',
  description: 'All about purring.\n\n0:00 Intro\n0:20 Science\n0:40 Myths',
  tags: ['cats', 'cat facts', 'purring'],
  hashtags: ['#cats'],
  chapters: [],
  categoryId: '15',
  defaultLanguage: 'en',
};

let n = 0;
/** A fresh object store and channel folder with a video and thumbnail in it. */
async function setup(): Promise<{ store: FolderStore; channels: string; ctx: StageContext }> {
  const dir = join(root, `case-${++n}`);
  const store = new FolderStore(join(dir, 'store'));
  await store.putBytes('run/video.mp4', VIDEO);
  await store.putBytes('run/thumbnail.png', PNG);
  const ctx: StageContext = {
    store,
    log: createLogger({ level: 'error' }),
    signal: new AbortController().signal,
    progress: () => {},
    workDir: await mkdtemp(join(dir, 'work-')),
  };
  return { store, channels: join(dir, 'channels'), ctx };
}

function input(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { outputPrefix: 'run/', pipelineId: 'pipe-1', videoPath: 'run/video.mp4', thumbnailPath: 'run/thumbnail.png', metadata: META, ...extra };
}

function stageAt(channels: string, now: string, slots = ['15:00']) {
  return createUploaderStage({ targetFor: () => new LocalChannelTarget(channels), slots, leadMinutes: 60, now: () => new Date(now) });
}

async function rejectsWith(p: Promise<unknown>, code: string, field: string): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof FacelessError, String(err));
    assert.equal(err.code, code, err.message);
    assert.equal(err.field, field, err.message);
    return true;
  });
}

test('publishes a record into the channel folder and the object store, on the next free slot', async () => {
  const { store, channels, ctx } = await setup();
  const out = await stageAt(channels, '2025-03-10T08:00:00Z').execute(input(), ctx);
  const videoId = localVideoId('pipe-1');
  assert.match(videoId, /^local-[A-Za-z0-9_-]{11}$/);
  assert.deepEqual(out, { target: 'local', channel: 'local', videoId, recordPath: 'run/publish-record.json', publishAt: '2025-03-10T15:00:00.000Z', privacyStatus: 'private' });

  const record = JSON.parse(await readFile(join(channels, 'local', `${videoId}.json`), 'utf8')) as Record<string, unknown>;
  assert.deepEqual({ ...record, createdAt: undefined }, {
    videoId,
    pipelineId: 'pipe-1',
    channel: 'local',
    title: META.title,
    description: META.description,
    tags: META.tags,
    categoryId: '15',
    privacyStatus: 'private',
    publishAt: '2025-03-10T15:00:00.000Z',
    madeForKids: false,
    containsSyntheticMedia: true,
    video: { key: 'run/video.mp4', bytes: VIDEO.length, sha256: createHash('sha256').update(VIDEO).digest('hex') },
    thumbnail: { key: 'run/thumbnail.png', bytes: PNG.length },
    videoLocation: store.localPath('run/video.mp4'),
    createdAt: undefined,
  });
  assert.ok(!Number.isNaN(Date.parse(String(record.createdAt))));
  assert.deepEqual(JSON.parse((await store.getBytes('run/publish-record.json')).toString('utf8')), record);
  // Nothing big is copied: the channel folder holds one small JSON file.
  assert.deepEqual(await readdir(join(channels, 'local')), [`${videoId}.json`]);
});

test('publishing the same pipeline again returns the existing record, even later and from a new stage', async () => {
  const { store, channels, ctx } = await setup();
  const first = await stageAt(channels, '2025-03-10T08:00:00Z').execute(input(), ctx);
  const file = join(channels, 'local', `${first.videoId}.json`);
  const before = await readFile(file, 'utf8');
  const again = await stageAt(channels, '2025-03-12T20:00:00Z').execute(input({ metadata: { ...META, title: 'Another title' } }), ctx);
  assert.deepEqual(again, first);
  assert.equal(await readFile(file, 'utf8'), before);
  assert.equal((await readdir(join(channels, 'local'))).length, 1);

  // A run that stopped after the channel record but before the store copy gets the copy back.
  await store.delete('run/publish-record.json');
  assert.deepEqual(await stageAt(channels, '2025-03-12T20:00:00Z').execute(input(), ctx), first);
  assert.equal((await store.getBytes('run/publish-record.json')).toString('utf8'), before);
});

test('two runs of one pipeline at the same time publish once', async () => {
  const { channels, ctx } = await setup();
  const stage = stageAt(channels, '2025-03-10T08:00:00Z');
  const other = stageAt(channels, '2025-03-10T08:00:00Z');
  const outs = await Promise.all([stage.execute(input(), ctx), stage.execute(input(), ctx), other.execute(input(), ctx)]);
  assert.deepEqual(outs[1], outs[0]);
  assert.deepEqual(outs[2], outs[0]);
  assert.equal((await readdir(join(channels, 'local'))).filter((f) => f.endsWith('.json')).length, 1);
});

test('other pipelines on the channel take the following free slots', async () => {
  const { channels, ctx } = await setup();
  const stage = stageAt(channels, '2025-03-10T08:00:00Z', ['09:30', '15:00']);
  const a = await stage.execute(input({ pipelineId: 'a' }), ctx);
  const [b, c] = await Promise.all([stage.execute(input({ pipelineId: 'b' }), ctx), stage.execute(input({ pipelineId: 'c' }), ctx)]);
  // 08:00 + 1 h lead: 09:30 today first.
  assert.equal(a.publishAt, '2025-03-10T09:30:00.000Z');
  assert.deepEqual([b.publishAt, c.publishAt].sort(), ['2025-03-10T15:00:00.000Z', '2025-03-11T09:30:00.000Z']);
  assert.equal(new Set([a.videoId, b.videoId, c.videoId]).size, 3);
  // Another channel has its own slots.
  const d = await stage.execute(input({ pipelineId: 'd', channel: 'second' }), ctx);
  assert.equal(d.publishAt, '2025-03-10T09:30:00.000Z');
});

test('an explicit publishAt is kept, in UTC', async () => {
  const { channels, ctx } = await setup();
  const out = await stageAt(channels, '2025-03-10T08:00:00Z').execute(input({ publishAt: '2025-04-01T10:00:00+02:00' }), ctx);
  assert.equal(out.publishAt, '2025-04-01T08:00:00.000Z');
  await rejectsWith(
    stageAt(channels, '2025-03-10T08:00:00Z').execute(input({ pipelineId: 'p2', publishAt: '2025-04-01T10:00:00Z', privacyStatus: 'public' }), ctx),
    'INVALID_INPUT', 'publishAt',
  );
});

test('channel names are validated and must be configured', async () => {
  const { channels, ctx } = await setup();
  const stage = createStage({ env: { LOCAL_CHANNEL_DIR: channels, LOCAL_CHANNELS: 'cooking, my_channel-2', FACELESS_DATA_DIR: join(channels, '..', 'data') } });
  await rejectsWith(stage.execute(input({ channel: 'My Channel' }), ctx), 'INVALID_INPUT', 'channel');
  await rejectsWith(stage.execute(input({ channel: '../escape' }), ctx), 'INVALID_INPUT', 'channel');
  await rejectsWith(stage.execute(input({ channel: 'x'.repeat(65) }), ctx), 'INVALID_INPUT', 'channel');
  // Neither a local channel nor an authorized YouTube channel.
  await rejectsWith(stage.execute(input({ channel: 'gaming' }), ctx), 'NOT_FOUND', 'channel');
  await assert.rejects(stage.execute(input({ channel: 'gaming' }), ctx), /faceless channels add gaming.*LOCAL_CHANNELS/);
  const out = await stage.execute(input({ channel: 'my_channel-2' }), ctx);
  assert.equal(out.target, 'local');
  assert.deepEqual((await readdir(channels)).filter((n) => !n.startsWith('.')), ['my_channel-2'], 'one folder per channel (and the hidden slot book)');
});

test('what YouTube would refuse is refused before anything is written', async () => {
  const { store, channels, ctx } = await setup();
  const stage = stageAt(channels, '2025-03-10T08:00:00Z');
  await rejectsWith(stage.execute(input({ videoPath: 'run/missing.mp4' }), ctx), 'NOT_FOUND', 'videoPath');
  await rejectsWith(stage.execute(input({ thumbnailPath: 'run/missing.png' }), ctx), 'NOT_FOUND', 'thumbnailPath');
  await store.putBytes('run/thumb.gif', Buffer.from('GIF89a....'));
  await rejectsWith(stage.execute(input({ thumbnailPath: 'run/thumb.gif' }), ctx), 'INVALID_INPUT', 'thumbnailPath');
  await store.putBytes('run/big.png', Buffer.concat([PNG, Buffer.alloc(2 * 1024 * 1024)]));
  await rejectsWith(stage.execute(input({ thumbnailPath: 'run/big.png' }), ctx), 'LIMIT_EXCEEDED', 'thumbnailPath');
  await rejectsWith(stage.execute(input({ metadata: { ...META, title: 'Cats <3' } }), ctx), 'LIMIT_EXCEEDED', 'metadata.title');
  await rejectsWith(stage.execute(input({ metadata: { ...META, description: 'ü'.repeat(2501) } }), ctx), 'LIMIT_EXCEEDED', 'metadata.description');
  await rejectsWith(stage.execute(input({ metadata: { ...META, tags: Array.from({ length: 60 }, (_, i) => `cat tag ${i}`) } }), ctx), 'LIMIT_EXCEEDED', 'metadata.tags');
  await assert.rejects(readdir(channels), { code: 'ENOENT' });
  assert.equal(await store.exists('run/publish-record.json'), false);
});

test('a video over 256 GB is refused', async () => {
  const huge = {
    exists: () => Promise.resolve(true),
    size: () => Promise.resolve(256 * 1024 ** 3 + 1),
    describe: (key: string) => key,
  };
  await rejectsWith(checkVideo(huge, 'v.mp4'), 'LIMIT_EXCEEDED', 'videoPath');
  assert.deepEqual(await checkVideo({ ...huge, size: () => Promise.resolve(256 * 1024 ** 3) }, 'v.mp4'), { bytes: 256 * 1024 ** 3 });
});

test('the configuration has working defaults and names every bad variable at once', () => {
  const c = readUploaderConfig({});
  assert.match(c.localChannelDir, /\.faceless[/\\]channels$/);
  assert.deepEqual([...c.localChannels], ['local']);
  assert.deepEqual(c.slots, ['15:00']);
  assert.equal(c.leadMinutes, 60);
  assert.deepEqual(readUploaderConfig({ PUBLISH_SLOTS: '09:00, 18:30', LOCAL_CHANNEL_DIR: '~/x', PUBLISH_LEAD_MINUTES: '' }).slots, ['09:00', '18:30']);
  assert.throws(
    () => readUploaderConfig({ PUBLISH_SLOTS: '25:00', LOCAL_CHANNELS: 'Bad Name', PUBLISH_LEAD_MINUTES: 'soon' }),
    (err: unknown) => err instanceof FacelessError && err.code === 'INVALID_OPTION'
      && /PUBLISH_SLOTS/.test(err.message) && /LOCAL_CHANNELS/.test(err.message) && /PUBLISH_LEAD_MINUTES/.test(err.message),
  );
});

test('runs publishing at once from separate processes reserve different slots; a rerun keeps its own', async () => {
  const { channels, ctx } = await setup();
  // Separate stage instances share nothing in memory, like two "faceless make --publish" processes.
  const now = '2026-03-10T08:00:00Z';
  const outs = await Promise.all(['pipe-a', 'pipe-b', 'pipe-c'].map((pipelineId) =>
    stageAt(channels, now, ['15:00']).execute(input({ pipelineId, outputPrefix: `${pipelineId}/`, channel: 'local' }), ctx)));
  assert.deepEqual(outs.map((o) => o.publishAt).sort(), ['2026-03-10T15:00:00.000Z', '2026-03-11T15:00:00.000Z', '2026-03-12T15:00:00.000Z']);

  // A run that reserved a slot and died before publishing gets the same slot back.
  const book = new SlotBook(join(channels, '.slots'));
  const first = await book.reserve({ channel: 'local', pipelineId: 'pipe-d', now: new Date(now), planned: () => Promise.resolve([]), choose: () => new Date('2026-03-20T15:00:00Z') });
  const out = await stageAt(channels, now, ['15:00']).execute(input({ pipelineId: 'pipe-d', outputPrefix: 'pipe-d/', channel: 'local' }), ctx);
  assert.equal(out.publishAt, first.toISOString());
});

test('a damaged slot book is a CONFLICT naming the file, and nothing is published', async () => {
  const { channels, ctx } = await setup();
  const book = new SlotBook(join(channels, '.slots'));
  await mkdir(book.dir, { recursive: true });
  await writeFile(book.file('local'), '{"reservations": [');
  await assert.rejects(stageAt(channels, '2026-03-10T08:00:00Z').execute(input({ channel: 'local' }), ctx), (err: unknown) => {
    assert.ok(err instanceof FacelessError);
    assert.equal(err.code, 'CONFLICT');
    assert.match(err.message, /\.slots\/local\.json are damaged: move the file away/);
    return true;
  });
  assert.deepEqual(await readdir(join(channels, 'local')).catch(() => []), []);
});
