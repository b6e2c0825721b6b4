import type { Language } from '@faceless/contracts';
import { KEYWORD_LANGUAGES, type SubjectShape } from './keyword-languages.ts';

export interface TopicSubject {
  /** The topic as a search phrase: lower case, punctuation removed. */
  phrase: string;
  /** The opening the topic started with ("how", "qu'est-ce que"), or "" when none. */
  opening: string;
  /** What follows the opening. */
  subject: string;
  /** The subject without its leading article: what goes before a modifier ("photosynthèse définition"). */
  bare: string;
  shape: SubjectShape;
  plural: boolean;
  /** The subject without stop words: the term every good keyword should contain. */
  core: string;
  coreWords: string[];
  /**
   * The noun phrase a clause or action is about ("octopuses" in "how octopuses think",
   * "les pieuvres" in "comment pensent les pieuvres"), for broader keywords; absent for a noun subject.
   */
  focus?: { subject: string; bare: string; plural: boolean };
}

/** Lower case (German keeps its capitalised nouns), curly apostrophes straightened, punctuation and extra spaces removed. */
export function normalizePhrase(text: string, lang: Language): string {
  const plain = text
    .replace(/[’‘`´]/g, "'")
    .replace(/[?!.,;:"«»“”()[\]{}¿¡…|/\\]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (lang !== 'de') return plain.toLowerCase();
  const stop = KEYWORD_LANGUAGES.de.stopWords;
  return plain.split(' ').map((w) => (stop.has(w.toLowerCase()) ? w.toLowerCase() : w)).join(' ');
}

/** Drops one leading article ("the", "la", "l'"). */
export function stripArticle(phrase: string, lang: Language): string {
  const lower = phrase.toLowerCase();
  for (const a of KEYWORD_LANGUAGES[lang].articles) {
    const elided = a.endsWith("'");
    if (lower.startsWith(elided ? a : `${a} `) && phrase.length > a.length + 1) return phrase.slice(a.length).trim();
  }
  return phrase;
}

/**
 * The noun phrase a clause is about. Where the language marks it with an article (French, Spanish…,
 * "comment pensent les pieuvres"), the phrase from the first article to the next stop word; otherwise the
 * first run of content words, minus its last word when the run ends the clause (English subject–verb
 * order: "solar panels work" → "solar panels"). An action ("bake sourdough bread") starts with its verb.
 */
export function findFocus(subject: string, shape: SubjectShape, lang: Language): string | undefined {
  const rules = KEYWORD_LANGUAGES[lang];
  const ws = phraseWords(subject, lang);
  const isStop = (w: string): boolean => rules.stopWords.has(w.toLowerCase().replace(/'$/, ''));
  let start = shape === 'action' ? 1 : 0;
  if (lang !== 'en' && shape === 'clause') {
    const a = ws.findIndex((w) => rules.articles.includes(w.toLowerCase()));
    if (a >= 0 && a + 1 < ws.length) {
      let end = a + 1;
      while (end < ws.length && !isStop(ws[end] ?? '')) end++;
      return end > a + 1 ? ws.slice(a, end).join(' ').replace(/' /g, "'") : undefined;
    }
  }
  while (start < ws.length && isStop(ws[start] ?? '')) start++;
  let end = start;
  while (end < ws.length && !isStop(ws[end] ?? '')) end++;
  if (end === ws.length && end - start >= 2 && shape === 'clause') end--;
  return end > start ? ws.slice(start, end).join(' ') : undefined;
}

/** A comparison key: case, accents and spacing do not make two keywords different. */
export function keywordKey(keyword: string): string {
  return keyword.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
}

/** Words of a phrase, French elisions ("l'", "qu'") split off so that stop-word removal sees them. */
export function phraseWords(phrase: string, lang: Language): string[] {
  const split = lang === 'fr' || lang === 'it' ? phrase.replace(/\b([a-zà-ÿ]{1,2})'/gi, "$1' ") : phrase;
  return split.split(' ').filter(Boolean);
}

/** Splits a topic into its question opening, its subject and the core term (stop words removed). */
export function analyzeTopic(topic: string, lang: Language): TopicSubject {
  const rules = KEYWORD_LANGUAGES[lang];
  const phrase = normalizePhrase(topic, lang);
  const lower = phrase.toLowerCase();
  let opening = '';
  let subject = phrase;
  let shape: SubjectShape = 'noun';
  const openings = [...rules.openings].sort((a, b) => b.words.length - a.words.length);
  for (const o of openings) {
    const rest = lower.startsWith(o.words) ? phrase.slice(o.words.length) : undefined;
    // "how" must not match "however"; an opening ending in an apostrophe is already a boundary.
    if (rest === undefined || (rest.length > 0 && !o.words.endsWith("'") && !rest.startsWith(' '))) continue;
    if (rest.trim().length === 0) continue;
    opening = o.words;
    subject = rest.trim();
    shape = o.shape;
    break;
  }
  const coreWords = phraseWords(subject, lang)
    .map((w) => w.replace(/^'+|'+$/g, ''))
    .filter((w) => w.length > 0 && !rules.stopWords.has(w.toLowerCase()));
  const core = coreWords.length > 0 ? coreWords.join(' ') : subject;
  const focus = shape === 'noun' ? undefined : findFocus(subject, shape, lang);
  return {
    phrase,
    opening,
    subject,
    bare: stripArticle(subject, lang),
    shape,
    plural: rules.isPlural(subject),
    core,
    coreWords: coreWords.length > 0 ? coreWords : [subject],
    ...(focus && keywordKey(focus) !== keywordKey(subject)
      ? { focus: { subject: focus, bare: stripArticle(focus, lang), plural: rules.isPlural(focus) } }
      : {}),
  };
}
