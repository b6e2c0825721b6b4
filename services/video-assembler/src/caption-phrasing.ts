import type { WordTiming } from '@faceless/contracts';

/**
 * Where caption lines may break. Follows the usual subtitling rules (BBC and Netflix timed-text
 * guides): break at punctuation and pauses, never between an article, preposition or conjunction
 * and the words it introduces, nor inside a number and its unit or a hyphenated word.
 */

/** Languages with a stop list; any other text breaks at punctuation and pauses only. */
export type PhrasingLanguage = 'en' | 'fr';

/** Words that introduce what follows: a line must never end on one of them. */
export const LEADING_WORDS: Record<PhrasingLanguage, ReadonlySet<string>> = {
  en: new Set([
    'a', 'an', 'the', 'this', 'these', 'those', 'my', 'your', 'his', 'her', 'its', 'our', 'their', 'some', 'any', 'no',
    'every', 'each', 'either', 'neither', 'of', 'to', 'in', 'on', 'at', 'by', 'for', 'with', 'from', 'into', 'onto',
    'upon', 'over', 'under', 'about', 'above', 'below', 'after', 'before', 'between', 'through', 'during', 'without',
    'within', 'across', 'against', 'among', 'around', 'behind', 'beyond', 'toward', 'towards', 'via', 'per', 'than',
    'as', 'and', 'or', 'but', 'nor', 'yet', 'if', 'because', 'while', 'whether', 'although', 'though', 'unless',
    'until', 'whose', 'mr', 'mrs', 'ms', 'dr', 'st',
  ]),
  fr: new Set([
    'le', 'la', 'les', "l'", 'un', 'une', 'des', 'du', 'de', "d'", 'au', 'aux', 'ce', 'cet', 'cette', 'ces', 'mon', 'ma',
    'mes', 'ton', 'ta', 'tes', 'son', 'sa', 'ses', 'notre', 'nos', 'votre', 'vos', 'leur', 'leurs', 'à', 'en', 'dans',
    'par', 'pour', 'sur', 'sous', 'avec', 'sans', 'chez', 'vers', 'entre', 'contre', 'depuis', 'pendant', 'avant',
    'après', 'selon', 'et', 'ou', 'mais', 'ni', 'car', 'que', "qu'", 'quand', 'comme', 'si', "s'", 'lorsque',
    'puisque', 'dont', 'ne', "n'", 'se', 'me', "m'", 'te', "t'", 'y', "j'", "c'", 'mme', 'mlle', 'm',
  ]),
};

/** Pronouns, auxiliaries and intensifiers: a line may end on them, but better not. */
export const CLINGING_WORDS: Record<PhrasingLanguage, ReadonlySet<string>> = {
  en: new Set([
    'i', 'you', 'he', 'she', 'it', 'we', 'they', 'there', 'that', 'which', 'who', 'when', 'where', 'so', 'is', 'are',
    'was', 'were', 'be', 'been', 'am', 'has', 'have', 'had', 'do', 'does', 'did', 'will', 'would', 'can', 'could',
    'should', 'shall', 'may', 'might', 'must', 'not', 'very', 'really', 'more', 'most', 'just', "it's", "that's",
    "there's", "i'm", "you're", "we're", "they're", "i've", "we've", "i'll", "don't", "doesn't", "didn't", "can't",
    "won't", "isn't", "aren't",
  ]),
  fr: new Set([
    'je', 'tu', 'il', 'elle', 'on', 'nous', 'vous', 'ils', 'elles', 'est', 'sont', 'était', 'a', 'ont', 'ai', 'as',
    'avait', 'va', 'vont', 'peut', 'doit', 'faut', 'très', 'plus', 'moins', 'tout', 'tous', 'toute', 'toutes', 'qui',
    'où', 'bien', 'trop',
  ]),
};

