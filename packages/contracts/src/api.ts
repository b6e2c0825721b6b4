import { z } from 'zod';
import { ErrorCodeName } from './error-codes.ts';
import { YOUTUBE_LIMITS } from './metadata.ts';
import { PipelineState } from './pipeline.ts';
import { trimmedText } from './text-fields.ts';

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

/** One stage of a pipeline's status, in its catalog's order (the seed's eight, and any stage a catalog adds). */
export const StageStatus = z.strictObject({
  stage: z.string(),
  service: z.string(),
  status: z.enum(['pending', 'running', 'completed', 'failed']),
  /** ISO times of the stage's run: the start once it runs, the end once it completed or failed. */
  startedAt: z.string().optional(),
  endedAt: z.string().optional(),
  /** endedAt − startedAt, once both are known. */
  durationMs: z.number().optional(),
  attempts: z.number().int().optional(),
  /** A running stage's last progress report: whole percent done and what it is doing. */
  percent: z.number().int().min(0).max(100).optional(),
  note: z.string().optional(),
  output: z.unknown().optional(),
});
export type StageStatus = z.infer<typeof StageStatus>;

/** What a pipeline in Review offers to check and change: the metadata and thumbnail stages' choices. */
export const PipelineReview = z.strictObject({
  title: z.string(),
  /** The title first, then the alternatives the A/B test rotates. */
  titles: z.array(z.string()),
  description: z.string(),
  /** How many thumbnails were made; `thumbnail` of a review decision is an index below it. */
  thumbnails: z.number().int(),
  /** The index of the thumbnail the upload will use. */
  thumbnail: z.number().int(),
});
export type PipelineReview = z.infer<typeof PipelineReview>;

/** GET /pipelines/status/:id */
export const PipelineStatus = z.strictObject({
  pipelineId: z.string(),
  state: PipelineState,
  currentStage: z.string().optional(),
  request: z.record(z.string(), z.unknown()),
  stages: z.array(StageStatus),
  /** Only in the Review state. */
  review: PipelineReview.optional(),
  error: z.strictObject({ stage: z.string(), code: z.string(), message: z.string(), attempts: z.number().int() }).optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type PipelineStatus = z.infer<typeof PipelineStatus>;

const NO_ANGLE_BRACKETS = /^[^<>]*$/;

/**
 * POST /pipelines/:id/review: approve (optionally editing the title, the description and the
 * thumbnail chosen) or reject a pipeline waiting in Review. The edits are held to YouTube's limits.
 */
export const PipelineReviewRequest = z.strictObject({
  decision: z.enum(['approve', 'reject'], { error: 'decision must be "approve" or "reject"' }),
  title: trimmedText({
    max: YOUTUBE_LIMITS.titleChars,
    empty: 'title is empty: give the video a title, or leave the field out to keep the one proposed',
    tooLong: `title is longer than ${YOUTUBE_LIMITS.titleChars} characters, YouTube's limit: shorten it`,
  }).refine((t) => NO_ANGLE_BRACKETS.test(t), 'title contains < or >, which YouTube refuses: remove them').optional(),
  description: z.string()
    .max(YOUTUBE_LIMITS.descriptionBytes, `description is longer than ${YOUTUBE_LIMITS.descriptionBytes} characters, YouTube's limit: shorten it`)
    .refine((d) => new TextEncoder().encode(d).length <= YOUTUBE_LIMITS.descriptionBytes, `description is over ${YOUTUBE_LIMITS.descriptionBytes} bytes in UTF-8, YouTube's limit: shorten it`)
    .refine((d) => NO_ANGLE_BRACKETS.test(d), 'description contains < or >, which YouTube refuses: remove them')
    .optional(),
  /** Index into the thumbnails made (the status's `review.thumbnails`). */
  thumbnail: z.number().int('thumbnail must be a whole number: the index of a thumbnail, from 0')
    .min(0, 'thumbnail must be 0 or more: the index of a thumbnail').optional(),
  /** Why it was rejected, kept in the pipeline's error. */
  reason: z.string().max(500, 'reason is longer than 500 characters: shorten it').optional(),
});
export type PipelineReviewRequest = z.infer<typeof PipelineReviewRequest>;
export type PipelineReviewDecision = PipelineReviewRequest['decision'];
