import assert from 'node:assert/strict';
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { PipelineRequest, STAGES, type PipelineRequest as Request } from '@faceless/contracts';
import { FolderStore, MemoryEventBus, MemoryEventHistory } from '@faceless/infra';
import type { FacelessError } from '@faceless/runtime';
import { FAKE_STAGE_OUTPUTS } from './fake-stage-outputs.ts';
import { FolderCheckpointStore } from './folder-checkpoint-store.ts';
import { InProcessPipelineQueue } from './in-process-queue.ts';
import { confineServerPaths, parseMediaRoots } from './media-roots.ts';
import { buildOrchestratorApp, type OrchestratorAppOptions, type PipelineArtifacts } from './orchestrator-app.ts';
import { newCheckpoint, type PipelineCheckpoint, type StageRecord } from './pipeline-runner.ts';
import type { StageClient } from './stage-client.ts';

const base = await realpath(await mkdtemp(join(tmpdir(), 'faceless-orch-app-')));
const roots = { media: join(base, 'media'), music: join(base, 'music'), secret: join(base, 'secret') };
for (const dir of Object.values(roots)) await mkdir(join(dir, 'sub'), { recursive: true });
await writeFile(join(roots.media, 'clip.mp4'), 'not a folder');
await symlink(roots.secret, join(roots.media, 'escape'));
await symlink(join(roots.media, 'sub'), join(base, 'link-to-media'));

after(() => rm(base, { recursive: true, force: true }));

function app(options: Partial<OrchestratorAppOptions> = {}) {
  const checkpoints = new FolderCheckpointStore<PipelineCheckpoint>(join(base, 'pipelines'));
  const queued: string[] = [];
  const built = buildOrchestratorApp({
    queue: { enqueue: (id) => { queued.push(id); return Promise.resolve(); }, cancel: () => Promise.resolve('dequeued'),
      review: () => Promise.resolve('Queued'), ping: () => Promise.resolve(true),
    },
    checkpoints, history: new MemoryEventHistory(), logger: false, ...options,
  });
  return { app: built, checkpoints, queued };
}

const request = (extra: Partial<Request>): Request => PipelineRequest.parse({ topic: 'octopuses', ...extra });

test('MEDIA_ROOTS: absolute folders, comma-separated; a relative one is refused naming the variable', () => {
  assert.deepEqual(parseMediaRoots(undefined), []);
  assert.deepEqual(parseMediaRoots(' '), []);
  assert.deepEqual(parseMediaRoots('/srv/media, /srv/music,'), ['/srv/media', '/srv/music']);
  assert.throws(() => parseMediaRoots('/srv/media,media'), (err: FacelessError) => err.code === 'INVALID_OPTION' && err.field === 'MEDIA_ROOTS' && /"media" is relative/.test(err.message));
});

test('a server folder is accepted inside a root (resolved), refused outside, through .., through a symlink, or when not a folder', async () => {
  const rootsList = [roots.media, roots.music];
  assert.deepEqual(await confineServerPaths(request({}), []), request({}), 'no folder named: nothing to check');
  assert.equal((await confineServerPaths(request({ mediaDir: roots.media }), rootsList)).mediaDir, roots.media);
  const both = await confineServerPaths(request({ mediaDir: `${roots.music}/../media/sub/.`, musicDir: join(base, 'link-to-media') }), rootsList);
  assert.deepEqual([both.mediaDir, both.musicDir], [join(roots.media, 'sub'), join(roots.media, 'sub')], 'resolved to the real folders');
  const refused: [Partial<Request>, string][] = [
    [{ mediaDir: roots.secret }, 'mediaDir'],
    [{ mediaDir: `${roots.media}/../secret` }, 'mediaDir'],
    [{ mediaDir: join(roots.media, 'escape') }, 'mediaDir'],
    [{ musicDir: join(roots.media, 'escape', 'sub') }, 'musicDir'],
    [{ musicDir: join(roots.media, 'clip.mp4') }, 'musicDir'],
    [{ musicDir: join(roots.media, 'missing') }, 'musicDir'],
    [{ mediaDir: 'media' }, 'mediaDir'],
    [{ mediaDir: `${roots.media}-evil` }, 'mediaDir'],
    [{ mediaDir: '/' }, 'mediaDir'],
  ];
  for (const [extra, field] of refused) {
    await assert.rejects(confineServerPaths(request(extra), rootsList), (err: FacelessError) =>
      err.code === 'INVALID_INPUT' && err.field === field && /MEDIA_ROOTS/.test(err.message) && !err.message.includes(roots.music), JSON.stringify(extra));
  }
  await assert.rejects(confineServerPaths(request({ musicDir: roots.music }), []), (err: FacelessError) =>
    err.code === 'INVALID_INPUT' && err.field === 'musicDir' && /set MEDIA_ROOTS on the server/.test(err.message));
});

