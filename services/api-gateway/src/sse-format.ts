import type { PipelineEvent } from '@faceless/contracts';

export const SSE_HEARTBEAT = ': heartbeat\n\n';

/** One server-sent event: the pipeline's own sequence number as id, the event name, the event as JSON. */
export function formatSseEvent(event: PipelineEvent): string {
  return `id: ${event.seq}\nevent: ${event.name}\ndata: ${JSON.stringify(event)}\n\n`;
}

export function isFinalEvent(event: PipelineEvent): boolean {
  return event.name === 'pipeline.completed' || event.name === 'pipeline.failed';
}

/** How often an open event stream reads the pipeline's status for progress: at most two progress events a second. */
export const SSE_PROGRESS_POLL_MS = 500;

export interface SseProgress {
  pipelineId: string;
  stage: string;
  percent: number;
  note?: string;
}

/** The running stage's progress in a GET /pipelines/status/:id answer, or undefined when none is reported. */
export function runningProgress(status: unknown): SseProgress | undefined {
  const s = status as { pipelineId?: unknown; stages?: { stage?: unknown; status?: unknown; percent?: unknown; note?: unknown }[] } | undefined;
  const running = Array.isArray(s?.stages) ? s.stages.find((x) => x.status === 'running') : undefined;
  if (typeof s?.pipelineId !== 'string' || typeof running?.stage !== 'string' || typeof running.percent !== 'number') return undefined;
  return { pipelineId: s.pipelineId, stage: running.stage, percent: running.percent, ...(typeof running.note === 'string' ? { note: running.note } : {}) };
}

/**
 * A progress event: no id line, so a reconnecting client's Last-Event-ID stays the seq of the
 * last pipeline event, and the replay is unchanged.
 */
export function formatSseProgress(progress: SseProgress): string {
  return `event: progress\ndata: ${JSON.stringify(progress)}\n\n`;
}
