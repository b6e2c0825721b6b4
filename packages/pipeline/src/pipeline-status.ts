import type { PipelineState, PipelineStatus, StageStatus } from '@faceless/contracts';
import { SEED_CATALOG } from './stage-catalog.ts';
import { checkpointOutputs, type PipelineCheckpoint } from './pipeline-runner.ts';

const TERMINAL: readonly PipelineState[] = ['Completed', 'Failed'];

/** What GET /pipelines/status/:id answers: the checkpoint seen stage by stage. */
export function toPipelineStatus(cp: PipelineCheckpoint): PipelineStatus {
  const stages: StageStatus[] = SEED_CATALOG.map((info) => {
    const record = cp.stages[info.key];
    if (record) {
      return {
        stage: info.key,
        service: info.service,
        status: 'completed',
        startedAt: record.startedAt,
        finishedAt: record.finishedAt,
        durationMs: Date.parse(record.finishedAt) - Date.parse(record.startedAt),
        attempts: record.attempts,
        output: record.output,
      };
    }
    if (cp.state === 'Failed' && cp.error?.stage === info.key) {
      return { stage: info.key, service: info.service, status: 'failed', attempts: cp.error.attempts };
    }
    if (cp.currentStage === info.key && !TERMINAL.includes(cp.state)) {
      const p = cp.progress?.stage === info.key ? cp.progress : undefined;
      return {
        stage: info.key,
        service: info.service,
        status: 'running',
        ...(p ? { percent: Math.floor(p.fraction * 100), ...(p.note ? { note: p.note } : {}) } : {}),
      };
    }
    return { stage: info.key, service: info.service, status: 'pending' };
  });
  return {
    pipelineId: cp.pipelineId,
    state: cp.state,
    ...(cp.currentStage && !TERMINAL.includes(cp.state) ? { currentStage: cp.currentStage } : {}),
    request: { ...cp.request },
    stages,
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

export function toPipelineSummary(cp: PipelineCheckpoint): PipelineSummary {
  return {
    pipelineId: cp.pipelineId,
    state: cp.state,
    topic: cp.request.topic,
    ...(cp.currentStage && !TERMINAL.includes(cp.state) ? { currentStage: cp.currentStage } : {}),
    completedStages: SEED_CATALOG.filter((s) => cp.stages[s.key]).length,
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