/** Said after a number, these belong to it ("20 km", "3 millions", "5 %"). */
const UNITS = new Set([
  '%', '‰', '°', '°c', '°f', 'km', 'm', 'cm', 'mm', 'kg', 'g', 'mg', 't', 'l', 'ml', 'h', 'min', 's', 'ms', 'km/h',
  'mph', 'kph', 'kb', 'mb', 'gb', 'tb', 'hz', 'khz', 'mhz', 'ghz', 'w', 'kw', 'kwh', 'v', '$', '€', '£', 'x',
  'percent', 'per', 'million', 'millions', 'billion', 'billions', 'trillion', 'trillions', 'thousand', 'thousands',
  'hundred', 'hundreds', 'dozen', 'times', 'year', 'years', 'month', 'months', 'week', 'weeks', 'day', 'days', 'hour',
  'hours', 'minute', 'minutes', 'second', 'seconds', 'meter', 'meters', 'metre', 'metres', 'kilometer', 'kilometers',
  'kilometre', 'kilometres', 'mile', 'miles', 'foot', 'feet', 'inch', 'inches', 'pound', 'pounds', 'kilo', 'kilos',
  'gram', 'grams', 'degree', 'degrees', 'dollar', 'dollars', 'euro', 'euros', 'people', 'pour', 'pourcent', 'milliard',
  'milliards', 'mille', 'cent', 'cents', 'ans', 'année', 'années', 'mois', 'semaine', 'semaines', 'jour', 'jours',
  'heure', 'heures', 'seconde', 'secondes', 'mètre', 'mètres', 'kilomètre', 'kilomètres', 'gramme', 'grammes', 'degré',
  'degrés', 'fois', 'personnes',
]);

const NUMBER_WORDS = new Set([
  'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve', 'fifteen',
  'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety', 'hundred', 'thousand', 'deux', 'trois',
  'quatre', 'cinq', 'sept', 'huit', 'neuf', 'dix', 'onze', 'douze', 'quinze', 'vingt', 'trente', 'quarante',
  'cinquante', 'soixante', 'cent', 'mille',
]);

