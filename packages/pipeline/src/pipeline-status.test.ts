import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PipelineRequest, PipelineStatus } from '@faceless/contracts';
import { newCheckpoint, type PipelineCheckpoint } from './pipeline-runner.ts';
import { toPipelineStatus, toPipelineSummary } from './pipeline-status.ts';

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
