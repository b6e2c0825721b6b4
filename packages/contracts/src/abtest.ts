import { z } from 'zod';

export const AbTestVariantInput = z.strictObject({
  label: z.string().min(1).max(50),
  thumbnailPath: z.string().optional(),
  title: z.string().min(1).max(100).optional(),
});
export type AbTestVariantInput = z.infer<typeof AbTestVariantInput>;

export const AbTestCreateInput = z.strictObject({
  pipelineId: z.string().min(1).max(100),
  videoId: z.string().min(1),
  /** The YouTube channel the video was uploaded to (the upload stage's output); absent for a local upload. */
  channel: z.string().min(1).max(64).optional(),
  variants: z.array(AbTestVariantInput).min(2, 'an experiment needs at least two variants').max(10),
  rotationHours: z.number().int().min(1).max(24 * 7).default(24),
  /** What the test decides on: CTR, or watch time per impression (CTR × average view duration). */
  metric: z.enum(['ctr', 'watch-time']).optional(),
  /** Days after the upload during which the first variant stays live, left out of the verdict (default 3). */
  launchDays: z.number().min(0).max(365).optional(),
});
export type AbTestCreateInput = z.infer<typeof AbTestCreateInput>;

/** The states of a stored experiment (the ab-tester's, and the gateway's /api/abtests). */
export const EXPERIMENT_STATUSES = ['running', 'stopped', 'decided'] as const;
export type ExperimentStatus = (typeof EXPERIMENT_STATUSES)[number];

export const AbTestCreateOutput = z.strictObject({
  testId: z.string().min(1),
  status: z.string(),
  variants: z.array(z.strictObject({ id: z.string(), label: z.string() })).min(2),
});
export type AbTestCreateOutput = z.infer<typeof AbTestCreateOutput>;
