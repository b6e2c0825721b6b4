import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { FacelessError } from '@faceless/runtime';
import { z } from 'zod';

const KeywordEnv = z.object({
  KEYWORD_PROVIDER: z.enum(['offline', 'serpapi']).optional(),
  SERPAPI_API_KEY: z.string().min(1).optional(),
  SERPAPI_URL: z.url({ protocol: /^https?$/ }).default('https://serpapi.com'),
  SERPAPI_TIMEOUT_MS: z.coerce.number().int().min(1000).max(300_000).default(30_000),
  SERPAPI_CACHE_TTL_HOURS: z.coerce.number().min(0).max(24 * 30).default(24),
  FACELESS_CACHE_DIR: z.string().min(1).optional(),
});

export interface KeywordConfig {
  provider: 'offline' | 'serpapi';
  serpApiKey?: string;
  serpApiUrl: string;
  timeoutMs: number;
  cacheTtlMs: number;
  cacheDir: string;
}

/** Reads keyword-fetcher's variables; an empty value counts as unset. Lists every bad variable at once. */
export function readKeywordConfig(env: Record<string, string | undefined>): KeywordConfig {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ''));
  const r = KeywordEnv.safeParse(present);
  const issues = r.success ? [] : r.error.issues.map((i) => ({ name: String(i.path[0] ?? ''), message: i.message }));
  // Checked apart from the schema so that it is reported together with the other issues.
  if (present.KEYWORD_PROVIDER === 'serpapi' && !present.SERPAPI_API_KEY) {
    issues.push({ name: 'SERPAPI_API_KEY', message: 'is required when KEYWORD_PROVIDER=serpapi (get one at serpapi.com, or use KEYWORD_PROVIDER=offline)' });
  }
  if (!r.success || issues.length > 0) {
    throw new FacelessError('INVALID_OPTION', `keyword-fetcher configuration: ${issues.map((i) => `${i.name} ${i.message}`).join('; ')}`, { field: issues[0]?.name });
  }
  const e = r.data;
  return {
    provider: e.KEYWORD_PROVIDER ?? (e.SERPAPI_API_KEY ? 'serpapi' : 'offline'),
    ...(e.SERPAPI_API_KEY ? { serpApiKey: e.SERPAPI_API_KEY } : {}),
    serpApiUrl: e.SERPAPI_URL,
    timeoutMs: e.SERPAPI_TIMEOUT_MS,
    cacheTtlMs: e.SERPAPI_CACHE_TTL_HOURS * 3_600_000,
    cacheDir: resolve(e.FACELESS_CACHE_DIR ?? join(homedir(), '.faceless', 'cache')),
  };
}
