import { z } from 'zod';
import { Language } from './pipeline.ts';

export const ThumbnailGenerateInput = z.strictObject({
  outputPrefix: z.string().max(200).default(''),
  title: z.string().min(1).max(200),
  lang: Language.default('en'),
  /** An image (e.g. a frame of the video) to use as a background. */
  backgroundPath: z.string().optional(),
  variants: z.number().int().min(2).max(5).default(3),
});
export type ThumbnailGenerateInput = z.infer<typeof ThumbnailGenerateInput>;

export const ThumbnailVariant = z.strictObject({
  id: z.string().min(1),
  path: z.string().min(1),
  layout: z.string(),
  text: z.string(),
  width: z.literal(1280),
  height: z.literal(720),
  bytes: z.number().int().positive().max(2 * 1024 * 1024),
  mime: z.enum(['image/jpeg', 'image/png']),
});
export type ThumbnailVariant = z.infer<typeof ThumbnailVariant>;

export const ThumbnailGenerateOutput = z.strictObject({
  thumbnailPath: z.string().min(1),
  variants: z.array(ThumbnailVariant).min(2),
});
export type ThumbnailGenerateOutput = z.infer<typeof ThumbnailGenerateOutput>;
