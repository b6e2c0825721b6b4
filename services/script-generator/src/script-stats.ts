import { WORDS_PER_MINUTE, type Language, type Script, type ScriptSection } from '@faceless/contracts';

/** Spoken words: whitespace-separated tokens with a letter or a digit ("qu'est-ce" is one, a lone "—" none). */
export function countWords(text: string): number {
  return text.split(/\s+/).filter((t) => /[\p{L}\p{N}]/u.test(t)).length;
}

/** The word count that fills `durationSec` at a voice's pace (words a minute, its pauses included). */
export function targetWordCount(durationSec: number, wordsPerMinute: number = WORDS_PER_MINUTE): number {
  return Math.round((durationSec * wordsPerMinute) / 60);
}

/** Seconds to say `words` at a voice's pace, to a tenth. */
export function speakingSeconds(words: number, wordsPerMinute: number = WORDS_PER_MINUTE): number {
  return Math.round((words / wordsPerMinute) * 600) / 10;
}

/** Sections by length: 3 for a short (≤ 45 s), then one more per step, at most 7 (YouTube chapters need ≥ 10 s each). */
export function sectionCountFor(durationSec: number): number {
  if (durationSec <= 45) return 3;
  if (durationSec <= 90) return 4;
  if (durationSec <= 150) return 5;
  if (durationSec <= 300) return 6;
  return 7;
}

export interface ScriptDraft {
  titleIdea: string;
  hook: string;
  sections: ScriptSection[];
  callToAction: string;
}

/** Every spoken part of a draft, in order. */
export function spokenText(draft: ScriptDraft): string {
  return [draft.hook, ...draft.sections.map((s) => s.narration), draft.callToAction].join('\n');
}

/** A Script from a draft, its word count and duration (at the voice's pace) computed from the text itself. */
export function finalizeScript(draft: ScriptDraft, lang: Language, wordsPerMinute: number = WORDS_PER_MINUTE): Script {
  const wordCount = countWords(spokenText(draft));
  return { lang, ...draft, wordCount, estimatedDurationSec: speakingSeconds(wordCount, wordsPerMinute) };
}
