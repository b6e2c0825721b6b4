import type { KeywordCandidate, KeywordsFetchInput } from '@faceless/contracts';
import { FacelessError, sleep, type Logger } from '@faceless/runtime';
import type { z } from 'zod';
import { requestCacheKey, type ResponseCache } from '../response-cache.ts';
import { AutocompleteResponse, mergeSerpEvidence, TrendsResponse, YoutubeResponse, type SerpEvidence } from '../serpapi-evidence.ts';
import { keywordKey, normalizePhrase } from '../topic-subject.ts';
import type { KeywordProvider, KeywordProviderContext } from './keyword-provider.ts';
import { expandTopic } from './offline.ts';

export interface SerpApiOptions {
  apiKey: string;
  /** Default https://serpapi.com; the fake server's address in tests. */
  baseUrl: string;
  cache: ResponseCache;
  timeoutMs?: number;
  /** Tries per engine call for 5xx and network errors (429 is not retried here: quotas do not reset in seconds). */
  attempts?: number;
  retryBaseDelayMs?: number;
  now?: () => Date;
}

const ENGINES = ['google_autocomplete', 'youtube', 'google_trends'] as const;
type Engine = (typeof ENGINES)[number];

/** The parameters of each engine for a topic, per SerpApi's documentation. */
export function engineParams(engine: Engine, input: KeywordsFetchInput): Record<string, string> {
  const q = normalizePhrase(input.topic, input.lang);
  switch (engine) {
    case 'google_autocomplete':
      return { q, gl: input.region, hl: input.lang };
    case 'youtube':
      return { search_query: q, gl: input.region, hl: input.lang };
    case 'google_trends':
      // Trends reads commas in q as several queries; normalizePhrase removed them.
      return { q, data_type: 'RELATED_QUERIES', date: 'today 12-m', gprop: 'youtube', geo: input.region.toUpperCase(), hl: input.lang };
  }
}

const SCHEMAS: Record<Engine, z.ZodType> = {
  google_autocomplete: AutocompleteResponse,
  youtube: YoutubeResponse,
  google_trends: TrendsResponse,
};

function bodyError(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const e = (body as { error?: unknown }).error;
  return typeof e === 'string' && e.length > 0 ? e : undefined;
}

