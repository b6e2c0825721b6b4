import { z } from 'zod';
import { Aspect } from './pipeline.ts';
import { ScriptSection } from './script.ts';
import { SegmentTiming, WordTiming } from './tts.ts';

export const VideoAssembleInput = z.strictObject({
  outputPrefix: z.string().max(200).default(''),
  audioPath: z.string().min(1),
  durationSec: z.number().positive(),
  words: z.array(WordTiming).min(1),
  segments: z.array(SegmentTiming).min(1),
  /** Script sections, for the visuals' keywords; segment i+1 is section i. */
  sections: z.array(ScriptSection).default([]),
  aspect: Aspect.default('9:16'),
  /** A local folder of images and clips to use as visuals. */
  mediaDir: z.string().min(1).optional(),
  captionStyle: z.string().default('highlight'),
});
export type VideoAssembleInput = z.infer<typeof VideoAssembleInput>;

export const VideoAssembleOutput = z.strictObject({
  videoPath: z.string().min(1),
  durationSec: z.number().positive(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  /** One entry per segment: what was shown. */
  visuals: z.array(z.strictObject({ segment: z.number().int(), kind: z.string(), source: z.string() })),
  /** Frame grabbed from the video, for thumbnails. */
  posterPath: z.string().optional(),
});
export type VideoAssembleOutput = z.infer<typeof VideoAssembleOutput>;
