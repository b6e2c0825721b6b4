import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import Fastify from 'fastify';
import { Redis } from 'ioredis';
import { PipelineRequest, type StageKey } from '@faceless/contracts';
import { MemoryEventBus, RedisCheckpointStore, RedisEventHistory } from '@faceless/infra';
import { newCheckpoint, type PipelineCheckpoint, type StageClient } from '@faceless/pipeline';
import { FAKE_STAGE_OUTPUTS } from '@faceless/pipeline/fake-stage-outputs';
import { createMetrics, registerMetrics } from '@faceless/runtime';
import { PipelineQueue } from './pipeline-queue.ts';

function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const line = text.split('\n').find((l) => (l.startsWith(`${name}{`) || l.startsWith(`${name} `))
    && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
}

test('queue gauges read from BullMQ on the real Redis at each scrape: jobs by state, oldest waiting, pipelines by state', async () => {
  const suffix = randomBytes(4).toString('hex');
  const queueName = `test-queue-metrics-${suffix}`;
  const prefix = `test-queue-metrics-${suffix}`;
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
  const checkpoints = new RedisCheckpointStore<PipelineCheckpoint>({ redis, prefix });
  // The video stage holds until released: one pipeline sits in Video while the others wait.
  let release: () => void = () => undefined;
  const videoHeld = new Promise<void>((resolve) => { release = resolve; });
  let videoReached: () => void = () => undefined;
  const inVideo = new Promise<void>((resolve) => { videoReached = resolve; });
  const client: StageClient = {
    async call(stage: StageKey) {
      if (stage === 'video') {
        videoReached();
        await videoHeld;
      }
      return FAKE_STAGE_OUTPUTS[stage];
    },
  };
  let clock = Date.now();
  const queue = new PipelineQueue({
    redis, queueName, client, checkpoints, bus: new MemoryEventBus(), history: new RedisEventHistory({ redis, prefix }),
    concurrency: 1, retry: { attempts: 1, baseDelayMs: 1 }, now: () => new Date(clock),
  });
  const app = Fastify();
  const metrics = createMetrics({ defaultMetrics: false, labels: { service: 'orchestrator' } });
  registerMetrics(app, metrics);
  queue.registerMetrics(metrics.registry);
  const scrape = async (): Promise<string> => (await app.inject({ url: '/metrics' })).body;
  try {
    const empty = await scrape();
    assert.equal(sample(empty, 'faceless_queue_jobs', { queue: queueName, state: 'waiting' }), 0);
    assert.equal(sample(empty, 'faceless_queue_oldest_waiting_seconds', { queue: queueName }), 0, 'none waits: 0');
    assert.equal(sample(empty, 'faceless_pipelines', { state: 'Queued' }), 0);

    const ids = ['qm-a', 'qm-b', 'qm-c'];
    for (const id of ids) {
      await checkpoints.save(id, newCheckpoint(id, PipelineRequest.parse({ topic: id }), `pipelines/${id}/`, new Date().toISOString()));
      await queue.enqueue(id);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const firstAdded = (await queue.queue.getJob(ids[0] ?? ''))?.timestamp ?? 0;
    clock = firstAdded + 90_000;
    const waiting = await scrape();
    assert.equal(sample(waiting, 'faceless_queue_jobs', { queue: queueName, state: 'waiting', service: 'orchestrator' }), 3);
    assert.equal(sample(waiting, 'faceless_queue_oldest_waiting_seconds', { queue: queueName }), 90, 'the first job queued is the oldest');
    assert.equal(sample(waiting, 'faceless_pipelines', { state: 'Queued' }), 3);

    queue.startWorker();
    await inVideo;
    clock = ((await queue.queue.getJob(ids[1] ?? ''))?.timestamp ?? 0) + 30_000;
    const running = await scrape();
    assert.equal(sample(running, 'faceless_queue_jobs', { queue: queueName, state: 'active' }), 1);
    assert.equal(sample(running, 'faceless_queue_jobs', { queue: queueName, state: 'waiting' }), 2);
    assert.equal(sample(running, 'faceless_queue_oldest_waiting_seconds', { queue: queueName }), 30, 'the second job is now the oldest waiting');
    assert.equal(sample(running, 'faceless_pipelines', { state: 'Video' }), 1);
    assert.equal(sample(running, 'faceless_pipelines', { state: 'Queued' }), 2);

    release();
    for (let i = 0; ; i++) {
      const states = await Promise.all(ids.map(async (id) => (await checkpoints.load(id))?.state));
      if (states.every((s) => s === 'Completed')) break;
      if (i > 400) assert.fail(`pipelines still ${states.join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const done = await scrape();
    assert.equal(sample(done, 'faceless_queue_jobs', { queue: queueName, state: 'active' }), 0);
    assert.equal(sample(done, 'faceless_pipelines', { state: 'Queued' }), 0);
    assert.equal(sample(done, 'faceless_pipelines', { state: 'Video' }), undefined, 'a state nobody is in has no series');
  } finally {
    release();
    await app.close();
    await queue.close({ force: true });
    await queue.queue.obliterate({ force: true }).catch(() => undefined);
    const keys = [...await redis.keys(`${prefix}:*`), ...await redis.keys(`bull:${queueName}:*`)];
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  }
});