const SENTENCE_END = /[.!?…]["'”’»)\]]*$/u;
const CLAUSE_END = /[,;:—–]["'”’»)\]]*$/u;
const ABBREVIATIONS = new Set(['mr', 'mrs', 'ms', 'dr', 'st', 'vs', 'etc', 'e.g', 'i.e', 'm', 'mme', 'mlle', 'cf']);

/** A word without surrounding punctuation, lower-cased, with typographic apostrophes made straight. */
export function bareWord(text: string): string {
  return text
    .toLowerCase()
    .replace(/[’ʼ]/gu, "'")
    .replace(/^[^\p{L}\p{N}$€£%°]+/u, '')
    .replace(/[^\p{L}\p{N}$€£%°']+$/u, '');
}

function isElided(text: string): boolean {
  return /^\p{L}{1,5}['’ʼ]$/u.test(text);
}

function isNumber(text: string): boolean {
  const bare = bareWord(text);
  return /^[$€£]?\d[\d.,]*$/u.test(bare) || NUMBER_WORDS.has(bare);
}

/** A sentence ends after this word ("Mr." and "e.g." do not end one). */
export function endsSentence(text: string): boolean {
  if (!SENTENCE_END.test(text)) return false;
  const bare = bareWord(text).replace(/\.$/u, '');
  return !(text.endsWith('.') && ABBREVIATIONS.has(bare));
}

export function endsClause(text: string): boolean {
  return endsSentence(text) || CLAUSE_END.test(text);
}

/** The stop-listed language these words look most like, or undefined when neither list fits. */
export function detectPhrasingLanguage(words: readonly WordTiming[]): PhrasingLanguage | undefined {
  const hits: Record<PhrasingLanguage, number> = { en: 0, fr: 0 };
  for (const w of words) {
    const bare = bareWord(w.text);
    for (const lang of ['en', 'fr'] as const) {
      if (LEADING_WORDS[lang].has(bare) || CLINGING_WORDS[lang].has(bare)) hits[lang] += 1;
    }
  }
  const [best, other] = hits.en >= hits.fr ? (['en', 'fr'] as const) : (['fr', 'en'] as const);
  // Function words are a third or more of running text: 15% keeps a stray "a" or "on" from deciding.
  if (hits[best] < Math.max(2, words.length * 0.15) || hits[best] < hits[other] * 1.5) return undefined;
  return best;
}

/** Words that must stay on one line: a number with its unit, "well-" + "known", "l’" + "école", "vous" + "?". */
export interface Atom {
  words: WordTiming[];
  text: string;
}

const OPENING_MARK = /^[«“„‘"'([¿¡]+$/u;
const PUNCTUATION_ONLY = /^[^\p{L}\p{N}$€£]+$/u;

function glued(a: WordTiming, b: WordTiming): boolean {
  if (a.segment !== b.segment) return false;
  // French spacing gives "vous ?" and "« Oui »" as separate words: marks stay with their word.
  if (OPENING_MARK.test(a.text)) return true;
  if (PUNCTUATION_ONLY.test(b.text) && !OPENING_MARK.test(b.text)) return true;
  if (endsClause(a.text)) return false;
  if (/[-‐]$/u.test(a.text) || /^[-‐]/u.test(b.text) || isElided(a.text)) return true;
  if (/^[$€£]$/u.test(a.text) && isNumber(b.text)) return true;
  if (!isNumber(a.text)) return false;
  // "10 000" (French thousands) and "20 km", "3 millions", "5 %".
  return /^\d{3}\b/u.test(b.text) || UNITS.has(bareWord(b.text)) || /^[%‰°]/u.test(b.text);
}

export function atomsOf(words: readonly WordTiming[]): Atom[] {
  const atoms: Atom[] = [];
  let current: WordTiming[] = [];
  words.forEach((word, i) => {
    current.push(word);
    const next = words[i + 1];
    if (next && glued(word, next)) return;
    atoms.push({ words: current, text: current.map((w) => w.text).join(' ') });
    current = [];
  });
  return atoms;
}

/** Ending a line on an article or a preposition costs more than any other layout. */
const STRONG_PENALTY = 1000;

/** How bad it is to end a line after `text` when more of the phrase follows (0: a natural break). */
export function breakPenalty(text: string, lang: PhrasingLanguage | undefined): number {
  if (endsClause(text)) return 0;
  const bare = bareWord(text);
  if (lang) {
    if (LEADING_WORDS[lang].has(bare)) return STRONG_PENALTY;
    if (CLINGING_WORDS[lang].has(bare)) return 4;
  } else if ([...bare].length === 1 && /\p{L}/u.test(bare)) {
    return 4;
  }
  return 2;
}

/** A pause this long ends a caption, unless the word before it leads into the next one. */
export const PAUSE_BREAK_SEC = 0.25;
/** Past this, even "the … word" is two captions: the viewer would stare at "the" anyway. */
const LONG_PAUSE_SEC = 0.8;

export interface PhraseLimits {
  /** Lines in one caption. */
  maxLines: number;
  maxWordsPerLine: number;
  maxCharsPerLine: number;
  /** Whether a line is narrow enough for the frame (a single unbreakable word always fits; it is shrunk instead). */
  fits?: (line: string) => boolean;
  lang?: PhrasingLanguage | undefined;
}

/** A caption on screen: its lines, each a list of words. */
export type CaptionChunk = WordTiming[][];

/** Whether a caption must end after this atom: sentence end, a pause, a new script segment. */
function mustBreak(atom: Atom, next: Atom | undefined, lang: PhrasingLanguage | undefined): boolean {
  const last = atom.words[atom.words.length - 1];
  const first = next?.words[0];
  if (!last || !first) return true;
  if (first.segment !== last.segment || endsSentence(last.text)) return true;
  const gap = first.start - last.end;
  if (gap >= LONG_PAUSE_SEC) return true;
  return gap >= PAUSE_BREAK_SEC && breakPenalty(last.text, lang) < STRONG_PENALTY;
}

function lineLength(atoms: readonly Atom[]): number {
  return atoms.reduce((n, a, i) => n + [...a.text].length + (i > 0 ? 1 : 0), 0);
}

/**
 * Lines may run this much past maxCharsPerLine, or one word past maxWordsPerLine, at a cost,
 * rather than end on an article or a preposition; the frame width is never exceeded.
 */
const CHAR_OVERFLOW = 1.4;

function maxWords(limits: PhraseLimits): number {
  return limits.maxWordsPerLine > 1 ? limits.maxWordsPerLine + 1 : limits.maxWordsPerLine;
}

function fitsLine(atoms: readonly Atom[], limits: PhraseLimits): boolean {
  if (atoms.length <= 1) return true;
  if (atoms.length > maxWords(limits) || lineLength(atoms) > limits.maxCharsPerLine * CHAR_OVERFLOW) return false;
  return limits.fits?.(atoms.map((a) => a.text).join(' ')) ?? true;
}

function overflowCost(atoms: readonly Atom[], limits: PhraseLimits): number {
  if (atoms.length <= 1) return 0;
  const over = lineLength(atoms) - limits.maxCharsPerLine;
  return (over > 0 ? 20 + 5 * over : 0) + (atoms.length > limits.maxWordsPerLine ? 20 : 0);
}

/** A comma inside a one-line caption reads worse than a break there; a two-line block can carry one. */
function innerClauseCost(limits: PhraseLimits): number {
  return limits.maxLines > 1 ? 3 : 8;
}

function innerClauses(atoms: readonly Atom[]): number {
  return atoms.slice(0, -1).filter((a) => CLAUSE_END.test(a.text)).length;
}

/** The best way to lay a caption's atoms out on at most `maxLines` lines, or undefined when they do not fit. */
function layoutChunk(atoms: readonly Atom[], limits: PhraseLimits): { lines: Atom[][]; cost: number } | undefined {
  let best: { lines: Atom[][]; cost: number } | undefined;
  const consider = (lines: Atom[][], cost: number): void => {
    if (!lines.every((l) => fitsLine(l, limits))) return;
    const total = cost + lines.reduce((n, l) => n + overflowCost(l, limits), 0);
    if (!best || total < best.cost) best = { lines, cost: total };
  };
  consider([[...atoms]], innerClauseCost(limits) * innerClauses(atoms));
  if (limits.maxLines >= 2) {
    for (let k = 1; k < atoms.length; k++) {
      const top = atoms.slice(0, k);
      const bottom = atoms.slice(k);
      const lastTop = top[top.length - 1];
      const imbalance = Math.abs(lineLength(top) - lineLength(bottom)) / limits.maxCharsPerLine;
      const cost = 0.5 + breakPenalty(lastTop?.text ?? '', limits.lang) + 2 * imbalance
        + innerClauseCost(limits) * (innerClauses(top) + innerClauses(bottom));
      consider([top, bottom], cost);
    }
  }
  return best;
}

/** Splits a run of atoms (no forced break inside) into captions, at the least bad breaks. */
function splitRun(run: readonly Atom[], limits: PhraseLimits): Atom[][][] {
  const capacity = limits.maxLines * limits.maxCharsPerLine;
  const maxAtoms = limits.maxLines * maxWords(limits);
  // best[i]: cheapest split of run[0..i)
  const best: { cost: number; from: number; lines: Atom[][] }[] = [{ cost: 0, from: -1, lines: [] }];
  for (let end = 1; end <= run.length; end++) {
    let choice: { cost: number; from: number; lines: Atom[][] } | undefined;
    for (let start = end - 1; start >= 0 && end - start <= maxAtoms; start--) {
      const prefix = best[start];
      if (!prefix) continue;
      const atoms = run.slice(start, end);
      const layout = layoutChunk(atoms, limits);
      if (!layout) continue;
      const fill = Math.min(1, lineLength(atoms) / capacity);
      // A lone word is an orphan, unless a clause ends around it ("So," / "mostly" after a comma).
      const clauseAround = CLAUSE_END.test(atoms[0]?.text ?? '') || CLAUSE_END.test(run[start - 1]?.text ?? '');
      const lonely = atoms.length === 1 && run.length > 1 && maxAtoms > 1 && !clauseAround ? 2 : 0;
      const tail = end < run.length ? breakPenalty(run[end - 1]?.text ?? '', limits.lang) : 0;
      const cost = prefix.cost + 3 + 3 * (1 - fill) ** 2 + lonely + tail + layout.cost;
      if (!choice || cost < choice.cost) choice = { cost, from: start, lines: layout.lines };
    }
    // A single atom always fits, so every prefix has a split.
    best.push(choice ?? { cost: Infinity, from: end - 1, lines: [[run[end - 1] as Atom]] });
  }
  const chunks: Atom[][][] = [];
  for (let end = run.length; end > 0;) {
    const step = best[end];
    if (!step) break;
    chunks.unshift(step.lines);
    end = step.from;
  }
  return chunks;
}

/**
 * Groups timed words into captions of at most `maxLines` lines: a caption ends at a sentence end,
 * a pause or a segment change, and lines break where the phrase allows it.
 */
export function phraseChunks(words: readonly WordTiming[], limits: PhraseLimits): CaptionChunk[] {
  const atoms = atomsOf(words);
  const chunks: CaptionChunk[] = [];
  let run: Atom[] = [];
  atoms.forEach((atom, i) => {
    run.push(atom);
    if (!mustBreak(atom, atoms[i + 1], limits.lang)) return;
    for (const lines of splitRun(run, limits)) chunks.push(lines.map((line) => line.flatMap((a) => a.words)));
    run = [];
  });
  return chunks;
}
