import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import type { FastifyInstance } from 'fastify';
import type { PipelineStatus, StageKey } from '@faceless/contracts';
import { MemoryEventBus, RedisCheckpointStore, RedisEventHistory } from '@faceless/infra';
import { buildOrchestratorApp, type PipelineCheckpoint, type StageClient } from '@faceless/pipeline';
import { FAKE_STAGE_OUTPUTS } from '@faceless/pipeline/fake-stage-outputs';
import { PipelineQueue, type PipelineQueueOptions } from './pipeline-queue.ts';

const suffix = randomBytes(4).toString('hex');
const queueName = `test-review-${suffix}`;
const prefix = `test-faceless-review-${suffix}`;
const bus = new MemoryEventBus();
/** Every stage call, by pipeline: what ran, and the upload's input. */
const calls: { pipelineId: string; stage: StageKey; input: unknown }[] = [];
const client: StageClient = {
  call(stage, input, options) {
    calls.push({ pipelineId: options.pipelineId, stage, input });
    return Promise.resolve(FAKE_STAGE_OUTPUTS[stage]);
  },
};

let redis: Redis;
let common: PipelineQueueOptions;
let worker: PipelineQueue;
let api: PipelineQueue;
let app: FastifyInstance;

before(() => {
  redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
  const checkpoints = new RedisCheckpointStore<PipelineCheckpoint>({ redis, prefix });
  common = { redis, queueName, client, checkpoints, bus, history: new RedisEventHistory({ redis, prefix }), retry: { attempts: 1, baseDelayMs: 5 } };
  // One pipeline at a time: a pipeline in Review must not keep the only slot.
  worker = new PipelineQueue({ ...common, concurrency: 1 });
  worker.startWorker();
  api = new PipelineQueue(common);
  app = buildOrchestratorApp({ queue: api, checkpoints, history: common.history, logger: false });
});

after(async () => {
  await app.close();
  await worker.close({ force: true });
  await api.queue.obliterate({ force: true });
  await api.close();
  const keys = [...await redis.keys(`${prefix}:*`), ...await redis.keys(`${queueName}:*`)];
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

async function start(payload: object): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/pipelines/start', payload: { topic: 'octopuses', ...payload } });
  assert.equal(res.statusCode, 202, res.body);
  return res.json<{ pipelineId: string }>().pipelineId;
}

async function status(id: string): Promise<PipelineStatus> {
  return (await app.inject({ method: 'GET', url: `/pipelines/status/${id}` })).json<PipelineStatus>();
}

async function waitFor(id: string, state: string, timeoutMs = 10_000): Promise<PipelineStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await status(id);
    if (s.state === state) return s;
    if (Date.now() > deadline) assert.fail(`pipeline ${id} still ${s.state} after ${timeoutMs} ms, waiting for ${state}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const review = (id: string, payload: object) => app.inject({ method: 'POST', url: `/pipelines/${id}/review`, payload });
const stagesRun = (id: string): StageKey[] => calls.filter((c) => c.pipelineId === id).map((c) => c.stage);

test('BullMQ: a pipeline in Review holds no worker (concurrency 1: the next one completes while it waits); a restarted worker leaves it there; approval completes it with the edits', async () => {
  const first = await start({ review: true });
  const second = await start({});
  const waiting = await waitFor(first, 'Review');
  assert.deepEqual(waiting.review, { title: 'T', titles: ['T', 'T2'], description: '', thumbnails: 2, thumbnail: 0 });
  await waitFor(second, 'Completed');
  assert.equal((await status(first)).state, 'Review', 'the second ran to the end while the first waited');
  assert.equal(await api.queue.getJob(first), undefined, 'no job: nothing holds a slot or a lock for it');

  // The orchestrator restarts: a new worker finds nothing to run for it, and it stays in Review.
  await worker.close();
  worker = new PipelineQueue({ ...common, concurrency: 1 });
  worker.startWorker();
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal((await status(first)).state, 'Review');

  const approved = await review(first, { decision: 'approve', title: 'Octopuses, approved', thumbnail: 1 });
  assert.equal(approved.statusCode, 202, approved.body);
  assert.deepEqual(approved.json(), { pipelineId: first, state: 'Queued' });
  await waitFor(first, 'Completed');
  assert.deepEqual(stagesRun(first), ['keywords', 'script', 'audio', 'video', 'thumbnail', 'metadata', 'upload', 'abtest'], 'each stage once');
  const upload = calls.find((c) => c.pipelineId === first && c.stage === 'upload')?.input as { thumbnailPath: string; metadata: { title: string } };
  assert.deepEqual([upload.metadata.title, upload.thumbnailPath], ['Octopuses, approved', 'thumbnails/thumb-2.jpg']);
  const events = bus.published.filter((e) => e.pipelineId === first).map((e) => e.name);
  assert.deepEqual([events.length, events.at(-1), events.includes('pipeline.failed')], [9, 'pipeline.completed', false]);
});

test('BullMQ: two rejections at once: one is taken (Failed at the upload, REVIEW_REJECTED, one pipeline.failed), the other meets 409 NOT_IN_REVIEW', async () => {
  const id = await start({ review: true });
  await waitFor(id, 'Review');
  const answers = await Promise.all([review(id, { decision: 'reject', reason: 'wrong voice' }), review(id, { decision: 'reject' })]);
  assert.deepEqual(answers.map((a) => a.statusCode).sort(), [202, 409]);
  assert.equal(answers.find((a) => a.statusCode === 409)?.json<{ error: { code: string } }>().error.code, 'NOT_IN_REVIEW');
  const s = await status(id);
  assert.deepEqual([s.state, s.error?.stage, s.error?.code], ['Failed', 'upload', 'REVIEW_REJECTED']);
  const failed = bus.published.filter((e) => e.pipelineId === id && e.name === 'pipeline.failed');
  assert.deepEqual(failed.map((e) => [e.stage, e.data.code]), [['upload', 'REVIEW_REJECTED']]);
  assert.deepEqual(stagesRun(id), ['keywords', 'script', 'audio', 'video', 'thumbnail', 'metadata']);
  assert.equal((await redis.keys(`${queueName}:review:*`)).length, 0, 'the decision lock is released');
});
