import { WORDS_PER_MINUTE, type Language, type Script, type ScriptSection } from '@faceless/contracts';

/** Spoken words: whitespace-separated tokens with a letter or a digit ("qu'est-ce" is one, a lone "—" none). */
export function countWords(text: string): number {
  return text.split(/\s+/).filter((t) => /[\p{L}\p{N}]/u.test(t)).length;
}

/** The word count that fills `durationSec` at WORDS_PER_MINUTE. */
export function targetWordCount(durationSec: number): number {
  return Math.round((durationSec * WORDS_PER_MINUTE) / 60);
}

/** Seconds to say `words` at WORDS_PER_MINUTE, to a tenth. */
export function speakingSeconds(words: number): number {
  return Math.round((words / WORDS_PER_MINUTE) * 600) / 10;
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

/** A Script from a draft, its word count and duration computed from the text itself. */
export function finalizeScript(draft: ScriptDraft, lang: Language): Script {
  const wordCount = countWords(spokenText(draft));
  return { lang, ...draft, wordCount, estimatedDurationSec: speakingSeconds(wordCount) };
}
