import type { KeywordCandidate, KeywordsFetchInput, Language } from '@faceless/contracts';
import { KEYWORD_LANGUAGES, type Intent, type SubjectShape } from '../keyword-languages.ts';
import { analyzeTopic, keywordKey, phraseWords, type TopicSubject } from '../topic-subject.ts';
import type { KeywordProvider } from './keyword-provider.ts';

export const OFFLINE_SOURCE = 'offline-expansion';

/** How much each search intent is worth for a narrated explainer video, and why. */
const INTENT_WEIGHTS: Record<Intent, { points: number; reason: (k: string, year: number) => string }> = {
  topic: { points: 18, reason: () => 'the topic as given: the closest match to what the viewer wants' },
  question: { points: 14, reason: (k) => `question form: searchers ask "${k.split(' ').slice(0, 2).join(' ')} …", and a video can answer it directly` },
  howto: { points: 12, reason: () => 'how-to intent: tutorials are among the most searched video formats' },
  beginner: { points: 10, reason: () => 'beginner intent: a wide audience looking for a first explanation' },
  explained: { points: 9, reason: () => 'explainer intent: exactly what a narrated faceless video delivers' },
  list: { points: 7, reason: () => 'list intent: suits a numbered, skimmable video' },
  freshness: { points: 6, reason: (_k, year) => `freshness: "${year}" shows searchers want current information` },
  curiosity: { points: 6, reason: () => 'curiosity angle: facts and myths get clicked and shared' },
  format: { points: 4, reason: () => 'format match: searchers want a short, video-native answer' },
  audience: { points: 3, reason: () => 'specific audience: less competition than the general term' },
};

const BASE_SCORE = 40;
const NOUN: readonly SubjectShape[] = ['noun'];
const STACKABLE: ReadonlySet<Intent> = new Set(['explained', 'list', 'howto', 'curiosity']);

export interface ScoredKeyword {
  score: number;
  reasons: string[];
}

/** Scores one expansion from its intent, its length in words and whether it keeps the core topic term. */
export interface ScoreAdjustment {
  points: number;
  reason: string;
}

/** Scores one expansion from its intent, its length in words and whether it keeps the core topic term. */
export function scoreExpansion(options: {
  keyword: string;
  intent: Intent;
  topic: TopicSubject;
  lang: Language;
  year: number;
  headTerm?: boolean;
  adjustments?: readonly ScoreAdjustment[];
}): ScoredKeyword {
  const { keyword, intent, topic, lang, year } = options;
  const reasons: string[] = [];
  let score = BASE_SCORE;
  if (options.headTerm) {
    reasons.push(`head term: the core topic "${topic.core}" alone, high volume but crowded`);
  } else {
    const w = INTENT_WEIGHTS[intent];
    score += w.points;
    reasons.push(w.reason(keyword, year));
  }
  const n = phraseWords(keyword, lang).length;
  if (n === 1) {
    score -= 12;
    reasons.push('1 word: broad and highly competitive');
  } else if (n >= 3 && n <= 5) {
    score += 8;
    reasons.push(`long-tail: ${n} words, lower competition`);
  } else if (n >= 6 && n <= 7) {
    score += 3;
    reasons.push(`long-tail: ${n} words, specific and easier to rank for`);
  } else if (n >= 8) {
    score -= 8;
    reasons.push(`very long: ${n} words, few people type this`);
  }
  if (keyword.length > 60) {
    score -= 10;
    reasons.push(`${keyword.length} characters: too long for most search boxes`);
  }
  const folded = ` ${keywordKey(keyword)} `;
  if (topic.coreWords.every((w) => folded.includes(` ${keywordKey(w)} `))) {
    score += 6;
    reasons.push(`contains the core topic term "${topic.core}"`);
  }
  for (const a of options.adjustments ?? []) {
    score += a.points;
    reasons.push(a.reason);
  }
  return { score: Math.max(0, Math.min(100, score)), reasons };
}

interface FillSubject {
  subject: string;
  bare: string;
  plural: boolean;
  opening: string;
}

/**
 * Fills a template. A subject that ends the keyword keeps its article ("what is the roman empire");
 * one followed by a modifier loses it ("roman empire facts"), as people type; `{b}` always loses it.
 */
