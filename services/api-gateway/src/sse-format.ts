import type { PipelineEvent } from '@faceless/contracts';

export const SSE_HEARTBEAT = ': heartbeat\n\n';

/** One server-sent event: the pipeline's own sequence number as id, the event name, the event as JSON. */
export function formatSseEvent(event: PipelineEvent): string {
  return `id: ${event.seq}\nevent: ${event.name}\ndata: ${JSON.stringify(event)}\n\n`;
}

export function isFinalEvent(event: PipelineEvent): boolean {
  return event.name === 'pipeline.completed' || event.name === 'pipeline.failed';
}
