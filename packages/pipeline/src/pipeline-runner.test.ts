import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EVENT_NAMES, PipelineRequest, STAGE_KEYS, type StageKey } from '@faceless/contracts';
import { MemoryCheckpointStore, MemoryEventBus, MemoryEventHistory, type EventBus } from '@faceless/infra';
import { FacelessError } from '@faceless/runtime';
import { runPipeline, type PipelineCheckpoint } from './pipeline-runner.ts';
import type { StageClient } from './stage-client.ts';
import { FAKE_STAGE_OUTPUTS } from './fake-stage-outputs.ts';

const OUTPUTS = FAKE_STAGE_OUTPUTS;

function fakeClient(behaviour: Partial<Record<StageKey, (call: number) => unknown>> = {}): StageClient & { calls: { stage: StageKey; input: unknown }[] } {
  const calls: { stage: StageKey; input: unknown }[] = [];
  return {
    calls,
    call(stage, input) {
      calls.push({ stage, input });
      const n = calls.filter((c) => c.stage === stage).length;
      const b = behaviour[stage];
      return Promise.resolve(b ? b(n) : OUTPUTS[stage]);
    },
  };
}

const request = PipelineRequest.parse({ topic: 'octopuses' });
const fast = { attempts: 3, baseDelayMs: 1 };

