import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { MemoryEventBus, MemoryEventHistory } from '@faceless/infra';
import { inSpan, startTracing } from '@faceless/runtime';
import { startOtlpReceiver } from '@faceless/runtime/testing/otlp-receiver';
import { FAKE_STAGE_OUTPUTS } from './fake-stage-outputs.ts';
import { FolderCheckpointStore } from './folder-checkpoint-store.ts';
import { InProcessPipelineQueue } from './in-process-queue.ts';
import { buildOrchestratorApp } from './orchestrator-app.ts';
import type { PipelineCheckpoint } from './pipeline-runner.ts';
import { tracedStageClient } from './pipeline-tracing.ts';
import type { StageClient } from './stage-client.ts';

// faceless serve's host: a pipeline's runs are in the trace of the request that started it, also after a restart.
const receiver = await startOtlpReceiver();
Object.assign(process.env, { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_BSP_SCHEDULE_DELAY: '50' });
const tracing = startTracing({ serviceName: 'in-process-queue-test' });
const work = await mkdtemp(join(tmpdir(), 'faceless-queue-trace-'));
after(async () => {
  await tracing.shutdown();
  await receiver.close();
  await rm(work, { recursive: true, force: true });
});

test('the in-process queue runs a pipeline in the trace of its start request, and a new queue (a restart) resumes it in the same trace', async () => {
  const checkpoints = new FolderCheckpointStore<PipelineCheckpoint>(join(work, 'pipelines'));
  let holdVideo = true;
  const client: StageClient = {
    call: (stage) => (stage === 'video' && holdVideo ? Promise.reject(Object.assign(new Error('the machine went down'), { code: 'CANCELLED' })) : Promise.resolve(FAKE_STAGE_OUTPUTS[stage])),
  };
  const options = { client: tracedStageClient(client), checkpoints, bus: new MemoryEventBus(), history: new MemoryEventHistory(), retry: { attempts: 1, baseDelayMs: 1 } };
  const first = new InProcessPipelineQueue(options);
  const app = buildOrchestratorApp({ queue: first, checkpoints, history: options.history, logger: false });
  const pipelineId = await inSpan('start request', {}, async () => {
    const res = await app.inject({ method: 'POST', url: '/pipelines/start', payload: { topic: 'octopuses' } });
    assert.equal(res.statusCode, 202, res.body);
    return res.json<{ pipelineId: string }>().pipelineId;
  });
  await first.idle();
  const saved = await checkpoints.load(pipelineId);
  assert.match(saved?.trace?.traceparent ?? '', /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/, 'the checkpoint keeps the start request\'s trace');
  await first.close();
  await app.close();

  // "After the restart": another queue, outside any span, retries the pipeline from its checkpoint.
  holdVideo = false;
  await checkpoints.save(pipelineId, { ...(saved as PipelineCheckpoint), state: 'Retry' });
  const second = new InProcessPipelineQueue(options);
  await second.enqueue(pipelineId);
  await second.idle();
  assert.equal((await checkpoints.load(pipelineId))?.state, 'Completed');
  await second.close();
  await tracing.shutdown();

  const start = receiver.spans.find((s) => s.name === 'start request');
  const runs = receiver.spans.filter((s) => s.name === 'pipeline');
  assert.ok(start, receiver.spans.map((s) => s.name).join(', '));
  assert.equal(runs.length, 2, 'one pipeline span per run');
  assert.ok(runs.every((s) => s.traceId === start.traceId), 'both runs, before and after the restart, in the start request\'s trace');
  assert.ok(runs.every((s) => s.attributes['faceless.pipeline.id'] === pipelineId));
  const stages = receiver.spans.filter((s) => s.name.startsWith('stage ') && s.traceId === start.traceId).map((s) => s.name);
  assert.ok(stages.includes('stage keywords') && stages.includes('stage abtest'), stages.join(', '));
});
