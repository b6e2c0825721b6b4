import type { Language } from '@faceless/contracts';

/**
 * Words that carry no punch on a thumbnail: articles, pronouns, auxiliaries,
 * prepositions, question words and title filler ("explained", "the truth about").
 */
const STOP_WORDS: Record<Language, readonly string[]> = {
  en: [
    'a', 'an', 'the', 'and', 'or', 'but', 'nor', 'so', 'of', 'to', 'in', 'on', 'at', 'by', 'for', 'with', 'from',
    'into', 'onto', 'about', 'as', 'than', 'then', 'that', 'this', 'these', 'those', 'there', 'here', 'it', "it's",
    'its', 'is', 'are', 'was', 'were', 'be', 'been', 'being', 'am', 'do', 'does', 'did', 'done', 'can', 'could',
    'will', 'would', 'should', 'shall', 'may', 'might', 'must', 'i', 'you', 'he', 'she', 'we', 'they', 'me', 'him',
    'her', 'us', 'them', 'my', 'your', 'his', 'our', 'their', 'what', 'why', 'how', 'when', 'where', 'who', 'whom',
    'which', 'whose', 'if', 'just', 'really', 'actually', 'very', 'ever', 'explained', 'explanation', 'truth',
    'everything', 'need', 'know', 'guide', 'video', 'some', 'any', 'all', 'up', 'out', 'not', "don't", "doesn't",
    'get', 'gets', 'got', 'let', "let's", 'has', 'have', 'had', 'you’re', "you're", 'ultimate', 'complete',
  ],
  fr: [
    'le', 'la', 'les', 'l', 'un', 'une', 'des', 'du', 'de', 'd', 'au', 'aux', 'et', 'ou', 'mais', 'donc', 'or',
    'ni', 'car', 'à', 'a', 'en', 'dans', 'sur', 'sous', 'par', 'pour', 'avec', 'sans', 'chez', 'vers', 'entre',
    'ce', 'cet', 'cette', 'ces', 'c', 'ça', 'cela', 'qui', 'que', 'qu', 'quoi', 'dont', 'où', 'je', 'j', 'tu', 'il',
    'elle', 'on', 'nous', 'vous', 'ils', 'elles', 'me', 'm', 'te', 't', 'se', 's', 'lui', 'leur', 'leurs', 'mon',
    'ma', 'mes', 'ton', 'ta', 'tes', 'son', 'sa', 'ses', 'notre', 'nos', 'votre', 'vos', 'est', 'sont', 'était',
    'être', 'ont', 'avoir', 'fait', 'faire', 'peut', 'pourquoi', 'comment', 'quand', 'quel', 'quelle', 'quels',
    'quelles', 'combien', 'ne', 'n', 'pas', 'plus', 'très', 'vraiment', 'tout', 'tous', 'toute', 'toutes',
    'expliqué', 'expliquée', 'expliqués', 'explication', 'vérité', 'savoir', 'guide', 'vidéo', 'y', 'si', 'comme',
  ],
  es: [
    'el', 'la', 'los', 'las', 'un', 'una', 'unos', 'unas', 'y', 'o', 'de', 'del', 'al', 'a', 'en', 'con', 'por',
    'para', 'sin', 'sobre', 'que', 'qué', 'por qué', 'cómo', 'como', 'cuándo', 'dónde', 'es', 'son', 'fue', 'ser',
    'se', 'su', 'sus', 'lo', 'le', 'les', 'mi', 'tu', 'muy', 'más', 'todo', 'explicado',
  ],
  de: [
    'der', 'die', 'das', 'den', 'dem', 'des', 'ein', 'eine', 'einen', 'einem', 'einer', 'und', 'oder', 'aber', 'zu',
    'in', 'im', 'an', 'am', 'auf', 'mit', 'von', 'vom', 'für', 'über', 'ist', 'sind', 'war', 'wie', 'warum', 'was',
    'wer', 'wo', 'wann', 'es', 'sie', 'er', 'wir', 'ihr', 'sich', 'nicht', 'sehr', 'alles', 'erklärt',
  ],
  it: [
    'il', 'lo', 'la', 'i', 'gli', 'le', 'un', 'uno', 'una', 'e', 'o', 'di', 'del', 'della', 'dei', 'delle', 'a',
    'al', 'alla', 'da', 'in', 'nel', 'nella', 'con', 'su', 'per', 'tra', 'che', 'perché', 'come', 'quando', 'dove',
    'è', 'sono', 'si', 'non', 'molto', 'tutto', 'spiegato',
  ],
  pt: [
    'o', 'a', 'os', 'as', 'um', 'uma', 'e', 'ou', 'de', 'do', 'da', 'dos', 'das', 'em', 'no', 'na', 'nos', 'nas',
    'com', 'por', 'para', 'sem', 'que', 'porque', 'por que', 'como', 'quando', 'onde', 'é', 'são', 'se', 'seu',
    'sua', 'não', 'muito', 'tudo', 'explicado',
  ],
};

