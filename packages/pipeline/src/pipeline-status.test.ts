import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PipelineRequest, PipelineStatus } from '@faceless/contracts';
import { MemoryCheckpointStore, MemoryEventBus } from '@faceless/infra';
import { FacelessError } from '@faceless/runtime';
import { FAKE_STAGE_OUTPUTS } from './fake-stage-outputs.ts';
import { newCheckpoint, runPipeline, type PipelineCheckpoint } from './pipeline-runner.ts';
import { toPipelineStatus, toPipelineSummary } from './pipeline-status.ts';
import { SEED_CATALOG, type PipelineStage, type StageCatalog } from './stage-catalog.ts';
import type { StageClient } from './stage-client.ts';

const request = PipelineRequest.parse({ topic: 'octopuses' });
const base = newCheckpoint('p1', request, 'pipelines/p1/', '2026-01-01T00:00:00.000Z');
const done = (startedAt: string, finishedAt: string, attempts = 1): NonNullable<PipelineCheckpoint['stages']['keywords']> =>
  ({ status: 'completed', output: { ok: startedAt }, startedAt, finishedAt, attempts });

test('a queued pipeline: every stage pending, valid against the contract', () => {
  const s = toPipelineStatus(base);
  assert.equal(s.state, 'Queued');
  assert.deepEqual(s.stages.map((x) => x.status), Array(8).fill('pending'));
  assert.equal(s.stages[3]?.service, 'video-assembler');
  assert.equal(PipelineStatus.safeParse(s).success, true);
});

test('a running pipeline: completed stages with timing and output, the current one running', () => {
  const cp: PipelineCheckpoint = {
    ...base, state: 'Audio', currentStage: 'audio',
    stages: {
      keywords: done('2026-01-01T00:00:01.000Z', '2026-01-01T00:00:01.250Z'),
      script: done('2026-01-01T00:00:02.000Z', '2026-01-01T00:00:04.000Z', 2),
    },
  };
  const s = toPipelineStatus(cp);
  assert.equal(s.currentStage, 'audio');
  assert.deepEqual(s.stages.slice(0, 4).map((x) => [x.status, x.durationMs, x.attempts]),
    [['completed', 250, 1], ['completed', 2000, 2], ['running', undefined, undefined], ['pending', undefined, undefined]]);
  assert.deepEqual(s.stages[0]?.output, { ok: '2026-01-01T00:00:01.000Z' });
  assert.equal(PipelineStatus.safeParse(s).success, true);
  assert.deepEqual(toPipelineSummary(cp), {
    pipelineId: 'p1', state: 'Audio', topic: 'octopuses', currentStage: 'audio', completedStages: 2,
    createdAt: base.createdAt, updatedAt: base.updatedAt,
  });
});

test('a failed pipeline: the failed stage, the error, no current stage', () => {
  const cp: PipelineCheckpoint = {
    ...base, state: 'Failed', currentStage: 'keywords', stages: {},
    error: { stage: 'keywords', code: 'PROVIDER_RATE_LIMITED', message: 'slow down', attempts: 3 },
  };
  const s = toPipelineStatus(cp);
  assert.equal(s.currentStage, undefined);
  assert.deepEqual([s.stages[0]?.status, s.stages[0]?.attempts], ['failed', 3]);
  assert.deepEqual(s.error, { stage: 'keywords', code: 'PROVIDER_RATE_LIMITED', message: 'slow down', attempts: 3 });
  assert.equal(toPipelineSummary(cp).error?.code, 'PROVIDER_RATE_LIMITED');
});

test('the running stage shows its last progress as a whole percent and its note; a stale report of another stage does not', () => {
  const running: PipelineCheckpoint = {
    ...base, state: 'Video', currentStage: 'video',
    progress: { stage: 'video', fraction: 0.427, note: 'encoding chunk 3 of 7', at: '2026-01-01T00:00:09.000Z' },
  };
  const video = toPipelineStatus(running).stages[3];
  assert.deepEqual([video?.status, video?.percent, video?.note], ['running', 42, 'encoding chunk 3 of 7']);
  assert.equal(PipelineStatus.safeParse(toPipelineStatus(running)).success, true);
  const stale = toPipelineStatus({ ...running, state: 'Thumbnail', currentStage: 'thumbnail' });
  assert.equal(stale.stages[4]?.percent, undefined);
  assert.equal(stale.stages[3]?.percent, undefined);
});

