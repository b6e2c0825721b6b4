import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EVENT_NAMES, PipelineRequest } from '@faceless/contracts';
import { MemoryCheckpointStore, MemoryEventBus, MemoryEventHistory } from '@faceless/infra';
import { FacelessError } from '@faceless/runtime';
import { InProcessPipelineQueue } from './in-process-queue.ts';
import { newCheckpoint, type PipelineCheckpoint } from './pipeline-runner.ts';
import type { StageClient } from './stage-client.ts';
import { FAKE_STAGE_OUTPUTS } from './fake-stage-outputs.ts';

const OUTPUTS = FAKE_STAGE_OUTPUTS;

/** A client whose keywords stage waits for a gate per pipeline, so tests control when runs advance. */
function gatedClient() {
  const gates = new Map<string, () => void>();
  const started: string[] = [];
  let running = 0;
  let maxRunning = 0;
  const client: StageClient = {
    async call(stage, _input, options) {
      if (stage === 'keywords') {
        started.push(options.pipelineId);
        running++;
        maxRunning = Math.max(maxRunning, running);
        try {
          await new Promise<void>((resolve, reject) => {
            gates.set(options.pipelineId, resolve);
            options.signal.addEventListener('abort', () => reject(new FacelessError('CANCELLED', 'aborted')), { once: true });
          });
        } finally {
          running--;
        }
      }
      return OUTPUTS[stage];
    },
  };
  return { client, started, gates, maxRunning: () => maxRunning };
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

const request = PipelineRequest.parse({ topic: 'octopuses' });

async function setup(concurrency?: number) {
  const checkpoints = new MemoryCheckpointStore<PipelineCheckpoint>();
  const bus = new MemoryEventBus();
  const history = new MemoryEventHistory();
  const fake = gatedClient();
  const queue = new InProcessPipelineQueue({
    client: fake.client, checkpoints, bus, history, retry: { attempts: 1, baseDelayMs: 1 }, ...(concurrency ? { concurrency } : {}),
  });
  const add = async (id: string): Promise<void> => {
    await checkpoints.save(id, newCheckpoint(id, request, `pipelines/${id}/`, new Date().toISOString()));
    await queue.enqueue(id);
  };
  const failedOf = (id: string) => bus.published.filter((e) => e.pipelineId === id && e.name === 'pipeline.failed');
  return { checkpoints, bus, history, fake, queue, add, failedOf };
}

test('runs pipelines one at a time by default, first in first out, publishing the seed events', async () => {
  const { checkpoints, bus, fake, queue, add } = await setup();
  await add('a');
  await add('b');
  await add('b'); // already waiting: not queued twice
  await until(() => fake.gates.has('a'));
  assert.deepEqual(queue.active(), ['a']);
  assert.deepEqual(queue.queued(), ['b']);
  fake.gates.get('a')?.();
  await until(() => fake.gates.has('b'));
  fake.gates.get('b')?.();
  await queue.idle();
  assert.deepEqual(fake.started, ['a', 'b']);
  assert.equal(fake.maxRunning(), 1);
  assert.equal((await checkpoints.load('a'))?.state, 'Completed');
  assert.equal((await checkpoints.load('b'))?.state, 'Completed');
  assert.equal((await checkpoints.load('a'))?.outputPrefix, 'pipelines/a/');
  const names = bus.published.filter((e) => e.pipelineId === 'a').map((e) => e.name);
  assert.deepEqual(names, EVENT_NAMES.filter((n) => n !== 'pipeline.failed'));
  assert.equal(await queue.ping(), true);
  await queue.close();
});

test('concurrency N runs N pipelines at once', async () => {
  const { fake, queue, add } = await setup(2);
  for (const id of ['a', 'b', 'c']) await add(id);
  await until(() => fake.gates.has('a') && fake.gates.has('b'));
  assert.deepEqual(queue.queued(), ['c']);
  fake.gates.get('a')?.();
  await until(() => fake.gates.has('c'));
  fake.gates.get('b')?.();
  fake.gates.get('c')?.();
  await queue.idle();
  assert.equal(fake.maxRunning(), 2);
  assert.deepEqual(fake.started, ['a', 'b', 'c']);
  await queue.close();
});

test('cancel: a waiting pipeline leaves the queue marked Failed (CANCELLED); a running one is aborted; each publishes pipeline.failed once', async () => {
  const { checkpoints, bus, history, fake, queue, add, failedOf } = await setup();
  await add('run');
  await add('wait');
  await until(() => fake.gates.has('run'));
  assert.equal(await queue.cancel('wait'), 'dequeued');
  const waiting = await checkpoints.load('wait');
  assert.equal(waiting?.state, 'Failed');
  assert.equal(waiting?.error?.code, 'CANCELLED');
  assert.deepEqual(queue.queued(), []);
  assert.deepEqual(failedOf('wait').map((e) => [e.seq, e.stage, e.data]), [[1, 'keywords', { code: 'CANCELLED', message: 'cancelled by the user' }]]);
  assert.equal(waiting?.eventSeq, 1);
  assert.deepEqual(await history.read('wait'), failedOf('wait'), 'the history holds what the bus carried');
  assert.equal(await queue.cancel('wait'), 'dequeued', 'a second cancel');
  assert.equal(failedOf('wait').length, 1, 'a second cancel publishes nothing');

  assert.equal(await queue.cancel('run'), 'signalled');
  assert.equal(await queue.cancel('run'), 'signalled', 'cancelled twice while it runs');
  await queue.idle();
  const running = await checkpoints.load('run');
  assert.equal(running?.state, 'Failed');
  assert.deepEqual([running?.error?.stage, running?.error?.code], ['keywords', 'CANCELLED']);
  assert.deepEqual(fake.started, ['run'], 'the cancelled waiting pipeline never ran');
  assert.deepEqual(bus.published.filter((e) => e.pipelineId === 'run').map((e) => e.name), ['pipeline.started', 'pipeline.failed']);
  assert.deepEqual(failedOf('run').map((e) => [e.seq, e.stage, e.data.code]), [[2, 'keywords', 'CANCELLED']]);
  assert.deepEqual(await history.read('run'), bus.published.filter((e) => e.pipelineId === 'run'));

  // A retry resumes it: queued again, it runs to the end.
  await checkpoints.save('run', { ...(running as PipelineCheckpoint), state: 'Retry' });
  await queue.enqueue('run');
  await until(() => fake.started.length === 2);
  fake.gates.get('run')?.();
  await queue.idle();
  assert.equal((await checkpoints.load('run'))?.state, 'Completed');
  const events = bus.published.filter((e) => e.pipelineId === 'run');
  assert.deepEqual(events.map((e) => e.seq), events.map((_, i) => i + 1), 'the retry continues the sequence');
  assert.equal(events.at(-1)?.name, 'pipeline.completed');
  assert.deepEqual(await history.read('run'), events);
  assert.equal(failedOf('run').length, 1);
  await queue.close();
});

test('concurrent cancels of a waiting pipeline, and a cancel racing its start, publish pipeline.failed once', async () => {
  const { checkpoints, fake, queue, add, failedOf } = await setup();
  await add('busy');
  await add('wait');
  await until(() => fake.gates.has('busy'));
  assert.deepEqual(await Promise.all([queue.cancel('wait'), queue.cancel('wait'), queue.cancel('wait')]), ['dequeued', 'dequeued', 'dequeued']);
  assert.equal(failedOf('wait').length, 1);

  // Saved but not yet queued (the start route between its two awaits): the cancel ends it, the queue then skips it.
  const id = 'orphan';
  await checkpoints.save(id, newCheckpoint(id, request, '', new Date().toISOString()));
  assert.equal(await queue.cancel(id), 'dequeued');
  await queue.enqueue(id);
  fake.gates.get('busy')?.();
  await queue.idle();
  assert.deepEqual(fake.started, ['busy'], 'neither cancelled pipeline ran');
  assert.equal((await checkpoints.load(id))?.state, 'Failed');
  assert.equal(failedOf(id).length, 1);
  await queue.close();
});

test('close waits for running pipelines, or aborts them; afterwards enqueue is refused', async () => {
  const { checkpoints, fake, queue, add } = await setup();
  await add('a');
  await add('b');
  await until(() => fake.gates.has('a'));
  let closed = false;
  const closing = queue.close().then(() => { closed = true; });
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(closed, false, 'still waiting for the running pipeline');
  fake.gates.get('a')?.();
  await closing;
  assert.equal((await checkpoints.load('a'))?.state, 'Completed');
  assert.equal((await checkpoints.load('b'))?.state, 'Queued', 'a waiting pipeline is left queued for the next start');
  await assert.rejects(queue.enqueue('b'), (err: FacelessError) => err.code === 'STAGE_UNAVAILABLE');

  const second = await setup();
  await second.add('x');
  await until(() => second.fake.gates.has('x'));
  await second.queue.close({ abort: true });
  const x = await second.checkpoints.load('x');
  assert.deepEqual([x?.state, x?.error?.code], ['Failed', 'CANCELLED']);
  assert.equal(second.failedOf('x').length, 1, 'a run stopped with the server ends with its event too');
});

test('a pipeline whose checkpoint is gone or Completed does not run', async () => {
  const { checkpoints, fake, queue } = await setup();
  await queue.enqueue('ghost');
  const done = newCheckpoint('done', request, '', new Date().toISOString());
  await checkpoints.save('done', { ...done, state: 'Completed' });
  await queue.enqueue('done');
  await queue.idle();
  assert.deepEqual(fake.started, []);
  await queue.close();
});