const STOP_SETS: Record<Language, ReadonlySet<string>> = {
  en: new Set(STOP_WORDS.en),
  fr: new Set(STOP_WORDS.fr),
  es: new Set(STOP_WORDS.es),
  de: new Set(STOP_WORDS.de),
  it: new Set(STOP_WORDS.it),
  pt: new Set(STOP_WORDS.pt),
};

/** Articles, prepositions and conjunctions: a line should not end on one ("PEUR DES / ABEILLES"). */
const GLUE_WORDS: Record<Language, ReadonlySet<string>> = {
  en: new Set(['a', 'an', 'the', 'of', 'to', 'in', 'on', 'at', 'by', 'for', 'with', 'from', 'and', 'or', 'about', 'into', 'than']),
  fr: new Set(['l', 'd', 'le', 'la', 'les', 'un', 'une', 'des', 'du', 'de', 'au', 'aux', 'et', 'ou', 'à', 'en', 'dans', 'sur', 'par', 'pour', 'avec', 'sans', 'chez']),
  es: new Set(['el', 'la', 'los', 'las', 'un', 'una', 'de', 'del', 'al', 'a', 'en', 'con', 'por', 'para', 'y', 'o']),
  de: new Set(['der', 'die', 'das', 'den', 'dem', 'des', 'ein', 'eine', 'und', 'oder', 'zu', 'in', 'im', 'an', 'am', 'auf', 'mit', 'von', 'für']),
  it: new Set(['il', 'lo', 'la', 'i', 'gli', 'le', 'un', 'una', 'di', 'del', 'della', 'a', 'al', 'da', 'in', 'con', 'per', 'e', 'o']),
  pt: new Set(['o', 'a', 'os', 'as', 'um', 'uma', 'de', 'do', 'da', 'em', 'no', 'na', 'com', 'por', 'para', 'e', 'ou']),
};

/** True for a word that belongs with the next one, so a line break after it reads badly. */
export function isGlueWord(word: string, lang: Language): boolean {
  const key = word.toLocaleLowerCase(lang).replace(/[^\p{L}\p{N}]+$/u, '');
  return GLUE_WORDS[lang].has(key);
}

export const WORD_LIMITS = { min: 3, max: 5, maxChars: 30 } as const;

interface Token {
  /** The word as written, surrounding punctuation removed. */
  word: string;
  stop: boolean;
  /** Capitalised inside a sentence-case title: likely a name ("Tour Eiffel"). */
  proper: boolean;
  /** Index of the clause (split at : ; , ! ? . and dashes) the word belongs to. */
  clause: number;
}

