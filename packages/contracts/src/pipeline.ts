import { z } from 'zod';
import { STAGES } from './stages.ts';

/** States of the seed's "États d'un Pipeline" diagram. */
export const PIPELINE_STATES = [
  'Queued', 'Running',
  ...STAGES.map((s) => s.state),
  'Completed', 'Failed', 'Retry',
] as const;
export const PipelineState = z.enum(PIPELINE_STATES);
export type PipelineState = z.infer<typeof PipelineState>;

export const LANGUAGES = ['en', 'fr', 'es', 'de', 'it', 'pt'] as const;
export const Language = z.enum(LANGUAGES);
export type Language = z.infer<typeof Language>;

export const ASPECTS = ['9:16', '16:9', '1:1'] as const;
export const Aspect = z.enum(ASPECTS);
export type Aspect = z.infer<typeof Aspect>;

/**
 * Word-by-word caption looks: `highlight` one short line with the spoken word coloured, `block` a
 * two-line block with the spoken word coloured, `single` one large word at a time; `plain` no
 * highlight; `none` no captions.
 */
export const CAPTION_STYLES = ['highlight', 'block', 'single', 'plain', 'none'] as const;
export const CaptionStyle = z.enum(CAPTION_STYLES);
export type CaptionStyle = z.infer<typeof CaptionStyle>;

export const DURATION_LIMITS = { min: 15, max: 600 } as const;
export const TOPIC_MAX_CHARS = 200;

/** What a user asks for: the one input of a whole pipeline. */
export const PipelineRequest = z.strictObject({
  topic: z.string().trim()
    .min(1, 'topic is empty: give a subject such as "how octopuses think"')
    .max(TOPIC_MAX_CHARS, `topic is longer than ${TOPIC_MAX_CHARS} characters: shorten it to a subject, not a script (use a script file for your own text)`),
  lang: Language.default('en'),
  durationSec: z.number().int()
    .min(DURATION_LIMITS.min, `duration must be at least ${DURATION_LIMITS.min} seconds`)
    .max(DURATION_LIMITS.max, `duration must be at most ${DURATION_LIMITS.max} seconds (10 minutes)`)
    .default(60),
  aspect: Aspect.default('9:16'),
  voice: z.string().min(1).max(64).optional(),
  mediaDir: z.string().min(1).optional(),
  /** The user's own narration; sections start at Markdown headings. Replaces the generated script. */
  scriptText: z.string().min(1).max(60_000).optional(),
  channel: z.string().min(1).max(64).default('local'),
  captionStyle: CaptionStyle.default('highlight'),
  /** A local folder of background music; a generated bed when absent. */
  musicDir: z.string().min(1).optional(),
  mood: z.string().min(1).max(40).optional(),
  music: z.boolean().default(true),
});
export type PipelineRequest = z.infer<typeof PipelineRequest>;
export type PipelineRequestInput = z.input<typeof PipelineRequest>;
