import type { KeywordCandidate, Language } from '@faceless/contracts';
import { z } from 'zod';
import { KEYWORD_LANGUAGES } from './keyword-languages.ts';
import { keywordKey, normalizePhrase, phraseWords } from './topic-subject.ts';

// Loose shapes of the three SerpApi engines' answers: only the fields used here are checked.
export const AutocompleteResponse = z.looseObject({
  suggestions: z.array(z.looseObject({ value: z.string(), relevance: z.number().optional() })).default([]),
});
export type AutocompleteResponse = z.infer<typeof AutocompleteResponse>;

export const YoutubeResponse = z.looseObject({
  video_results: z.array(z.looseObject({
    title: z.string(),
    // SerpApi gives an integer; some older answers carry "1,234 views".
    views: z.union([z.number(), z.string()]).optional(),
    link: z.string().optional(),
  })).default([]),
});
export type YoutubeResponse = z.infer<typeof YoutubeResponse>;

const RelatedQuery = z.looseObject({
  query: z.string(),
  value: z.union([z.string(), z.number()]).optional(),
  extracted_value: z.number().optional(),
});
export const TrendsResponse = z.looseObject({
  related_queries: z.looseObject({
    rising: z.array(RelatedQuery).default([]),
    top: z.array(RelatedQuery).default([]),
  }).optional(),
});
export type TrendsResponse = z.infer<typeof TrendsResponse>;

export interface SerpEvidence {
  autocomplete?: AutocompleteResponse;
  youtube?: YoutubeResponse;
  trends?: TrendsResponse;
}

interface Entry {
  keyword: string;
  points: number;
  reasons: string[];
  sources: Set<string>;
}

const BASE_SCORE = 30;

/** "1,234,567 views" or 1234567 → 1234567. */
export function parseViews(views: number | string | undefined): number | undefined {
  if (typeof views === 'number') return Number.isFinite(views) ? views : undefined;
  if (typeof views !== 'string') return undefined;
  const m = /([\d.,]+)\s*([KMB])?/i.exec(views);
  if (!m?.[1]) return undefined;
  const unit = { K: 1e3, M: 1e6, B: 1e9 }[(m[2] ?? '').toUpperCase() as 'K' | 'M' | 'B'] ?? 1;
  const n = Number(unit === 1 ? m[1].replace(/[.,]/g, '') : m[1].replace(',', '.'));
  return Number.isFinite(n) ? Math.round(n * unit) : undefined;
}

/** 1234567 → "1.2M". */
export function formatCount(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1).replace(/\.0$/, '')}B`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1).replace(/\.0$/, '')}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1).replace(/\.0$/, '')}K`;
  return String(n);
}

/** "+350%" → 350; "Breakout" → Infinity; also reads SerpApi's extracted_value. */
export function risingPercent(q: { value?: string | number | undefined; extracted_value?: number | undefined }): number | undefined {
  if (typeof q.value === 'string' && /breakout/i.test(q.value)) return Number.POSITIVE_INFINITY;
  if (typeof q.extracted_value === 'number') return q.extracted_value;
  if (typeof q.value === 'number') return q.value;
  const m = typeof q.value === 'string' ? /([\d,]+)/.exec(q.value) : null;
  return m?.[1] ? Number(m[1].replace(/,/g, '')) : undefined;
}

/**
 * Merges the three engines' answers into scored candidates, each reason citing its evidence.
 * Autocomplete and Trends propose keywords; YouTube views back up the ones its top titles contain.
 */
export function mergeSerpEvidence(evidence: SerpEvidence, lang: Language): KeywordCandidate[] {
  const entries = new Map<string, Entry>();
  const add = (raw: string, points: number, reason: string, source: string): void => {
    const keyword = normalizePhrase(raw, lang);
    const key = keywordKey(keyword);
    if (!key) return;
    const e = entries.get(key) ?? { keyword, points: 0, reasons: [], sources: new Set<string>() };
    e.points += points;
    e.reasons.push(reason);
    e.sources.add(source);
    entries.set(key, e);
  };

  const suggestions = evidence.autocomplete?.suggestions ?? [];
  const maxRelevance = Math.max(0, ...suggestions.map((s) => s.relevance ?? 0));
  suggestions.forEach((s, i) => {
    const weight = s.relevance !== undefined && maxRelevance > 0 ? s.relevance / maxRelevance : 1 - i / Math.max(1, suggestions.length);
    const reason = s.relevance !== undefined ? `autocomplete relevance ${s.relevance}` : `autocomplete suggestion #${i + 1}`;
    add(s.value, 20 + 25 * weight, reason, 'autocomplete');
  });

  for (const q of evidence.trends?.related_queries?.rising ?? []) {
    const p = risingPercent(q);
    if (p === undefined) continue;
    if (p === Number.POSITIVE_INFINITY) add(q.query, 35, 'breakout on YouTube: searches grew more than 5000%', 'trends');
    else add(q.query, Math.min(30, 8 + 7 * Math.log10(1 + p / 10)), `rising +${p}% on YouTube`, 'trends');
  }
  for (const q of evidence.trends?.related_queries?.top ?? []) {
    const v = q.extracted_value ?? (typeof q.value === 'number' ? q.value : Number(q.value));
    if (!Number.isFinite(v)) continue;
    add(q.query, 10 + 0.25 * v, `top related query on YouTube (interest ${v}/100)`, 'trends');
  }

  const stop = KEYWORD_LANGUAGES[lang].stopWords;
  const videos = (evidence.youtube?.video_results ?? [])
    .map((v) => ({ title: ` ${keywordKey(v.title)} `, views: parseViews(v.views) }))
    .filter((v): v is { title: string; views: number } => v.views !== undefined);
  for (const e of entries.values()) {
    const words = phraseWords(keywordKey(e.keyword), lang).filter((w) => !stop.has(w));
    if (words.length === 0) continue;
    const best = Math.max(0, ...videos.filter((v) => words.every((w) => v.title.includes(` ${w} `))).map((v) => v.views));
    if (best < 1000) continue;
    e.points += Math.min(15, 3 * Math.log10(best) - 6);
    e.reasons.push(`top video for it has ${formatCount(best)} views`);
    e.sources.add('youtube');
  }

  return [...entries.values()].map((e) => {
    const bonus = (e.sources.size - 1) * 8;
    const reasons = bonus > 0 ? [...e.reasons, `confirmed by ${e.sources.size} sources`] : e.reasons;
    return {
      keyword: e.keyword,
      score: Math.round(Math.max(0, Math.min(100, BASE_SCORE + e.points + bonus)) * 10) / 10,
      reason: reasons.join('; '),
      source: `serpapi:${[...e.sources].join('+')}`,
    };
  });
}
