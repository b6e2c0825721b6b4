import { YOUTUBE_LIMITS } from '@faceless/contracts';
import type { Chapter, Language } from '@faceless/contracts';
import { chapterLines } from './chapters.ts';
import { LOCALE_TEXT, joinList } from './locale-text.ts';
import { isStopWord } from './topic-terms.ts';
import { cleanDescription, cleanTitle, fitDescription, fitTitle, utf8Length } from './youtube-limits.ts';

export interface DescriptionParts {
  lang: Language;
  /** The opening sentence: what the viewer sees before "more". */
  hook: string;
  /** Section headings for the one-line summary. */
  headings: readonly string[];
  chapters: readonly Chapter[];
  hashtags: readonly string[];
  credits: readonly string[];
}

interface Block {
  text: string;
  /** Dropped lowest first when the description runs over the byte limit; Infinity = never dropped. */
  priority: number;
}

/** The first sentence of a text, at most `maxChars` characters (cut at a word). */
export function firstSentence(text: string, maxChars = 300): string {
  const clean = cleanTitle(text);
  const m = /^.+?[.!?…](?=\s|$)/u.exec(clean);
  return fitTitle(m ? m[0] : clean, maxChars);
}

/**
 * "In this video: A, B and C." from the section headings. A heading that opens with an
 * article loses its capital inside the sentence ("Des piqûres" → "des piqûres"); other
 * first words may be names, so they keep theirs.
 */
export function summaryLine(headings: readonly string[], lang: Language): string {
  const items = headings
    .map((h) => cleanTitle(h).replace(/[\s.!?:;,…]+$/u, ''))
    .filter(Boolean)
    .map((h) => {
      const first = /^\p{L}+/u.exec(h)?.[0] ?? '';
      return first && isStopWord(first, lang) ? h.charAt(0).toLocaleLowerCase(lang) + h.slice(1) : h;
    });
  if (items.length === 0) return '';
  return `${LOCALE_TEXT[lang].inThisVideo} ${joinList(items, lang)}.`;
}

/**
 * The description, in reading order: hook, summary, chapters, disclosure, credits,
 * hashtags. Over the byte limit, the summary goes first, then the hashtags, the
 * chapters and the hook; credit lines are cut last, and the disclosure never is.
 */
export function composeDescription(parts: DescriptionParts, maxBytes: number = YOUTUBE_LIMITS.descriptionBytes): string {
  const t = LOCALE_TEXT[parts.lang];
  const credits = parts.credits.map((c) => cleanTitle(c)).filter(Boolean);
  const blocks: Block[] = [
    { text: firstSentence(parts.hook), priority: 4 },
    { text: summaryLine(parts.headings, parts.lang), priority: 1 },
    { text: parts.chapters.length > 0 ? [t.chapters, ...chapterLines(parts.chapters)].join('\n') : '', priority: 3 },
    { text: t.disclosure, priority: Infinity },
    { text: credits.length > 0 ? [t.credits, ...credits].join('\n') : '', priority: 5 },
    { text: parts.hashtags.join(' '), priority: 2 },
  ].filter((b) => b.text !== '');

  const render = (bs: readonly Block[]): string => cleanDescription(bs.map((b) => b.text).join('\n\n'));
  let kept = blocks;
  while (utf8Length(render(kept)) > maxBytes) {
    const droppable = kept.filter((b) => Number.isFinite(b.priority) && b.priority < 5);
    if (droppable.length === 0) break;
    const lowest = droppable.reduce((a, b) => (b.priority < a.priority ? b : a));
    kept = kept.filter((b) => b !== lowest);
  }
  // Still over: credit lines go from the end, then the rest is cut by bytes.
  const creditBlock = kept.find((b) => b.priority === 5);
  while (creditBlock && utf8Length(render(kept)) > maxBytes && creditBlock.text.includes('\n')) {
    creditBlock.text = creditBlock.text.slice(0, creditBlock.text.lastIndexOf('\n'));
  }
  const text = render(kept);
  return utf8Length(text) <= maxBytes ? text : fitDescription(text, maxBytes);
}