test('runs every stage in the seed order and publishes the seed\'s events', async () => {
  const client = fakeClient();
  const bus = new MemoryEventBus();
  const checkpoints = new MemoryCheckpointStore<PipelineCheckpoint>();
  const cp = await runPipeline({ pipelineId: 'p1', request, client, checkpoints, bus, retry: fast });
  assert.equal(cp.state, 'Completed');
  assert.deepEqual(client.calls.map((c) => c.stage), [...STAGE_KEYS]);
  assert.deepEqual(bus.published.map((e) => e.name), EVENT_NAMES.filter((n) => n !== 'pipeline.failed'));
  assert.deepEqual(bus.published.map((e) => e.seq), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const abtestInput = client.calls.at(-1)?.input as { variants: { label: string; title: string }[] };
  assert.deepEqual(abtestInput.variants.map((v) => [v.label, v.title]), [['A', 'T'], ['B', 'T2']]);
});

test('a retryable error is retried, then the stage succeeds', async () => {
  const client = fakeClient({
    audio: (n) => { if (n < 3) throw new FacelessError('PROVIDER_UNAVAILABLE', 'down'); return OUTPUTS.audio; },
  });
  const retries: number[] = [];
  const cp = await runPipeline({
    pipelineId: 'p2', request, client, checkpoints: new MemoryCheckpointStore(), bus: new MemoryEventBus(), retry: fast,
    hooks: { onRetry: (_s, r) => retries.push(r.attempt) },
  });
  assert.equal(cp.state, 'Completed');
  assert.deepEqual(retries, [1, 2]);
  assert.equal(cp.stages.audio?.attempts, 3);
});

test('a non-retryable error fails the pipeline with the stage and reason; a rerun resumes at that stage', async () => {
  let broken = true;
  const client = fakeClient({
    video: () => { if (broken) throw new FacelessError('MEDIA_FAILED', 'ffmpeg exploded'); return OUTPUTS.video; },
  });
  const bus = new MemoryEventBus();
  const checkpoints = new MemoryCheckpointStore<PipelineCheckpoint>();
  await assert.rejects(
    runPipeline({ pipelineId: 'p3', request, client, checkpoints, bus, retry: fast }),
    (err: FacelessError) => err.code === 'MEDIA_FAILED' && /video stage .*1 attempt.*ffmpeg exploded/.test(err.message),
  );
  const failed = await checkpoints.load('p3');
  assert.equal(failed?.state, 'Failed');
  assert.deepEqual(failed?.error && { stage: failed.error.stage, code: failed.error.code }, { stage: 'video', code: 'MEDIA_FAILED' });
  assert.equal(bus.published.at(-1)?.name, 'pipeline.failed');

  broken = false;
  const before = client.calls.length;
  const cp = await runPipeline({ pipelineId: 'p3', request, client, checkpoints, bus, retry: fast });
  assert.equal(cp.state, 'Completed');
  assert.equal(cp.error, undefined);
  assert.deepEqual(client.calls.slice(before).map((c) => c.stage), ['video', 'thumbnail', 'metadata', 'upload', 'abtest']);
  assert.equal(bus.published.filter((e) => e.name === 'pipeline.started').length, 1);
  const seqs = bus.published.map((e) => e.seq);
  assert.deepEqual(seqs, seqs.map((_, i) => i + 1));
});

test('retries run out: the pipeline fails naming the stage', async () => {
  const client = fakeClient({ keywords: () => { throw new FacelessError('PROVIDER_RATE_LIMITED', 'slow down'); } });
  await assert.rejects(
    runPipeline({ pipelineId: 'p4', request, client, checkpoints: new MemoryCheckpointStore(), bus: new MemoryEventBus(), retry: fast }),
    /keywords stage \(keyword-fetcher\) failed after 3 attempts: slow down/,
  );
  assert.equal(client.calls.length, 3);
});

test('a completed pipeline is not run again', async () => {
  const client = fakeClient();
  const checkpoints = new MemoryCheckpointStore<PipelineCheckpoint>();
  await runPipeline({ pipelineId: 'p5', request, client, checkpoints, bus: new MemoryEventBus(), retry: fast });
  await runPipeline({ pipelineId: 'p5', request, client, checkpoints, bus: new MemoryEventBus(), retry: fast });
  assert.equal(client.calls.length, STAGE_KEYS.length);
});

test('every event is in the history before the checkpoint counts it, pipeline.completed and pipeline.failed included', async () => {
  const history = new MemoryEventHistory();
  const checkpoints = new MemoryCheckpointStore<PipelineCheckpoint>();
  const inner = new MemoryEventBus();
  const seen: string[] = [];
  // When the bus gets an event, the history has it and the checkpoint already says where it stands.
  const bus: EventBus = {
    async publish(event) {
      const cp = await checkpoints.load(event.pipelineId);
      const kept = await history.read(event.pipelineId);
      assert.deepEqual(kept.at(-1), event);
      assert.equal(cp?.eventSeq, event.seq);
      seen.push(`${event.name}:${cp?.state ?? ''}`);
      await inner.publish(event);
    },
    subscribe: (l) => inner.subscribe(l),
    close: () => inner.close(),
  };
  let broken = true;
  const client = fakeClient({ script: () => { if (broken) throw new FacelessError('INVALID_INPUT', 'no'); return OUTPUTS.script; } });
  await assert.rejects(runPipeline({ pipelineId: 'h1', request, client, checkpoints, bus, history, retry: fast }));
  assert.deepEqual(seen, ['pipeline.started:Running', 'pipeline.keywords.completed:Keywords', 'pipeline.failed:Failed']);
  broken = false;
  await runPipeline({ pipelineId: 'h1', request, client, checkpoints, bus, history, retry: fast });
  assert.equal(seen.at(-1), 'pipeline.completed:Completed');
  assert.deepEqual(await history.read('h1'), inner.published);
  assert.equal((await history.read('h1')).at(-1)?.name, 'pipeline.completed');
  assert.deepEqual((await history.read('h1', 3)).map((e) => e.seq), [4, 5, 6, 7, 8, 9, 10]);
});

test('a cancelled run saves Failed (CANCELLED) and publishes pipeline.failed once, with the stage and code', async () => {
  const controller = new AbortController();
  const client: StageClient = {
    call(stage, _input, options) {
      if (stage !== 'audio') return Promise.resolve(OUTPUTS[stage]);
      controller.abort(new FacelessError('CANCELLED', 'cancelled'));
      return Promise.reject(options.signal.reason as Error);
    },
  };
  const bus = new MemoryEventBus();
  const history = new MemoryEventHistory();
  const checkpoints = new MemoryCheckpointStore<PipelineCheckpoint>();
  await assert.rejects(
    runPipeline({ pipelineId: 'c1', request, client, checkpoints, bus, history, signal: controller.signal, retry: fast }),
    (err: FacelessError) => err.code === 'CANCELLED' && /audio/.test(err.message),
  );
  const failed = bus.published.filter((e) => e.name === 'pipeline.failed');
  assert.deepEqual(failed.map((e) => [e.stage, e.data]), [['audio', { code: 'CANCELLED', message: 'cancelled by the user' }]]);
  const cp = await checkpoints.load('c1');
  assert.deepEqual([cp?.state, cp?.error?.code, cp?.eventSeq], ['Failed', 'CANCELLED', failed[0]?.seq]);
  assert.deepEqual(await history.read('c1'), bus.published);
});

test('a running stage\'s progress is saved in the checkpoint (at most twice a second) and dropped when the stage ends', async () => {
  const checkpoints = new MemoryCheckpointStore<PipelineCheckpoint>();
  const saved: { fraction: number; note?: string }[] = [];
  const client: StageClient = {
    async call(stage, _input, options) {
      if (stage !== 'video') return OUTPUTS[stage];
      for (let i = 1; i <= 8; i++) {
        options.onProgress?.(i / 8, `chunk ${i}`);
        await new Promise((resolve) => setTimeout(resolve, 5));
        const p = (await checkpoints.load('p-progress'))?.progress;
        if (p && saved.at(-1)?.fraction !== p.fraction) saved.push({ fraction: p.fraction, ...(p.note ? { note: p.note } : {}) });
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
      return OUTPUTS.video;
    },
  };
  const started = Date.now();
  const cp = await runPipeline({ pipelineId: 'p-progress', request, client, checkpoints, bus: new MemoryEventBus(), retry: fast });
  const took = Date.now() - started;
  assert.equal(cp.state, 'Completed');
  assert.equal(cp.progress, undefined);
  assert.equal((await checkpoints.load('p-progress'))?.progress, undefined);
  // 8 reports at least 155 ms apart: the first is saved, then at most one every 500 ms.
  assert.ok(saved.length >= 2 && saved.length <= Math.floor(took / 500) + 1, `saved ${JSON.stringify(saved)} in ${took} ms`);
  assert.deepEqual(saved[0], { fraction: 0.125, note: 'chunk 1' });
  assert.ok(saved.every((p, i) => i === 0 || p.fraction > (saved[i - 1]?.fraction ?? 0)));
});
