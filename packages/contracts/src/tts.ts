import { z } from 'zod';
import { Language } from './pipeline.ts';
import { Script } from './script.ts';

export const TtsRenderInput = z.strictObject({
  /** Object-store key prefix for this pipeline's artifacts, e.g. "pipelines/abc/". */
  outputPrefix: z.string().max(200).default(''),
  script: Script,
  lang: Language.default('en'),
  voice: z.string().min(1).max(64).optional(),
  /** Speaking rate as a factor of the voice's normal speed. */
  speed: z.number().min(0.5).max(2).default(1),
});
export type TtsRenderInput = z.infer<typeof TtsRenderInput>;

export const WordTiming = z.strictObject({
  /** The word as written in the script (punctuation attached), not a phonetic rewrite. */
  text: z.string().min(1),
  start: z.number().nonnegative(),
  end: z.number().nonnegative(),
  /** Index into scriptSegments(script). */
  segment: z.number().int().nonnegative(),
});
export type WordTiming = z.infer<typeof WordTiming>;

export const SegmentTiming = z.strictObject({
  heading: z.string(),
  start: z.number().nonnegative(),
  end: z.number().nonnegative(),
});
export type SegmentTiming = z.infer<typeof SegmentTiming>;

export const TtsRenderOutput = z.strictObject({
  provider: z.string(),
  voice: z.string(),
  audioPath: z.string().min(1),
  durationSec: z.number().positive(),
  loudnessLufs: z.number().optional(),
  words: z.array(WordTiming).min(1),
  segments: z.array(SegmentTiming).min(1),
});
export type TtsRenderOutput = z.infer<typeof TtsRenderOutput>;
