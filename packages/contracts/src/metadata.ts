import { z } from 'zod';
import { Language } from './pipeline.ts';
import { Script } from './script.ts';
import { SegmentTiming } from './tts.ts';

/** YouTube's metadata limits (Data API v3, videos resource). */
export const YOUTUBE_LIMITS = {
  titleChars: 100,
  descriptionBytes: 5000,
  tagsChars: 500,
  chapterMinSec: 10,
  chapterMinCount: 3,
} as const;

export const MetadataGenerateInput = z.strictObject({
  outputPrefix: z.string().max(200).default(''),
  script: Script,
  lang: Language.default('en'),
  keywords: z.array(z.string().min(1)).max(50).default([]),
  segments: z.array(SegmentTiming).min(1),
  durationSec: z.number().positive(),
  /** Lines to append, e.g. credits for stock footage. */
  credits: z.array(z.string()).default([]),
});
export type MetadataGenerateInput = z.infer<typeof MetadataGenerateInput>;

export const Chapter = z.strictObject({ start: z.number().nonnegative(), title: z.string().min(1) });
export type Chapter = z.infer<typeof Chapter>;

export const VideoMetadata = z.strictObject({
  title: z.string().min(1).max(YOUTUBE_LIMITS.titleChars),
  titleAlternatives: z.array(z.string().min(1).max(YOUTUBE_LIMITS.titleChars)).default([]),
  description: z.string(),
  tags: z.array(z.string().min(1)),
  hashtags: z.array(z.string().startsWith('#')),
  chapters: z.array(Chapter),
  categoryId: z.string().default('27'),
  defaultLanguage: Language,
});
export type VideoMetadata = z.infer<typeof VideoMetadata>;

export const MetadataGenerateOutput = z.strictObject({
  provider: z.string(),
  /** The metadata as JSON in the object store (metadata.json), plus description.txt beside it. */
  metadataPath: z.string().min(1),
  metadata: VideoMetadata,
});
export type MetadataGenerateOutput = z.infer<typeof MetadataGenerateOutput>;
