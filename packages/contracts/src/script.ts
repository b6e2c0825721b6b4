import { z } from 'zod';
import { trimmedText } from './text-fields.ts';
import { Language, VoiceSpeed } from './pipeline.ts';

/** About 150 spoken words a minute: a human narrator's pace (a voice engine's own is in SPEAKING_RATES). */
export const WORDS_PER_MINUTE = 150;

export const ScriptGenerateInput = z.strictObject({
  topic: trimmedText({ max: 200, empty: 'topic is empty: give a subject', tooLong: 'topic is longer than 200 characters: shorten it' }),
  lang: Language.default('en'),
  durationSec: z.number().int().min(15).max(600).default(60),
  keywords: z.array(z.string().min(1)).max(50).default([]),
  /** The speed the voice will be asked for: the script holds more words at a faster pace. */
  voiceSpeed: VoiceSpeed.optional(),
  /** The user's own text: narrated as written, sections split at Markdown headings. */
  sourceText: z.string().min(1).max(60_000).optional(),
});
export type ScriptGenerateInput = z.infer<typeof ScriptGenerateInput>;

export const ScriptSection = z.strictObject({
  heading: z.string().min(1).max(100),
  narration: z.string().min(1),
  /** Words that describe what to show while this section is spoken. */
  visualKeywords: z.array(z.string()).default([]),
});
export type ScriptSection = z.infer<typeof ScriptSection>;

export const Script = z.strictObject({
  lang: Language,
  titleIdea: z.string().min(1).max(200),
  hook: z.string().min(1),
  sections: z.array(ScriptSection).min(1).max(20),
  callToAction: z.string().min(1),
  wordCount: z.number().int().nonnegative(),
  estimatedDurationSec: z.number().nonnegative(),
});
export type Script = z.infer<typeof Script>;

export const ScriptGenerateOutput = z.strictObject({
  provider: z.string(),
  script: Script,
});
export type ScriptGenerateOutput = z.infer<typeof ScriptGenerateOutput>;

/** The spoken segments of a script, in order: the hook, each section, the call to action. */
export function scriptSegments(script: Script): { heading: string; text: string }[] {
  return [
    { heading: 'Intro', text: script.hook },
    ...script.sections.map((s) => ({ heading: s.heading, text: s.narration })),
    { heading: 'Outro', text: script.callToAction },
  ];
}
