import { z } from 'zod';
import { STAGES, type StageKey } from './stages.ts';

export const EVENT_NAMES = [
  'pipeline.started',
  ...STAGES.map((s) => s.event),
  'pipeline.failed',
] as const;
export type EventName = (typeof EVENT_NAMES)[number];

export const PipelineEvent = z.strictObject({
  id: z.string().min(1),
  name: z.enum(EVENT_NAMES),
  pipelineId: z.string().min(1),
  /** Position in the pipeline's own event sequence, from 1: lets a consumer see a gap or a reorder. */
  seq: z.number().int().positive(),
  at: z.string(),
  stage: z.string().optional(),
  data: z.record(z.string(), z.unknown()).default({}),
});
export type PipelineEvent = z.infer<typeof PipelineEvent>;

export function completionEvent(stage: StageKey): EventName {
  const info = STAGES.find((s) => s.key === stage);
  if (!info) throw new Error(`unknown stage ${stage}`);
  return info.event;
}