export function fillTemplate(pattern: string, s: FillSubject, year: number): string | undefined {
  if (pattern.includes('{q}') && !s.opening) return undefined;
  const last = pattern.trimEnd().endsWith('{s}');
  return pattern
    .replace(/\{([^{}|]+)\|([^{}]+)\}/g, (_m, one: string, many: string) => (s.plural ? many : one))
    .replace('{s}', last ? s.subject : s.bare)
    .replace('{b}', s.bare)
    .replace('{q}', s.opening)
    .replace('{year}', String(year))
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Expands a topic into keyword candidates with the language's question forms and modifiers,
 * scored by search intent and length. Pure: the same topic, language and year give the same list.
 */
export function expandTopic(input: Pick<KeywordsFetchInput, 'topic' | 'lang'>, year: number): KeywordCandidate[] {
  const rules = KEYWORD_LANGUAGES[input.lang];
  const topic = analyzeTopic(input.topic, input.lang);
  const seen = new Set<string>();
  const out: KeywordCandidate[] = [];
  const add = (raw: string, intent: Intent, extra: { headTerm?: boolean; adjustments?: ScoreAdjustment[] } = {}): void => {
    const keyword = (rules.finish ? rules.finish(raw) : raw).trim();
    const key = keywordKey(keyword);
    if (!key || seen.has(key)) return;
    seen.add(key);
    const { score, reasons } = scoreExpansion({ keyword, intent, topic, lang: input.lang, year, ...extra });
    out.push({ keyword, score, reason: reasons.join('; '), source: OFFLINE_SOURCE });
  };
  const applyAll = (subject: FillSubject, shape: SubjectShape, options: { onlyModifiers?: boolean; broader?: string } = {}): void => {
    for (const t of rules.templates) {
      if (!(t.shapes ?? NOUN).includes(shape)) continue;
      if (options.onlyModifiers && !t.pattern.startsWith('{s} ')) continue;
      const k = fillTemplate(t.pattern, subject, year);
      if (!k) continue;
      const adjustments: ScoreAdjustment[] = [];
      if (options.broader) {
        adjustments.push({ points: -4, reason: `broader: about "${options.broader}" rather than the whole topic` });
        if (!t.general) adjustments.push({ points: -6, reason: 'modifier that may not suit this subject' });
      }
      add(k, t.intent, { adjustments });
    }
  };

  add(topic.phrase, 'topic');
  applyAll(topic, topic.shape);
  if (topic.focus) applyAll({ ...topic.focus, opening: '' }, 'noun', { broader: topic.focus.bare });
  // The core term alone and with modifiers, as people type it: "history roman empire facts".
  if (topic.shape === 'noun' && keywordKey(topic.core) !== keywordKey(topic.bare)) {
    add(topic.core, 'topic', { headTerm: true });
    applyAll({ subject: topic.core, bare: topic.core, plural: topic.plural, opening: '' }, 'noun', { onlyModifiers: true });
  }
  // Stacked variants ("bitcoin tutorial for beginners", "bitcoin facts 2025"), penalised so that they only fill a long list.
  const main = topic.focus ? { ...topic.focus, opening: '' } : topic;
  for (const [suffix, intent] of [[rules.beginnerSuffix, 'beginner'], ['{year}', 'freshness']] as const) {
    for (const t of rules.templates) {
      if (!t.pattern.startsWith('{s} ') || t.pattern.includes('{year}') || !STACKABLE.has(t.intent)) continue;
      if (!(t.shapes ?? NOUN).includes('noun') || t.pattern.endsWith(suffix)) continue;
      const k = fillTemplate(`${t.pattern} ${suffix}`, main, year);
      if (k) add(k, intent, { adjustments: [{ points: -10, reason: 'stacked modifiers: a narrower variant' }] });
    }
  }
  return out.sort((a, b) => b.score - a.score || a.keyword.localeCompare(b.keyword));
}

/** The offline default: no network, deterministic for a given topic, language and year. */
export function createOfflineKeywordProvider(options: { now?: () => Date } = {}): KeywordProvider {
  const now = options.now ?? (() => new Date());
  return {
    name: 'offline',
    fetch: (input) => Promise.resolve(expandTopic(input, now().getUTCFullYear())),
  };
}
