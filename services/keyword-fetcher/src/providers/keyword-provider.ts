import type { KeywordCandidate, KeywordsFetchInput } from '@faceless/contracts';
import type { Logger } from '@faceless/runtime';

export interface KeywordProviderContext {
  log: Logger;
  signal: AbortSignal;
}

/**
 * Where keyword ideas come from (SerpApi's live search data, or offline topic expansion).
 * A provider returns scored candidates; the stage deduplicates, ranks and cuts them to the limit.
 */
export interface KeywordProvider {
  readonly name: string;
  fetch(input: KeywordsFetchInput, ctx: KeywordProviderContext): Promise<KeywordCandidate[]>;
}