/** Maps SerpApi's answer to an error, or undefined when the body is usable. SerpApi also reports errors as 200 with {"error"}. */
export function serpApiError(engine: string, status: number, body: unknown): FacelessError | undefined {
  const message = bodyError(body);
  const said = message ? `: ${message}` : '';
  if (status === 401 || status === 403 || (message && /api key/i.test(message))) {
    return new FacelessError('PROVIDER_AUTH', `SerpApi rejected the API key (${engine}, HTTP ${status}${said}). Check SERPAPI_API_KEY, or unset it to use the offline keyword provider`, { field: 'SERPAPI_API_KEY' });
  }
  if (status === 429 || (message && /run out of searches|rate limit|too many requests/i.test(message))) {
    return new FacelessError('PROVIDER_RATE_LIMITED', `SerpApi limit reached (${engine}, HTTP ${status}${said}). Wait, or raise the plan's search quota; answers are cached for 24 h`, { retryable: true });
  }
  if (status >= 500) {
    return new FacelessError('PROVIDER_UNAVAILABLE', `SerpApi is unavailable (${engine}, HTTP ${status}${said}); retry later`, { retryable: true });
  }
  // "Google hasn't returned any results for this query." is an empty answer, not a failure.
  if (message && /hasn't returned any results|no results/i.test(message)) return undefined;
  if (status < 200 || status >= 300 || message) {
    return new FacelessError('PROVIDER_BAD_RESPONSE', `SerpApi ${engine} failed (HTTP ${status}${said})`);
  }
  if (typeof body !== 'object' || body === null) {
    return new FacelessError('PROVIDER_BAD_RESPONSE', `SerpApi ${engine} answered HTTP ${status} with a body that is not a JSON object`);
  }
  return undefined;
}

/**
 * Keyword research from live search data: Google autocomplete, YouTube search and Google Trends
 * (related queries on YouTube). One engine failing (5xx, an error body) only drops its evidence;
 * a bad key or an exhausted quota fails the call. Answers are cached, since every search is billed.
 */
export function createSerpApiKeywordProvider(options: SerpApiOptions): KeywordProvider {
  const base = options.baseUrl.replace(/\/+$/, '');
  const attempts = options.attempts ?? 2;
  const now = options.now ?? (() => new Date());

  async function request(engine: Engine, params: Record<string, string>, ctx: KeywordProviderContext): Promise<unknown> {
    const url = new URL(`${base}/search.json`);
    for (const [k, v] of Object.entries({ engine, ...params, api_key: options.apiKey })) url.searchParams.set(k, v);
    let res: Response;
    try {
      res = await fetch(url, {
        headers: { accept: 'application/json' },
        signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(options.timeoutMs ?? 30_000)]),
      });
    } catch (err) {
      if (ctx.signal.aborted) throw new FacelessError('CANCELLED', 'keyword fetch was cancelled', { cause: err });
      throw new FacelessError('PROVIDER_UNAVAILABLE', `could not reach SerpApi at ${base} (${engine}): ${(err as Error).message}. Check SERPAPI_URL and the network`, { retryable: true, cause: err });
    }
    const text = await res.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    const error = serpApiError(engine, res.status, body);
    if (error) throw error;
    const parsed = SCHEMAS[engine].safeParse(body);
    if (!parsed.success) {
      throw new FacelessError('PROVIDER_BAD_RESPONSE', `SerpApi ${engine} answer has an unexpected shape: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    }
    return parsed.data;
  }

  async function callEngine(engine: Engine, input: KeywordsFetchInput, ctx: KeywordProviderContext): Promise<unknown> {
    const params = engineParams(engine, input);
    const key = requestCacheKey(engine, params);
    const cached = await options.cache.get(key);
    if (cached !== undefined) {
      ctx.log.debug('serpapi cache hit', { engine });
      return cached;
    }
    for (let attempt = 1; ; attempt++) {
      try {
        const body = await request(engine, params, ctx);
        await options.cache.set(key, body);
        return body;
      } catch (err) {
        const retry = err instanceof FacelessError && err.code === 'PROVIDER_UNAVAILABLE' && attempt < attempts;
        if (!retry) throw err;
        await sleep((options.retryBaseDelayMs ?? 1000) * 2 ** (attempt - 1), ctx.signal);
      }
    }
  }

  return {
    name: 'serpapi',
    async fetch(input, ctx) {
      const settled = await Promise.allSettled(ENGINES.map((e) => callEngine(e, input, ctx)));
      const failures = settled.flatMap((s, i) => (s.status === 'rejected' ? [{ engine: ENGINES[i] ?? '', error: s.reason as unknown }] : []));
      for (const { error } of failures) {
        if (error instanceof FacelessError && ['PROVIDER_AUTH', 'PROVIDER_RATE_LIMITED', 'CANCELLED'].includes(error.code)) throw error;
        if (!(error instanceof FacelessError)) throw error;
      }
      if (failures.length === ENGINES.length) throw failures[0]?.error as Error;
      for (const f of failures) warn(ctx.log, f.engine, f.error as FacelessError);

      const value = (i: number): unknown => (settled[i]?.status === 'fulfilled' ? settled[i].value : undefined);
      const evidence: SerpEvidence = {
        autocomplete: value(0) as SerpEvidence['autocomplete'],
        youtube: value(1) as SerpEvidence['youtube'],
        trends: value(2) as SerpEvidence['trends'],
      };
      const found = mergeSerpEvidence(evidence, input.lang);
      return topUp(found, input, now().getUTCFullYear());
    },
  };
}

function warn(log: Logger, engine: string, error: FacelessError): void {
  log.warn(`SerpApi ${engine} failed; keywords are ranked without it`, { engine, code: error.code, error: error.message });
}

/**
 * Live data rarely yields `limit` keywords for a narrow topic: the rest come from the offline
 * expansion, scored below every keyword with evidence.
 */
function topUp(found: KeywordCandidate[], input: KeywordsFetchInput, year: number): KeywordCandidate[] {
  if (found.length >= input.limit) return found;
  const have = new Set(found.map((k) => keywordKey(k.keyword)));
  const floor = Math.min(...found.map((k) => k.score), 100);
  const extra = expandTopic(input, year)
    .filter((k) => !have.has(keywordKey(k.keyword)))
    .slice(0, input.limit - found.length)
    .map((k) => ({ ...k, score: Math.max(0, Math.round(Math.min(k.score, floor - 1) * 0.9 * 10) / 10), reason: `no search data found; ${k.reason}` }));
  return [...found, ...extra];
}
