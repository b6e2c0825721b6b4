import { KeywordsFetchInput, KeywordsFetchOutput, type KeywordCandidate } from '@faceless/contracts';
import { defineStage, FacelessError, type Stage } from '@faceless/runtime';
import type { KeywordProvider } from './providers/keyword-provider.ts';
import { keywordKey } from './topic-subject.ts';

/** Deduplicates (case, accents and spacing aside, keeping the best score), sorts by score and keeps `limit`. */
export function rankKeywords(candidates: readonly KeywordCandidate[], limit: number): KeywordCandidate[] {
  const best = new Map<string, KeywordCandidate>();
  for (const c of candidates) {
    const key = keywordKey(c.keyword);
    const seen = best.get(key);
    if (key && (!seen || c.score > seen.score)) best.set(key, c);
  }
  return [...best.values()]
    .map((c) => ({ ...c, score: Math.round(Math.max(0, Math.min(100, c.score)) * 10) / 10 }))
    .sort((a, b) => b.score - a.score || a.keyword.localeCompare(b.keyword))
    .slice(0, limit);
}

export interface KeywordFetcherDeps {
  provider: KeywordProvider;
}

/** The keyword-fetcher stage: a topic in, ranked keyword candidates with their reasons out. */
export function createKeywordFetcher(deps: KeywordFetcherDeps): Stage<typeof KeywordsFetchInput, typeof KeywordsFetchOutput> {
  return defineStage({
    name: 'keyword-fetcher',
    input: KeywordsFetchInput,
    output: KeywordsFetchOutput,
    async run(input, ctx) {
      ctx.progress(0, `finding keywords with ${deps.provider.name}`);
      const candidates = await deps.provider.fetch(input, { log: ctx.log, signal: ctx.signal });
      const keywords = rankKeywords(candidates, input.limit);
      if (keywords.length === 0) {
        throw new FacelessError('PROVIDER_BAD_RESPONSE', `${deps.provider.name} found no keywords for "${input.topic}"; try a broader topic or KEYWORD_PROVIDER=offline`);
      }
      if (keywords.length < input.limit) ctx.log.warn('fewer keywords than asked for', { found: keywords.length, limit: input.limit });
      ctx.progress(1, `${keywords.length} keywords`);
      return { topic: input.topic, provider: deps.provider.name, keywords };
    },
  });
}
