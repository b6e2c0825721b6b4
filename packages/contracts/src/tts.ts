import { z } from 'zod';
import { Language, VoiceSpeed } from './pipeline.ts';
import { Script } from './script.ts';

/** The voice engines, as TTS_PROVIDER names them. */
export const VOICE_ENGINES = ['espeak', 'elevenlabs', 'openai'] as const;
export type VoiceEngine = (typeof VOICE_ENGINES)[number];

/**
 * Spoken words a minute at speed 1, pauses between sentences and sections included: what a script
 * is sized by. espeak-ng's were measured on the template scripts (bench/duration.ts, 15–90 s); the
 * paid voices' are typical figures for their default voices. The voice stage corrects what is left
 * (pauses, then for espeak-ng the rate), so an estimate a few percent off still gives the length asked.
 */
export const SPEAKING_RATES: Record<VoiceEngine, Record<Language, number>> = {
  espeak: { en: 181, fr: 199, es: 185, de: 170, it: 185, pt: 185 },
  elevenlabs: { en: 155, fr: 160, es: 160, de: 145, it: 155, pt: 155 },
  openai: { en: 160, fr: 165, es: 165, de: 150, it: 160, pt: 160 },
};

/** The speed factors each engine honours (espeak-ng 80–450 words a minute at its base 175; ElevenLabs' voice_settings.speed; OpenAI's speed). */
export const ENGINE_SPEED_RANGES: Record<VoiceEngine, { min: number; max: number }> = {
  espeak: { min: 80 / 175, max: 450 / 175 },
  elevenlabs: { min: 0.7, max: 1.2 },
  openai: { min: 0.25, max: 4 },
};

/** Words a minute a script should be sized by for this engine, language and speed (clamped as the engine clamps it). */
export function speakingRate(engine: VoiceEngine, lang: Language, speed = 1): number {
  const range = ENGINE_SPEED_RANGES[engine];
  return SPEAKING_RATES[engine][lang] * Math.min(range.max, Math.max(range.min, speed));
}

/** The engine an environment chooses: TTS_PROVIDER when set, else ElevenLabs when its key is there, else espeak-ng. */
export function voiceEngineOf(env: Record<string, string | undefined>): VoiceEngine {
  const named = env.TTS_PROVIDER?.trim();
  if (named && (VOICE_ENGINES as readonly string[]).includes(named)) return named as VoiceEngine;
  return env.ELEVENLABS_API_KEY?.trim() ? 'elevenlabs' : 'espeak';
}

export const TtsRenderInput = z.strictObject({
  /** Object-store key prefix for this pipeline's artifacts, e.g. "pipelines/abc/". */
  outputPrefix: z.string().max(200).default(''),
  script: Script,
  lang: Language.default('en'),
  voice: z.string().min(1).max(64).optional(),
  /** Speaking rate as a factor of the voice's normal speed. */
  speed: VoiceSpeed.default(1),
  /**
   * The length the voice-over should have: pauses between sentences and sections are adjusted (and
   * espeak-ng's rate when pauses cannot absorb it) to land within a few percent. Absent: read as written.
   */
  targetDurationSec: z.number().min(5).max(900).optional(),
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