/** Splits a title into words and clauses; apostrophes and hyphens inside a word stay. */
export function tokenizeTitle(title: string, lang: Language): Token[] {
  const stops = STOP_SETS[lang];
  const tokens: Token[] = [];
  let clause = 0;
  for (const raw of title.normalize('NFC').split(/\s+/)) {
    if (raw === '') continue;
    const word = raw.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}%]+$/gu, '');
    if (word !== '') {
      const key = word.toLocaleLowerCase(lang);
      // French elision: "l'éléphant" counts as "éléphant" for stop-word purposes.
      const bare = key.replace(/^(?:l|d|j|m|n|s|t|c|qu)['’]/u, '');
      tokens.push({ word, stop: stops.has(key) || (bare !== key && stops.has(bare)), proper: false, clause });
    }
    if (/[:;,!?.–—]$|^[–—-]$/u.test(raw)) clause++;
  }
  const capitalised = (t: Token): boolean => /^\p{Lu}/u.test(t.word.replace(/^\p{L}['’]/u, ''));
  const content = tokens.filter((t) => !t.stop);
  const titleCase = content.length > 0 && content.filter(capitalised).length / content.length > 0.6;
  if (!titleCase) tokens.forEach((t, i) => { t.proper = i > 0 && !t.stop && capitalised(t); });
  return tokens;
}

function wordWeight(t: Token): number {
  if (t.stop) return -0.45;
  if (/^\p{N}/u.test(t.word)) return 2.2;
  return 1 + Math.min([...t.word].length, 10) / 10 + (t.proper ? 0.6 : 0);
}

function charLength(words: readonly Token[]): number {
  return words.reduce((n, t) => n + [...t.word].length, 0) + Math.max(0, words.length - 1);
}

function spanScore(span: readonly Token[]): number {
  const weight = span.reduce((s, t) => s + wordWeight(t), 0);
  const over = Math.max(0, charLength(span) - WORD_LIMITS.maxChars);
  const earlyClause = span[0]?.clause === 0 ? 0.3 : 0;
  return weight - over * 0.12 + earlyClause;
}

/**
 * The 3–5 words a thumbnail shows: the best contiguous run of the title inside one
 * clause that starts and ends on a content word ("Why octopuses have three hearts"
 * → "octopuses have three hearts"); when no run qualifies, the best content words in
 * title order. Words keep their accents and original case; a question keeps its "?".
 */
export function pickThumbnailWords(title: string, lang: Language): string[] {
  const tokens = tokenizeTitle(title, lang);
  if (tokens.length === 0) return [title.trim()].filter(Boolean);
  if (tokens.length <= WORD_LIMITS.min) return withQuestionMark(tokens.map((t) => t.word), title);

  let best: { score: number; span: Token[] } | undefined;
  for (let start = 0; start < tokens.length; start++) {
    for (let len = WORD_LIMITS.min; len <= WORD_LIMITS.max && start + len <= tokens.length; len++) {
      const span = tokens.slice(start, start + len);
      const first = span[0];
      const last = span[span.length - 1];
      if (!first || !last || first.stop || last.stop || first.clause !== last.clause) continue;
      // "in 5" without "minutes": a number wants the noun after it.
      if (/^\p{N}+$/u.test(last.word) && start + len < tokens.length && tokens[start + len]?.clause === last.clause) continue;
      const score = spanScore(span);
      if (!best || score > best.score + 1e-9) best = { score, span };
    }
  }
  if (best) return withQuestionMark(best.span.map((t) => t.word), title);

  const content = tokens.map((t, i) => ({ t, i })).filter(({ t }) => !t.stop);
  const pool = content.length >= WORD_LIMITS.min ? content : tokens.map((t, i) => ({ t, i }));
  const chosen = [...pool]
    .sort((a, b) => wordWeight(b.t) - wordWeight(a.t) || a.i - b.i)
    .slice(0, WORD_LIMITS.max)
    .sort((a, b) => a.i - b.i);
  while (chosen.length > WORD_LIMITS.min && charLength(chosen.map((c) => c.t)) > WORD_LIMITS.maxChars) {
    const weakest = chosen.reduce((w, c, idx) => (wordWeight(c.t) < wordWeight(chosen[w]!.t) ? idx : w), 0);
    chosen.splice(weakest, 1);
  }
  return withQuestionMark(chosen.map((c) => c.t.word), title);
}

function withQuestionMark(words: string[], title: string): string[] {
  if (!/[?？]\s*$/u.test(title) || words.length === 0) return words;
  const out = [...words];
  out[out.length - 1] = `${out[out.length - 1]}?`;
  return out;
}

/** Thumbnail words in capitals, with the language's own case rules (keeps É, Ç). */
export function toThumbnailCase(words: readonly string[], lang: Language): string[] {
  return words.map((w) => w.toLocaleUpperCase(lang));
}
