import type { PipelineState, PipelineStatus, StageStatus } from '@faceless/contracts';
import { reviewSummary } from './pipeline-review.ts';
import { SEED_CATALOG, type StageCatalog } from './stage-catalog.ts';
import { checkpointOutputs, type PipelineCheckpoint } from './pipeline-runner.ts';

const TERMINAL: readonly PipelineState[] = ['Completed', 'Failed'];

/** A stage's times as the status shows them: each once known, the duration once both are. */
function timing(startedAt: string | undefined, endedAt: string | undefined): Pick<StageStatus, 'startedAt' | 'endedAt' | 'durationMs'> {
  return {
    ...(startedAt ? { startedAt } : {}),
    ...(endedAt ? { endedAt } : {}),
    ...(startedAt && endedAt ? { durationMs: Date.parse(endedAt) - Date.parse(startedAt) } : {}),
  };
}

/**
 * What GET /pipelines/status/:id answers: the checkpoint seen stage by stage, in the catalog's
 * order (default the seed's), each stage with its times once known.
 */
export function toPipelineStatus<K extends string>(
  cp: PipelineCheckpoint<K>, catalog: StageCatalog<K> = SEED_CATALOG as unknown as StageCatalog<K>,
): PipelineStatus {
  const stages: StageStatus[] = catalog.map((info) => {
    const record = cp.stages[info.key];
    if (record) {
      return {
        stage: info.key,
        service: info.service,
        status: 'completed',
        ...timing(record.startedAt, record.finishedAt),
        attempts: record.attempts,
        output: record.output,
      };
    }
    const run = cp.stageRun?.stage === info.key ? cp.stageRun : undefined;
    if (cp.state === 'Failed' && cp.error?.stage === info.key) {
      return { stage: info.key, service: info.service, status: 'failed', ...timing(run?.startedAt, run?.endedAt), attempts: cp.error.attempts };
    }
    // In Review the current stage is the one that waits for the decision: it has not started.
    if (cp.currentStage === info.key && !TERMINAL.includes(cp.state) && cp.state !== 'Review') {
      const p = cp.progress?.stage === info.key ? cp.progress : undefined;
      return {
        stage: info.key,
        service: info.service,
        status: 'running',
        ...timing(run?.startedAt, undefined),
        ...(p ? { percent: Math.floor(p.fraction * 100), ...(p.note ? { note: p.note } : {}) } : {}),
      };
    }
    return { stage: info.key, service: info.service, status: 'pending' };
  });
  const review = cp.state === 'Review' ? reviewSummary(checkpointOutputs(cp)) : undefined;
  return {
    pipelineId: cp.pipelineId,
    state: cp.state,
    ...(cp.currentStage && !TERMINAL.includes(cp.state) ? { currentStage: cp.currentStage } : {}),
    request: { ...cp.request },
    stages,
    ...(review ? { review } : {}),
    ...(cp.error ? { error: { ...cp.error } } : {}),
    createdAt: cp.createdAt,
    updatedAt: cp.updatedAt,
  };
}

/** One line of GET /pipelines: no stage outputs. */
export interface PipelineSummary {
  pipelineId: string;
  state: PipelineState;
  topic: string;
  currentStage?: string;
  completedStages: number;
  error?: { stage: string; code: string; message: string };
  createdAt: string;
  updatedAt: string;
}

export function toPipelineSummary<K extends string>(
  cp: PipelineCheckpoint<K>, catalog: StageCatalog<K> = SEED_CATALOG as unknown as StageCatalog<K>,
): PipelineSummary {
  return {
    pipelineId: cp.pipelineId,
    state: cp.state,
    topic: cp.request.topic,
    ...(cp.currentStage && !TERMINAL.includes(cp.state) ? { currentStage: cp.currentStage } : {}),
    completedStages: catalog.filter((s) => cp.stages[s.key]).length,
    ...(cp.error ? { error: { stage: cp.error.stage, code: cp.error.code, message: cp.error.message } } : {}),
    createdAt: cp.createdAt,
    updatedAt: cp.updatedAt,
  };
}

/** The object-store keys a pipeline has made so far, named for a person (pure). */
export function artifactKeys(cp: PipelineCheckpoint): { name: string; key: string }[] {
  const o = checkpointOutputs(cp);
  const list: { name: string; key: string | undefined }[] = [
    { name: 'video', key: o.video?.videoPath },
    { name: 'voice', key: o.audio?.audioPath },
    { name: 'poster', key: o.video?.posterPath },
    { name: 'captions (SRT)', key: o.video?.captionsSrtPath },
    { name: 'captions (WebVTT)', key: o.video?.captionsVttPath },
    ...(o.thumbnail?.variants ?? []).map((v) => ({ name: `thumbnail ${v.id}`, key: v.path })),
    { name: 'metadata', key: o.metadata?.metadataPath },
    { name: 'publish record', key: o.upload?.recordPath },
  ];
  return list.filter((a): a is { name: string; key: string } => Boolean(a.key));
}
