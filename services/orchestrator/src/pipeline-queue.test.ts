import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import { EVENT_NAMES, PipelineRequest, STAGES, type PipelineEvent, type PipelineStatus, type StageKey } from '@faceless/contracts';
import { MemoryEventBus, RedisCheckpointStore, RedisEventHistory } from '@faceless/infra';
import type { FastifyInstance } from 'fastify';
import { HttpStageClient, InstancePool, buildOrchestratorApp, newCheckpoint, type PipelineCheckpoint } from '@faceless/pipeline';
import { FAKE_STAGE_OUTPUTS } from '@faceless/pipeline/fake-stage-outputs';
import { PipelineQueue } from './pipeline-queue.ts';

const OUTPUTS = FAKE_STAGE_OUTPUTS;

/** How a fake stage answers a pipeline's n-th call: undefined → the canned 200. */
type Behaviour = (res: ServerResponse, n: number) => boolean | void;

interface FakeStage { server: Server; url: string; calls: Map<string, number>; paths: string[]; behaviour?: Behaviour }

const fakes = new Map<StageKey, FakeStage>();

async function startFake(key: StageKey, route: string): Promise<FakeStage> {
  const fake: FakeStage = { server: createServer(), url: '', calls: new Map(), paths: [] };
  fake.server.on('request', (req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => { raw += c.toString(); });
    req.on('end', () => {
      const pipelineId = String(req.headers['x-pipeline-id']);
      const n = (fake.calls.get(pipelineId) ?? 0) + 1;
      fake.calls.set(pipelineId, n);
      fake.paths.push(req.url ?? '');
      JSON.parse(raw);
      if (req.url !== route) return json(res, 404, { error: { code: 'NOT_FOUND', message: 'no route' } });
      if (fake.behaviour?.(res, n)) return;
      json(res, 200, OUTPUTS[key]);
    });
  });
  await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
  return fake;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

const suffix = randomBytes(4).toString('hex');
const queueName = `test-pipelines-${suffix}`;
const prefix = `test-faceless-${suffix}`;
const bus = new MemoryEventBus();
let redis: Redis;
let history: RedisEventHistory;
let workerQueue: PipelineQueue;
let apiQueue: PipelineQueue;
let app: FastifyInstance;

before(async () => {
  for (const s of STAGES) fakes.set(s.key, await startFake(s.key, s.route));
  redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
  const checkpoints = new RedisCheckpointStore<PipelineCheckpoint>({ redis, prefix });
  history = new RedisEventHistory({ redis, prefix });
  const pools = Object.fromEntries(STAGES.map((s) => [s.key, new InstancePool([fakes.get(s.key)?.url ?? ''], { coolOffMs: 10 })])) as Record<StageKey, InstancePool>;
  const client = new HttpStageClient({ pools, shortTimeoutMs: 5_000, longTimeoutMs: 5_000 });
  const common = { redis, queueName, client, checkpoints, bus, history, retry: { attempts: 3, baseDelayMs: 5 }, cancelPollMs: 50 };
  // The API and the worker as two processes would have them: a cancel must cross Redis.
  workerQueue = new PipelineQueue({ ...common, concurrency: 2 });
  workerQueue.startWorker();
  apiQueue = new PipelineQueue(common);
  app = buildOrchestratorApp({ queue: apiQueue, checkpoints, history, logger: false });
});

after(async () => {
  await app.close();
  await workerQueue.close({ force: true });
  await apiQueue.queue.obliterate({ force: true });
  await apiQueue.close();
  const keys = [...await redis.keys(`${prefix}:*`), ...await redis.keys(`${queueName}:*`)];
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
  for (const f of fakes.values()) {
    f.server.closeAllConnections();
    await new Promise((resolve) => f.server.close(resolve));
  }
});

async function start(topic: string): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/pipelines/start', payload: { topic, durationSec: 30 } });
  assert.equal(res.statusCode, 202, res.body);
  const body = res.json<{ pipelineId: string; state: string }>();
  assert.equal(body.state, 'Queued');
  return body.pipelineId;
}

async function status(id: string): Promise<PipelineStatus> {
  const res = await app.inject({ method: 'GET', url: `/pipelines/status/${id}` });
  assert.equal(res.statusCode, 200, res.body);
  return res.json<PipelineStatus>();
}