test('POST /pipelines/start: 400 naming mediaDir/musicDir outside MEDIA_ROOTS (none by default); inside, the resolved folder is kept', async () => {
  const none = app();
  const refused = await none.app.inject({ method: 'POST', url: '/pipelines/start', payload: { topic: 'x', mediaDir: roots.media } });
  assert.equal(refused.statusCode, 400);
  const error = refused.json<{ error: { code: string; field: string; message: string } }>().error;
  assert.deepEqual([error.code, error.field], ['INVALID_INPUT', 'mediaDir']);
  assert.match(error.message, /MEDIA_ROOTS/);
  assert.deepEqual(none.queued, [], 'nothing saved or queued');

  const some = app({ mediaRoots: [roots.media] });
  const outside = await some.app.inject({ method: 'POST', url: '/pipelines/start', payload: { topic: 'x', musicDir: roots.music } });
  assert.deepEqual([outside.statusCode, outside.json<{ error: { field: string } }>().error.field], [400, 'musicDir']);
  const ok = await some.app.inject({ method: 'POST', url: '/pipelines/start', payload: { topic: 'x', mediaDir: `${roots.media}/sub/..` } });
  assert.equal(ok.statusCode, 202, ok.body);
  const { pipelineId } = ok.json<{ pipelineId: string }>();
  assert.equal((await some.checkpoints.load(pipelineId))?.request.mediaDir, roots.media);
  assert.deepEqual(some.queued, [pipelineId]);
  await none.app.close();
  await some.app.close();
});

test('GET /pipelines/:id/artifacts: object keys (and signed URLs when the store signs), never a server path', async () => {
  const cp = newCheckpoint('art', request({}), 'pipelines/art/', new Date().toISOString());
  const at = new Date().toISOString();
  const stages: Partial<Record<string, StageRecord>> = {};
  for (const s of STAGES) stages[s.key] = { status: 'completed', output: FAKE_STAGE_OUTPUTS[s.key], startedAt: at, finishedAt: at, attempts: 1 };
  const folder = app({ store: new FolderStore(join(base, 'store')) });
  await folder.checkpoints.save('art', { ...cp, state: 'Completed', stages });
  const res = await folder.app.inject({ method: 'GET', url: '/pipelines/art/artifacts' });
  assert.equal(res.statusCode, 200, res.body);
  const body = res.json<PipelineArtifacts>();
  assert.ok(body.artifacts.length >= 5);
  assert.ok(!res.body.includes(base), 'no server path in the answer');
  for (const a of body.artifacts) assert.deepEqual([a.location, a.url], [a.key, undefined]);

  const signing = app({ store: { describe: (key) => `/srv/store/${key}`, signedUrl: (key, sec) => Promise.resolve(`https://s3.example/${key}?X-Amz-Expires=${sec}`) } });
  const signed = (await signing.app.inject({ method: 'GET', url: '/pipelines/art/artifacts' })).json<PipelineArtifacts>();
  assert.deepEqual(signed.artifacts[0], { name: 'video', key: 'video.mp4', location: 'video.mp4', url: 'https://s3.example/video.mp4?X-Amz-Expires=900' });
  await folder.app.close();
  await signing.app.close();
});