test('each stage carries its times once known: start and end of a completed or failed stage, the start of the running one', () => {
  const completed = done('2026-01-01T00:00:01.000Z', '2026-01-01T00:00:03.500Z');
  const running = toPipelineStatus({
    ...base, state: 'Script', currentStage: 'script', stages: { keywords: completed },
    stageRun: { stage: 'script', startedAt: '2026-01-01T00:00:04.000Z' },
  });
  assert.deepEqual(running.stages.slice(0, 3).map((s) => [s.status, s.startedAt, s.endedAt, s.durationMs]), [
    ['completed', '2026-01-01T00:00:01.000Z', '2026-01-01T00:00:03.500Z', 2500],
    ['running', '2026-01-01T00:00:04.000Z', undefined, undefined],
    ['pending', undefined, undefined, undefined],
  ]);
  const failed = toPipelineStatus({
    ...base, state: 'Failed', currentStage: 'script', stages: { keywords: completed },
    stageRun: { stage: 'script', startedAt: '2026-01-01T00:00:04.000Z', endedAt: '2026-01-01T00:00:04.750Z' },
    error: { stage: 'script', code: 'PROVIDER_AUTH', message: 'bad key', attempts: 1 },
  });
  assert.deepEqual([failed.stages[1]?.status, failed.stages[1]?.startedAt, failed.stages[1]?.endedAt, failed.stages[1]?.durationMs],
    ['failed', '2026-01-01T00:00:04.000Z', '2026-01-01T00:00:04.750Z', 750]);
  assert.equal(PipelineStatus.safeParse(failed).success, true);
});

test('the runner keeps the times of the stage that runs or fails in the checkpoint, so the status shows them after a restart', async () => {
  const checkpoints = new MemoryCheckpointStore<PipelineCheckpoint>();
  let tick = Date.parse('2026-01-01T00:00:00.000Z');
  const now = () => new Date((tick += 100));
  let seenWhileRunning: PipelineStatus['stages'][number] | undefined;
  const client: StageClient = {
    async call(stage) {
      if (stage === 'keywords') return FAKE_STAGE_OUTPUTS.keywords;
      const cp = await checkpoints.load('t1');
      seenWhileRunning = cp && toPipelineStatus(cp).stages[1];
      throw new FacelessError('PROVIDER_AUTH', 'bad key');
    },
  };
  await assert.rejects(runPipeline({ pipelineId: 't1', request, client, checkpoints, bus: new MemoryEventBus(), retry: { attempts: 1, baseDelayMs: 1 }, now }));
  assert.equal(seenWhileRunning?.status, 'running');
  assert.match(seenWhileRunning?.startedAt ?? '', /^2026-01-01T00:00:\d\d\.\d00Z$/, 'the runner\'s clock');
  const script = toPipelineStatus((await checkpoints.load('t1'))!).stages[1];
  assert.equal(script?.status, 'failed');
  assert.equal(script?.startedAt, seenWhileRunning?.startedAt);
  assert.ok(script?.durationMs !== undefined && script.durationMs > 0, JSON.stringify(script));
  assert.equal(Date.parse(script.endedAt ?? '') - Date.parse(script.startedAt ?? ''), script.durationMs);
});

test('the stages listed are the catalog\'s: a stage a catalog adds is shown in its place', () => {
  const extra = { ...SEED_CATALOG[0]!, key: 'word-count', service: 'word-counter' } as PipelineStage<string>;
  const catalog: StageCatalog<string> = [...SEED_CATALOG.slice(0, 2), extra, ...SEED_CATALOG.slice(2)];
  const cp = {
    ...base, state: 'Running', currentStage: 'word-count',
    stages: { 'word-count': done('2026-01-01T00:00:01.000Z', '2026-01-01T00:00:02.000Z') },
  } as PipelineCheckpoint<string>;
  const s = toPipelineStatus(cp, catalog);
  assert.deepEqual(s.stages.map((x) => x.stage), ['keywords', 'script', 'word-count', 'audio', 'video', 'thumbnail', 'metadata', 'upload', 'abtest']);
  assert.deepEqual([s.stages[2]?.service, s.stages[2]?.status, s.stages[2]?.durationMs], ['word-counter', 'completed', 1000]);
  assert.equal(PipelineStatus.safeParse(s).success, true);
  assert.equal(toPipelineSummary(cp, catalog).completedStages, 1);
  assert.equal(toPipelineStatus(cp).stages.length, 8, 'the seed catalog by default');
});
