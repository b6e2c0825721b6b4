import { z } from 'zod';
import { Aspect, CAPTION_STYLES, CaptionOptions, Language } from './pipeline.ts';
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
  captionStyle: z.enum(CAPTION_STYLES).default('highlight'),
  /** Size, position, colours and font of the captions. */
  captions: CaptionOptions.optional(),
  /** The narration's language, for caption line breaks (guessed from the words when absent). */
  lang: Language.optional(),
  /** A local folder of music (files tagged with moods in their names or a tags.json); a generated bed when absent. */
  musicDir: z.string().min(1).optional(),
  /** Mood of the background music, matched against the music folder's tags. */
  mood: z.string().min(1).max(40).optional(),
  /** False: the narration alone, no music. */
  music: z.boolean().default(true),
});
export type VideoAssembleInput = z.infer<typeof VideoAssembleInput>;

export const VideoAssembleOutput = z.strictObject({
  videoPath: z.string().min(1),
  durationSec: z.number().positive(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  /** One entry per segment: what was shown. */
  visuals: z.array(z.strictObject({ segment: z.number().int(), kind: z.string(), source: z.string() })),
  /** The captions as SubRip and WebVTT files (object-store keys): the words, timings and lines shown on screen. */
  captionsSrtPath: z.string().min(1).optional(),
  captionsVttPath: z.string().min(1).optional(),
  /** Frame grabbed from the video, for thumbnails. */
  posterPath: z.string().optional(),
  /** Attribution lines for stock footage and music (e.g. "Video by Jane Doe on Pexels: <url>"), for the description. */
  credits: z.array(z.string()).default([]),
  /** The music under the voice, when there is some. */
  music: z.strictObject({ source: z.string(), mood: z.string().optional() }).optional(),
  /** Integrated loudness of the final mix (LUFS) and its true peak (dBTP), as measured. */
  loudness: z.strictObject({ integratedLufs: z.number(), truePeakDbtp: z.number() }).optional(),
});
export type VideoAssembleOutput = z.infer<typeof VideoAssembleOutput>;