test('POST /pipelines/:id/review: 400 naming the field, 404 for an unknown id, 409 NOT_IN_REVIEW, 202 with the state after the decision', async () => {
  const checkpoints = new FolderCheckpointStore<PipelineCheckpoint>(join(base, 'review-pipelines'));
  const bus = new MemoryEventBus();
  const client: StageClient = { call: (stage) => Promise.resolve(FAKE_STAGE_OUTPUTS[stage]) };
  const queue = new InProcessPipelineQueue({ client, checkpoints, bus, history: new MemoryEventHistory(), retry: { attempts: 1, baseDelayMs: 1 } });
  const built = buildOrchestratorApp({ queue, checkpoints, history: new MemoryEventHistory(), logger: false });
  const start = async (payload: object): Promise<string> => {
    const res = await built.inject({ method: 'POST', url: '/pipelines/start', payload: { topic: 'octopuses', ...payload } });
    assert.equal(res.statusCode, 202, res.body);
    return res.json<{ pipelineId: string }>().pipelineId;
  };
  const review = (id: string, payload: unknown) => built.inject({ method: 'POST', url: `/pipelines/${id}/review`, payload: payload as object });
  const errorOf = (res: { json<T>(): T }) => res.json<{ error: { code: string; field?: string; message: string } }>().error;

  const waiting = await start({ review: true });
  const plain = await start({});
  await queue.idle();
  const status = await built.inject({ method: 'GET', url: `/pipelines/status/${waiting}` });
  assert.equal(status.json<{ state: string }>().state, 'Review');
  assert.deepEqual(status.json<{ review: unknown }>().review, { title: 'T', titles: ['T', 'T2'], description: '', thumbnails: 2, thumbnail: 0 });

  for (const [payload, field] of [
    [{}, 'decision'],
    [{ decision: 'maybe' }, 'decision'],
    [{ decision: 'approve', title: 'x'.repeat(101) }, 'title'],
    [{ decision: 'approve', title: '   ' }, 'title'],
    [{ decision: 'approve', title: 'a <b> title' }, 'title'],
    [{ decision: 'approve', description: 'é'.repeat(2501) }, 'description'],
    [{ decision: 'approve', thumbnail: -1 }, 'thumbnail'],
    [{ decision: 'approve', thumbnail: 0.5 }, 'thumbnail'],
    [{ decision: 'reject', reason: 'x'.repeat(501) }, 'reason'],
    [{ decision: 'approve', colour: 'red' }, 'colour'],
    [{ decision: 'approve', thumbnail: 2 }, 'thumbnail'],
  ] as const) {
    const res = await review(waiting, payload);
    assert.equal(res.statusCode, 400, `${JSON.stringify(payload)}: ${res.body}`);
    assert.deepEqual([errorOf(res).code, errorOf(res).field], ['INVALID_INPUT', field], JSON.stringify(payload));
  }
  assert.match(errorOf(await review(waiting, { decision: 'approve', thumbnail: 2 })).message, /out of range.*made 2 thumbnails/);

  const unknown = await review('no-such-pipeline', { decision: 'approve' });
  assert.deepEqual([unknown.statusCode, errorOf(unknown).code], [404, 'NOT_FOUND']);
  const notWaiting = await review(plain, { decision: 'approve' });
  assert.deepEqual([notWaiting.statusCode, errorOf(notWaiting).code, errorOf(notWaiting).field], [409, 'NOT_IN_REVIEW', 'id']);

  const approved = await review(waiting, { decision: 'approve', title: 'Edited', thumbnail: 1 });
  assert.equal(approved.statusCode, 202, approved.body);
  assert.deepEqual(approved.json(), { pipelineId: waiting, state: 'Queued' });
  await queue.idle();
  assert.equal((await checkpoints.load(waiting))?.state, 'Completed');
  assert.deepEqual([(await review(waiting, { decision: 'reject' })).statusCode], [409]);
  assert.equal(bus.published.filter((e) => e.pipelineId === waiting && e.name === 'pipeline.failed').length, 0);
  await queue.close();
  await built.close();
});
