import { z } from 'zod';
import { trimmedText } from './text-fields.ts';
import { Language } from './pipeline.ts';

export const KeywordsFetchInput = z.strictObject({
  topic: trimmedText({ max: 200, empty: 'topic is empty: give a subject', tooLong: 'topic is longer than 200 characters: shorten it' }),
  lang: Language.default('en'),
  region: z.string().length(2).default('us'),
  limit: z.number().int().min(10).max(50).default(15),
});
export type KeywordsFetchInput = z.infer<typeof KeywordsFetchInput>;

export const KeywordCandidate = z.strictObject({
  keyword: z.string().min(1),
  /** 0..100, higher is better. */
  score: z.number().min(0).max(100),
  reason: z.string().min(1),
  source: z.string().min(1),
});
export type KeywordCandidate = z.infer<typeof KeywordCandidate>;

export const KeywordsFetchOutput = z.strictObject({
  topic: z.string(),
  provider: z.string(),
  keywords: z.array(KeywordCandidate).min(1),
});
export type KeywordsFetchOutput = z.infer<typeof KeywordsFetchOutput>;
