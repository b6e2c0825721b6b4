import type { Stage, StageFactoryOptions } from '@faceless/runtime';
import { join } from 'node:path';
import { readKeywordConfig } from './config.ts';
import type { KeywordProvider } from './providers/keyword-provider.ts';
import { createOfflineKeywordProvider } from './providers/offline.ts';
import { createSerpApiKeywordProvider } from './providers/serpapi.ts';
import { createResponseCache } from './response-cache.ts';
import { createKeywordFetcher } from './stage.ts';

export { createKeywordFetcher, rankKeywords, type KeywordFetcherDeps } from './stage.ts';
export { readKeywordConfig, type KeywordConfig } from './config.ts';
export type { KeywordProvider, KeywordProviderContext } from './providers/keyword-provider.ts';
export { createOfflineKeywordProvider, expandTopic, OFFLINE_SOURCE } from './providers/offline.ts';
export { createSerpApiKeywordProvider, type SerpApiOptions } from './providers/serpapi.ts';
export { createResponseCache, type ResponseCache } from './response-cache.ts';
export { mergeSerpEvidence } from './serpapi-evidence.ts';

/** The provider the environment asks for: SerpApi when SERPAPI_API_KEY is set (or KEYWORD_PROVIDER forces it), else offline. */
export function createKeywordProvider(env: Record<string, string | undefined>): KeywordProvider {
  const config = readKeywordConfig(env);
  if (config.provider === 'serpapi' && config.serpApiKey) {
    return createSerpApiKeywordProvider({
      apiKey: config.serpApiKey,
      baseUrl: config.serpApiUrl,
      timeoutMs: config.timeoutMs,
      cache: createResponseCache({ dir: join(config.cacheDir, 'serpapi'), ttlMs: config.cacheTtlMs }),
    });
  }
  return createOfflineKeywordProvider();
}

export function createStage(options: StageFactoryOptions): Stage {
  return createKeywordFetcher({ provider: createKeywordProvider(options.env) });
}
