import { z } from 'zod';
import { ErrorCodeName } from './error-codes.ts';
import { PipelineState } from './pipeline.ts';
import { STAGES } from './stages.ts';

/** The one error body every HTTP service answers with. */
export const ErrorBody = z.strictObject({
  error: z.strictObject({
    code: ErrorCodeName,
    message: z.string(),
    field: z.string().optional(),
    requestId: z.string().optional(),
    /** Whether trying again later can help: the FacelessError's own decision, which can differ from its code's default. */
    retryable: z.boolean().optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

/** 202 answer of POST /pipelines/start (orchestrator) and POST /api/pipelines/start (gateway). */
export const StartPipelineResponse = z.strictObject({ pipelineId: z.string().min(1), state: PipelineState });
export type StartPipelineResponse = z.infer<typeof StartPipelineResponse>;

export const StageStatus = z.strictObject({
  stage: z.enum(STAGES.map((s) => s.key) as [string, ...string[]]),
  service: z.string(),
  status: z.enum(['pending', 'running', 'completed', 'failed']),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  durationMs: z.number().optional(),
  attempts: z.number().int().optional(),
  /** A running stage's last progress report: whole percent done and what it is doing. */
  percent: z.number().int().min(0).max(100).optional(),
  note: z.string().optional(),
  output: z.unknown().optional(),
});
export type StageStatus = z.infer<typeof StageStatus>;

/** GET /pipelines/status/:id */
export const PipelineStatus = z.strictObject({
  pipelineId: z.string(),
  state: PipelineState,
  currentStage: z.string().optional(),
  request: z.record(z.string(), z.unknown()),
  stages: z.array(StageStatus),
  error: z.strictObject({ stage: z.string(), code: z.string(), message: z.string(), attempts: z.number().int() }).optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type PipelineStatus = z.infer<typeof PipelineStatus>;