async function waitFor(id: string, done: (s: PipelineStatus) => boolean, timeoutMs = 10_000): Promise<PipelineStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await status(id);
    if (done(s)) return s;
    if (Date.now() > deadline) assert.fail(`pipeline ${id} still ${s.state} after ${timeoutMs} ms: ${JSON.stringify(s.error)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const calls = (key: StageKey, id: string): number => fakes.get(key)?.calls.get(id) ?? 0;
const failedOf = (id: string) => bus.published.filter((e) => e.pipelineId === id && e.name === 'pipeline.failed');

async function storedEvents(id: string, after?: number): Promise<{ pipelineId: string; state: string; events: PipelineEvent[] }> {
  const res = await app.inject({ method: 'GET', url: `/pipelines/${id}/events${after === undefined ? '' : `?after=${after}`}` });
  assert.equal(res.statusCode, 200, res.body);
  return res.json();
}
const eventsOf = (id: string): string[] => bus.published.filter((e) => e.pipelineId === id).map((e) => e.name);
const setBehaviour = (key: StageKey, b: Behaviour | undefined): void => {
  const f = fakes.get(key);
  if (f) f.behaviour = b;
};

test('start → 202, the worker runs every stage over HTTP, status shows each stage, the seed\'s events go out', async () => {
  const id = await start('octopuses');
  const s = await waitFor(id, (x) => x.state === 'Completed');
  assert.deepEqual(s.stages.map((x) => [x.stage, x.status]), STAGES.map((x) => [x.key, 'completed']));
  assert.deepEqual(s.stages.find((x) => x.stage === 'upload')?.output, OUTPUTS.upload);
  assert.ok(s.stages.every((x) => typeof x.durationMs === 'number' && x.durationMs >= 0 && x.attempts === 1));
  assert.equal(s.request.topic, 'octopuses');
  assert.equal(s.error, undefined);
  assert.deepEqual(eventsOf(id), EVENT_NAMES.filter((n) => n !== 'pipeline.failed'));
  assert.deepEqual(bus.published.filter((e) => e.pipelineId === id).map((e) => e.seq), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  for (const st of STAGES) assert.equal(calls(st.key, id), 1, st.key);
  // A subscriber arriving after the end gets the whole sequence from the stored history.
  const stored = await storedEvents(id);
  assert.deepEqual([stored.pipelineId, stored.state], [id, 'Completed']);
  assert.deepEqual(stored.events, bus.published.filter((e) => e.pipelineId === id));
  assert.deepEqual((await storedEvents(id, 7)).events.map((e) => e.name), ['pipeline.upload.completed', 'pipeline.completed']);
  assert.deepEqual((await storedEvents(id, 9)).events, []);

  const list = await app.inject({ method: 'GET', url: '/pipelines?limit=50' });
  assert.equal(list.statusCode, 200);
  const found = list.json<{ pipelines: { pipelineId: string; state: string; completedStages: number }[] }>().pipelines.find((p) => p.pipelineId === id);
  assert.deepEqual(found && [found.state, found.completedStages], ['Completed', 8]);

  const retry = await app.inject({ method: 'POST', url: `/pipelines/${id}/retry` });
  assert.equal(retry.statusCode, 409);
  assert.equal(retry.json<{ error: { code: string } }>().error.code, 'CONFLICT');
  const cancel = await app.inject({ method: 'POST', url: `/pipelines/${id}/cancel` });
  assert.equal(cancel.statusCode, 409);
});

test('bad requests: 400 naming the field, 404 for an unknown id', async () => {
  const bad = await app.inject({ method: 'POST', url: '/pipelines/start', payload: { topic: 'x', durationSec: 'long' } });
  assert.equal(bad.statusCode, 400);
  const err = bad.json<{ error: { code: string; field?: string; requestId?: string } }>().error;
  assert.deepEqual([err.code, err.field], ['INVALID_INPUT', 'durationSec']);
  assert.ok(err.requestId);
  const unknown = await app.inject({ method: 'POST', url: '/pipelines/start', payload: { topic: 'x', colour: 'red' } });
  assert.equal(unknown.json<{ error: { field?: string } }>().error.field, 'colour');
  const missing = await app.inject({ method: 'GET', url: '/pipelines/status/nope' });
  assert.equal(missing.statusCode, 404);
  assert.equal(missing.json<{ error: { code: string } }>().error.code, 'NOT_FOUND');
  for (const after of ['-1', '1.5', 'x', '']) {
    const res = await app.inject({ method: 'GET', url: `/pipelines/nope/events?after=${after}` });
    assert.equal(res.statusCode, 400, `after=${after}`);
    assert.deepEqual([res.json<{ error: { code: string; field?: string } }>().error.code, res.json<{ error: { field?: string } }>().error.field], ['INVALID_INPUT', 'after']);
  }
  const noEvents = await app.inject({ method: 'GET', url: '/pipelines/nope/events' });
  assert.deepEqual([noEvents.statusCode, noEvents.json<{ error: { code: string } }>().error.code], [404, 'NOT_FOUND']);
  const limit = await app.inject({ method: 'GET', url: '/pipelines?limit=0' });
  assert.deepEqual([limit.statusCode, limit.json<{ error: { field?: string } }>().error.field], [400, 'limit']);
  const ready = await app.inject({ method: 'GET', url: '/ready' });
  assert.deepEqual([ready.statusCode, ready.json<{ checks: unknown }>().checks], [200, { redis: true }]);
});

test('a stage answering 503 twice then 200 completes with 3 attempts', async () => {
  setBehaviour('audio', (res, n) => {
    if (n > 2) return false;
    json(res, 503, { error: { code: 'PROVIDER_UNAVAILABLE', message: 'TTS provider is down' } });
    return true;
  });
  try {
    const id = await start('retries');
    const s = await waitFor(id, (x) => x.state === 'Completed');
    assert.equal(s.stages.find((x) => x.stage === 'audio')?.attempts, 3);
    assert.equal(calls('audio', id), 3);
  } finally {
    setBehaviour('audio', undefined);
  }
});

test('a Failed pipeline retried resumes at the failed stage', async () => {
  let broken = true;
  setBehaviour('video', (res) => {
    if (!broken) return false;
    json(res, 500, { error: { code: 'MEDIA_FAILED', message: 'ffmpeg exploded' } });
    return true;
  });
  try {
    const id = await start('resume');
    const failed = await waitFor(id, (x) => x.state === 'Failed');
    assert.deepEqual(failed.error && [failed.error.stage, failed.error.code], ['video', 'MEDIA_FAILED']);
    assert.deepEqual(failed.stages.map((x) => x.status), ['completed', 'completed', 'completed', 'failed', 'pending', 'pending', 'pending', 'pending']);
    assert.equal(eventsOf(id).at(-1), 'pipeline.failed');

    broken = false;
    const retry = await app.inject({ method: 'POST', url: `/pipelines/${id}/retry` });
    assert.equal(retry.statusCode, 202, retry.body);
    const again = await app.inject({ method: 'POST', url: `/pipelines/${id}/retry` });
    assert.equal(again.statusCode, 409, 'a second retry while the first is queued or running');
    const done = await waitFor(id, (x) => x.state === 'Completed');
    assert.equal(done.error, undefined);
    assert.deepEqual(['keywords', 'script', 'audio'].map((k) => calls(k as StageKey, id)), [1, 1, 1]);
    assert.equal(calls('video', id), 2);
    assert.equal(calls('abtest', id), 1);
    assert.equal(eventsOf(id).filter((n) => n === 'pipeline.started').length, 1);
    assert.equal(eventsOf(id).at(-1), 'pipeline.completed');
  } finally {
    setBehaviour('video', undefined);
  }
});

test('cancel reaches a pipeline running in another process; the stage call is aborted', async () => {
  let aborted = false;
  setBehaviour('video', (res) => {
    const timer = setTimeout(() => json(res, 200, OUTPUTS.video), 8_000);
    res.on('close', () => { clearTimeout(timer); aborted = !res.writableFinished; });
    return true;
  });
  try {
    const id = await start('cancel me');
    await waitFor(id, (x) => x.state === 'Video');
    const res = await app.inject({ method: 'POST', url: `/pipelines/${id}/cancel` });
    assert.equal(res.statusCode, 202, res.body);
    const s = await waitFor(id, (x) => x.state === 'Failed', 5_000);
    assert.deepEqual(s.error && [s.error.stage, s.error.code], ['video', 'CANCELLED']);
    const again = await app.inject({ method: 'POST', url: `/pipelines/${id}/cancel` });
    assert.deepEqual([again.statusCode, again.json<{ state: string }>().state], [202, 'Failed']);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.ok(aborted, 'the HTTP call to the stage was aborted');
    assert.equal(calls('thumbnail', id), 0);
    assert.deepEqual(failedOf(id).map((e) => [e.stage, e.data.code]), [['video', 'CANCELLED']], 'one pipeline.failed, after two cancels');
    assert.deepEqual(eventsOf(id).at(-1), 'pipeline.failed');
    const stored = await storedEvents(id);
    assert.deepEqual([stored.state, stored.events], ['Failed', bus.published.filter((e) => e.pipelineId === id)]);

    // Retried, it resumes at the video stage and completes; the cancel key no longer stops it.
    setBehaviour('video', undefined);
    const retry = await app.inject({ method: 'POST', url: `/pipelines/${id}/retry` });
    assert.equal(retry.statusCode, 202, retry.body);
    await waitFor(id, (x) => x.state === 'Completed');
    assert.equal(calls('keywords', id), 1);
    assert.equal(eventsOf(id).at(-1), 'pipeline.completed');
    assert.equal(failedOf(id).length, 1);
    const seqs = bus.published.filter((e) => e.pipelineId === id).map((e) => e.seq);
    assert.deepEqual(seqs, seqs.map((_, i) => i + 1));
  } finally {
    setBehaviour('video', undefined);
  }
});

test('cancel of a queued pipeline takes it off the queue', async () => {
  const checkpoints = new RedisCheckpointStore<PipelineCheckpoint>({ redis, prefix });
  const idle = new PipelineQueue({
    redis, queueName: `${queueName}-idle`, client: new HttpStageClient({ pools: {} as Record<StageKey, InstancePool> }), checkpoints, bus, history,
  });
  // A second API process on the same Redis: cancels from both must end the pipeline once.
  const otherApi = new PipelineQueue({
    redis, queueName: `${queueName}-idle`, client: new HttpStageClient({ pools: {} as Record<StageKey, InstancePool> }), checkpoints, bus, history,
  });
  const idleApp = buildOrchestratorApp({ queue: idle, checkpoints, history, logger: false });
  try {
    const res = await idleApp.inject({ method: 'POST', url: '/pipelines/start', payload: { topic: 'never run' } });
    const { pipelineId } = res.json<{ pipelineId: string }>();
    assert.equal(await idle.queue.getWaitingCount(), 1);
    const outcomes = await Promise.all([otherApi.cancel(pipelineId), idle.cancel(pipelineId), otherApi.cancel(pipelineId)]);
    assert.deepEqual(outcomes.filter((o) => o === 'dequeued'), ['dequeued'], 'one cancel acts, the others see its key');
    const cancel = await idleApp.inject({ method: 'POST', url: `/pipelines/${pipelineId}/cancel` });
    assert.deepEqual([cancel.statusCode, cancel.json<{ state: string }>().state], [202, 'Failed']);
    assert.equal(await idle.queue.getWaitingCount(), 0);
    const cp = await checkpoints.load(pipelineId);
    assert.deepEqual([cp?.error?.code, cp?.eventSeq], ['CANCELLED', 1]);
    assert.deepEqual(failedOf(pipelineId).map((e) => [e.seq, e.stage, e.data]), [[1, 'keywords', { code: 'CANCELLED', message: 'cancelled by the user' }]]);
    const stored = await idleApp.inject({ method: 'GET', url: `/pipelines/${pipelineId}/events` });
    assert.deepEqual(stored.json<{ state: string; events: PipelineEvent[] }>(), { pipelineId, state: 'Failed', events: failedOf(pipelineId) });

    // Saved but never queued (an API process that died between the two): the cancel still ends it once.
    const orphan = 'orphan-' + suffix;
    await checkpoints.save(orphan, newCheckpoint(orphan, PipelineRequest.parse({ topic: 'orphan' }), '', new Date().toISOString()));
    assert.equal(await otherApi.cancel(orphan), 'dequeued');
    assert.equal(await idle.cancel(orphan), 'signalled', 'a second cancel does nothing');
    assert.equal(failedOf(orphan).length, 1);
    assert.equal((await checkpoints.load(orphan))?.state, 'Failed');
  } finally {
    await otherApi.close();
    await idleApp.close();
    await idle.queue.obliterate({ force: true });
    await idle.close();
    const keys = await redis.keys(`${queueName}-idle:*`);
    if (keys.length > 0) await redis.del(...keys);
  }
});
