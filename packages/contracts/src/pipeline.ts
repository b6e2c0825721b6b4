import { z } from 'zod';
import { STAGES } from './stages.ts';
import { trimmedText } from './text-fields.ts';

/**
 * States of the seed's "États d'un Pipeline" diagram, plus Review: a pipeline started with
 * `review` waits there before its upload, holding no worker, until it is approved or rejected.
 */
export const PIPELINE_STATES = [
  'Queued', 'Running',
  ...STAGES.map((s) => s.state),
  'Completed', 'Failed', 'Retry', 'Review',
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

export const CAPTION_SIZES = ['small', 'medium', 'large'] as const;
/** A numeric caption size is a scale of the style's own size: 1 is medium. */
export const CAPTION_SCALE_LIMITS = { min: 0.5, max: 2 } as const;
/** Where captions sit, always inside the frame's safe area (a Short's: clear of the top bar, the buttons and the title). */
export const CAPTION_POSITIONS = ['top', 'middle', 'bottom'] as const;
export const CaptionPosition = z.enum(CAPTION_POSITIONS);
export type CaptionPosition = z.infer<typeof CaptionPosition>;

const hexColour = (field: string, example: string) => z.string().trim()
  .regex(/^#[0-9a-fA-F]{6}$/, `${field} must be a colour written #RRGGBB, e.g. ${example}`);

/** How burned-in captions look; every field optional, the style's look where absent. */
export const CaptionOptions = z.strictObject({
  size: z.union([
    z.enum(CAPTION_SIZES),
    z.number()
      .min(CAPTION_SCALE_LIMITS.min, `captions.size must be at least ${CAPTION_SCALE_LIMITS.min} (half the medium size)`)
      .max(CAPTION_SCALE_LIMITS.max, `captions.size must be at most ${CAPTION_SCALE_LIMITS.max} (twice the medium size)`),
  ], { error: `captions.size must be small, medium, large or a scale from ${CAPTION_SCALE_LIMITS.min} to ${CAPTION_SCALE_LIMITS.max}` }).optional(),
  position: z.enum(CAPTION_POSITIONS, { error: `captions.position must be one of ${CAPTION_POSITIONS.join(', ')}` }).optional(),
  /** The words' fill. */
  color: hexColour('captions.color', '#FFFFFF').optional(),
  /** The spoken word's fill (styles that light it). */
  highlightColor: hexColour('captions.highlightColor', '#FFD60A').optional(),
  outlineColor: hexColour('captions.outlineColor', '#000000').optional(),
  /** An installed font family ("DejaVu Sans") or the path of a TTF/OTF file on the machine that renders. */
  font: z.string().trim().min(1, 'captions.font is empty: give a font family or the path of a .ttf/.otf file').max(500).optional(),
});
export type CaptionOptions = z.infer<typeof CaptionOptions>;

/** A voice's speed as a factor of its normal pace; each engine clamps to its own range (ElevenLabs 0.7–1.2). */
export const VOICE_SPEED_LIMITS = { min: 0.5, max: 2 } as const;
export const VoiceSpeed = z.number()
  .min(VOICE_SPEED_LIMITS.min, `voiceSpeed must be at least ${VOICE_SPEED_LIMITS.min} (half the voice's normal pace); 1 is normal`)
  .max(VOICE_SPEED_LIMITS.max, `voiceSpeed must be at most ${VOICE_SPEED_LIMITS.max} (twice the voice's normal pace); 1 is normal`);

export const DURATION_LIMITS = { min: 15, max: 600 } as const;
export const TOPIC_MAX_CHARS = 200;

/** What a user asks for: the one input of a whole pipeline. */
export const PipelineRequest = z.strictObject({
  topic: trimmedText({
    max: TOPIC_MAX_CHARS,
    empty: 'topic is empty: give a subject such as "how octopuses think"',
    tooLong: `topic is longer than ${TOPIC_MAX_CHARS} characters: shorten it to a subject, not a script (use a script file for your own text)`,
  }),
  lang: Language.default('en'),
  durationSec: z.number().int()
    .min(DURATION_LIMITS.min, `duration must be at least ${DURATION_LIMITS.min} seconds`)
    .max(DURATION_LIMITS.max, `duration must be at most ${DURATION_LIMITS.max} seconds (10 minutes)`)
    .default(60),
  aspect: Aspect.default('9:16'),
  voice: z.string().min(1).max(64).optional(),
  /** The voice's pace, 1 normal; the script is sized for it, so the video keeps its length. */
  voiceSpeed: VoiceSpeed.optional(),
  mediaDir: z.string().min(1).optional(),
  /** The user's own narration; sections start at Markdown headings. Replaces the generated script. */
  scriptText: z.string().min(1).max(60_000).optional(),
  channel: z.string().min(1).max(64).default('local'),
  captionStyle: CaptionStyle.default('highlight'),
  /** Size, position, colours and font of the burned-in captions. */
  captions: CaptionOptions.optional(),
  /** A local folder of background music; a generated bed when absent. */
  musicDir: z.string().min(1).optional(),
  mood: z.string().min(1).max(40).optional(),
  music: z.boolean().default(true),
  /** Wait in the Review state before the upload until someone approves (POST /pipelines/:id/review). */
  review: z.boolean().default(false),
});
export type PipelineRequest = z.infer<typeof PipelineRequest>;
export type PipelineRequestInput = z.input<typeof PipelineRequest>;
