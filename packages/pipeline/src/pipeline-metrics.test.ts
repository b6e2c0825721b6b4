import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { StageKey } from '@faceless/contracts';
import { MemoryEventBus, MemoryEventHistory } from '@faceless/infra';
import { FAKE_STAGE_OUTPUTS } from './fake-stage-outputs.ts';
import { FolderCheckpointStore, InProcessPipelineQueue, buildOrchestratorApp, type PipelineCheckpoint, type StageClient } from './index.ts';
import { FacelessError, createMetrics } from '@faceless/runtime';
import { pipelineMetricsHooks } from './pipeline-metrics.ts';

/** The value of the sample `name{labels}` in a /metrics text, or undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const line = text.split('\n').find((l) => (l.startsWith(`${name}{`) || l.startsWith(`${name} `))
    && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
}

test('the runner\'s metrics on the orchestrator\'s /metrics: started, completed, failed by stage service and code, retries, duration', async () => {
  // Once broken: audio fails twice (retryable), then video fails for good.
  let broken = false;
  const calls = new Map<string, number>();
  const client: StageClient = {
    call(stage: StageKey, _input, ctx) {
      const n = (calls.get(`${ctx.pipelineId}:${stage}`) ?? 0) + 1;
      calls.set(`${ctx.pipelineId}:${stage}`, n);
      if (broken && stage === 'audio' && n <= 2) return Promise.reject(new FacelessError('PROVIDER_UNAVAILABLE', 'tts down'));
      if (broken && stage === 'video') return Promise.reject(new FacelessError('MEDIA_FAILED', 'ffmpeg exploded'));
      return Promise.resolve(FAKE_STAGE_OUTPUTS[stage]);
    },
  };
  const metrics = createMetrics({ defaultMetrics: false, labels: { service: 'orchestrator' } });
  const dir = await mkdtemp(join(tmpdir(), 'faceless-pipeline-metrics-'));
  const checkpoints = new FolderCheckpointStore<PipelineCheckpoint>(dir);
  const history = new MemoryEventHistory();
  const queue = new InProcessPipelineQueue({
    client, checkpoints, bus: new MemoryEventBus(), history, concurrency: 2,
    retry: { attempts: 3, baseDelayMs: 1 }, hooks: pipelineMetricsHooks(metrics.registry),
  });
  const app = buildOrchestratorApp({ queue, checkpoints, history, logger: false, metrics });
  try {
    const before = (await app.inject({ url: '/metrics' })).body;
    assert.equal(sample(before, 'faceless_pipelines_started_total'), 0);
    for (const topic of ['octopuses', 'squid', 'nautilus']) {
      const res = await app.inject({ method: 'POST', url: '/pipelines/start', payload: { topic } });
      assert.equal(res.statusCode, 202, res.body);
    }
    await queue.idle();
    broken = true;
    const failing = await app.inject({ method: 'POST', url: '/pipelines/start', payload: { topic: 'kraken' } });
    const failedId = failing.json<{ pipelineId: string }>().pipelineId;
    await queue.idle();
    assert.equal((await checkpoints.load(failedId))?.state, 'Failed');
    const text = (await app.inject({ url: '/metrics' })).body;
    assert.equal(sample(text, 'faceless_pipelines_started_total', { service: 'orchestrator' }), 4);
    assert.equal(sample(text, 'faceless_pipelines_completed_total'), 3);
    assert.equal(sample(text, 'faceless_pipelines_failed_total', { stage: 'video-assembler', code: 'MEDIA_FAILED', service: 'orchestrator' }), 1);
    assert.equal(sample(text, 'faceless_pipeline_stage_retries_total', { stage: 'tts-renderer', code: 'PROVIDER_UNAVAILABLE' }), 2);
    assert.equal(sample(text, 'faceless_pipeline_duration_seconds_count', { outcome: 'completed' }), 3);
    assert.equal(sample(text, 'faceless_pipeline_duration_seconds_count', { outcome: 'failed' }), 1);
    assert.equal(sample(text, 'faceless_pipeline_duration_seconds_bucket', { outcome: 'completed', le: '30' }), 3, 'fake stages finish in well under 30 s');

    // A retry that fails again is a second failure, not a second start.
    const retried = await app.inject({ method: 'POST', url: `/pipelines/${failedId}/retry` });
    assert.equal(retried.statusCode, 202, retried.body);
    await queue.idle();
    const again = (await app.inject({ url: '/metrics' })).body;
    assert.equal(sample(again, 'faceless_pipelines_started_total'), 4);
    assert.equal(sample(again, 'faceless_pipelines_failed_total', { stage: 'video-assembler', code: 'MEDIA_FAILED' }), 2);
  } finally {
    await queue.close();
    await app.close();
    await rm(dir, { recursive: true, force: true });
  }
});
