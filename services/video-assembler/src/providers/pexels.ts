import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { z } from 'zod';
import type { Aspect } from '@faceless/contracts';
import { FacelessError, sleep, withRetry } from '@faceless/runtime';
import { probeMedia } from '../media-library.ts';
import type { SegmentBrief, SegmentVisual, StockSession, StockSource } from '../visuals.ts';

export const PEXELS_API_URL = 'https://api.pexels.com';

export interface PexelsOptions {
  apiKey: string;
  /** Default https://api.pexels.com; the fake server's address in tests. */
  baseUrl?: string;
  /** Downloaded clips and search answers, kept between videos. */
  cacheDir: string;
  /** Videos asked for per search (Pexels allows up to 80). */
  perPage?: number;
  /** How long a search answer is reused before asking again (saves the 200 requests an hour). */
  searchTtlMs?: number;
  /** Tries per search for 5xx and network errors. */
  attempts?: number;
  retryBaseDelayMs?: number;
  /** A 429 is waited out only when the limit resets within this long, and at most `rateLimitRetries` times. */
  maxRateLimitWaitMs?: number;
  rateLimitRetries?: number;
  requestTimeoutMs?: number;
  downloadTimeoutMs?: number;
  /** A download larger than this is skipped. */
  maxDownloadBytes?: number;
  /** Searches tried per segment, most specific first. */
  maxQueries?: number;
  now?: () => number;
}

const nullableNumber = z.number().nullable().optional();

const PexelsVideoFile = z.object({
  id: z.number().int().optional(),
  quality: z.string().nullable().optional(),
  file_type: z.string().nullable().optional(),
  width: nullableNumber,
  height: nullableNumber,
  fps: nullableNumber,
  link: z.string().min(1),
});
export type PexelsVideoFile = z.infer<typeof PexelsVideoFile>;

const PexelsVideo = z.object({
  id: z.number().int(),
  width: nullableNumber,
  height: nullableNumber,
  duration: z.number().nonnegative(),
  url: z.string(),
  user: z.object({ name: z.string(), url: z.string().optional() }),
  video_files: z.array(PexelsVideoFile),
});
export type PexelsVideo = z.infer<typeof PexelsVideo>;

/** The part of GET /videos/search this provider reads. */
export const PexelsSearchResponse = z.object({ videos: z.array(PexelsVideo) });
export type PexelsSearchResponse = z.infer<typeof PexelsSearchResponse>;

export const PEXELS_ORIENTATIONS = { '9:16': 'portrait', '16:9': 'landscape', '1:1': 'square' } as const satisfies Record<Aspect, string>;

/** The longest side of the file we prefer: bigger files cost download time and decoding for nothing. */
const PREFERRED_MAX_SHORT_SIDE = 1080;
/** A file may be this much smaller than the output before it counts as "much smaller". */
const SMALLER_SLACK = 0.75;
/** A clip may be this much shorter than its segment and still count as long enough. */
const DURATION_SLACK_SEC = 0.1;
const MAX_QUERY_CHARS = 100;

/**
 * The searches for a segment's keywords, most specific first: all the phrases, then fewer,
 * then each later phrase alone.
 */
export function searchQueries(keywords: readonly string[], max = 4): string[] {
  const phrases: string[] = [];
  for (const k of keywords) {
    const phrase = k.replace(/\s+/g, ' ').trim();
    if (phrase && !phrases.some((p) => p.toLowerCase() === phrase.toLowerCase())) phrases.push(phrase);
  }
  const queries: string[] = [];
  const add = (q: string): void => {
    const query = q.slice(0, MAX_QUERY_CHARS).trim();
    if (query && !queries.includes(query)) queries.push(query);
  };
  for (let n = Math.min(phrases.length, 4); n >= 1; n--) add(phrases.slice(0, n).join(' '));
  for (const p of phrases.slice(1)) add(p);
  return queries.slice(0, max);
}

/**
 * The MP4 rendition to download: the smallest that is not much smaller than the output, at most
 * 1080 on its short side when one is; else the largest there is.
 */
export function chooseVideoFile(files: readonly PexelsVideoFile[], frame: { width: number; height: number }): PexelsVideoFile | undefined {
  const mp4 = files.filter((f) => (f.file_type ?? '').toLowerCase() === 'video/mp4' && (f.width ?? 0) > 0 && (f.height ?? 0) > 0);
  const short = (f: PexelsVideoFile): number => Math.min(f.width ?? 0, f.height ?? 0);
  const target = Math.min(frame.width, frame.height);
  const bySize = [...mp4].sort((a, b) => short(a) - short(b) || (a.fps ?? 30) - (b.fps ?? 30));
  const bigEnough = bySize.filter((f) => short(f) >= target * SMALLER_SLACK);
  return bigEnough.find((f) => short(f) <= PREFERRED_MAX_SHORT_SIDE) ?? bigEnough[0] ?? bySize.at(-1);
}

/** Attribution line for the description, as Pexels asks. */
export function pexelsCredit(video: PexelsVideo): string {
  return `Video by ${video.user.name} on Pexels: ${video.url}`;
}

/** Seconds to wait before a rate-limited request may be tried again, from Retry-After or X-Ratelimit-Reset. */
export function rateLimitWaitMs(headers: Headers, now: number): number | undefined {
  const retryAfter = headers.get('retry-after');
  if (retryAfter) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
    const date = Date.parse(retryAfter);
    if (Number.isFinite(date)) return Math.max(0, date - now);
  }
  const reset = Number(headers.get('x-ratelimit-reset') ?? NaN);
  if (!Number.isFinite(reset)) return undefined;
  // Pexels sends a UNIX timestamp in seconds; a small number can only be a delay.
  return reset > 1e9 ? Math.max(0, reset * 1000 - now) : Math.max(0, reset * 1000);
}

type SearchAnswer = { kind: 'ok'; body: PexelsSearchResponse } | { kind: 'rate-limited'; waitMs: number | undefined };

/** Errors after which this video stops asking Pexels (the next searches would fail the same way). */
const FATAL_CODES = new Set(['PROVIDER_AUTH', 'PROVIDER_RATE_LIMITED', 'PROVIDER_UNAVAILABLE']);

/**
 * Stock clips from Pexels' video search: the segment's keywords in the video's orientation, a
 * rendition near the output size, downloaded once into the cache and checked with ffprobe.
 * Any failure (bad key, rate limit, outage, odd answer, broken file) only costs this source its
 * turn: the caller falls back to other visuals, and the reason goes to `warn`.
 */
export function createPexelsSource(options: PexelsOptions): StockSource {
  const base = (options.baseUrl ?? PEXELS_API_URL).replace(/\/+$/, '');
  const perPage = options.perPage ?? 15;
  const now = options.now ?? Date.now;
  const searchDir = join(options.cacheDir, 'search');

  async function request(query: string, orientation: string, signal: AbortSignal): Promise<SearchAnswer> {
    const url = new URL(`${base}/videos/search`);
    url.searchParams.set('query', query);
    url.searchParams.set('orientation', orientation);
    url.searchParams.set('per_page', String(perPage));
    let res: Response;
    try {
      res = await fetch(url, {
        headers: { authorization: options.apiKey, accept: 'application/json' },
        signal: AbortSignal.any([signal, AbortSignal.timeout(options.requestTimeoutMs ?? 20_000)]),
      });
    } catch (err) {
      if (signal.aborted) throw new FacelessError('CANCELLED', 'the Pexels search was cancelled', { cause: err });
      throw new FacelessError('PROVIDER_UNAVAILABLE', `could not reach Pexels at ${base}: ${(err as Error).message}. Check PEXELS_API_URL and the network`, { cause: err });
    }
    const text = await res.text().catch(() => '');
    if (res.status === 401 || res.status === 403) {
      throw new FacelessError('PROVIDER_AUTH', `Pexels rejected the API key (HTTP ${res.status}): check PEXELS_API_KEY (https://www.pexels.com/api/), or unset it to go without stock clips`, { field: 'PEXELS_API_KEY' });
    }
    if (res.status === 429) return { kind: 'rate-limited', waitMs: rateLimitWaitMs(res.headers, now()) };
    if (res.status >= 500) throw new FacelessError('PROVIDER_UNAVAILABLE', `Pexels is unavailable (HTTP ${res.status})`);
    if (res.status < 200 || res.status >= 300) throw new FacelessError('PROVIDER_BAD_RESPONSE', `Pexels search answered HTTP ${res.status}`);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new FacelessError('PROVIDER_BAD_RESPONSE', `Pexels search answered HTTP ${res.status} with a body that is not JSON`);
    }
    const parsed = PexelsSearchResponse.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new FacelessError('PROVIDER_BAD_RESPONSE', `Pexels search answer has an unexpected shape (${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'})`);
    }
    return { kind: 'ok', body: parsed.data };
  }

  async function search(query: string, orientation: string, signal: AbortSignal): Promise<PexelsSearchResponse> {
    const key = createHash('sha256').update(JSON.stringify({ query: query.toLowerCase(), orientation, perPage })).digest('hex').slice(0, 32);
    const cacheFile = join(searchDir, `${key}.json`);
    const cached = await readFile(cacheFile, 'utf8').then((raw) => JSON.parse(raw) as { savedAt?: number; body?: unknown }).catch(() => undefined);
    if (cached && typeof cached.savedAt === 'number' && now() - cached.savedAt < (options.searchTtlMs ?? 24 * 3_600_000)) {
      const body = PexelsSearchResponse.safeParse(cached.body);
      if (body.success) return body.data;
    }
    const maxWait = options.maxRateLimitWaitMs ?? 15_000;
    for (let waited = 0; ; waited++) {
      const answer = await withRetry(() => request(query, orientation, signal), {
        attempts: options.attempts ?? 3,
        baseDelayMs: options.retryBaseDelayMs ?? 1000,
        maxDelayMs: 10_000,
        signal,
      });
      if (answer.kind === 'ok') {
        await mkdir(searchDir, { recursive: true });
        const tmp = `${cacheFile}.${randomUUID().slice(0, 8)}.part`;
        await writeFile(tmp, JSON.stringify({ savedAt: now(), query, orientation, body: answer.body }));
        await rename(tmp, cacheFile);
        return answer.body;
      }
      const wait = answer.waitMs;
      if (wait === undefined || wait > maxWait || waited >= (options.rateLimitRetries ?? 1)) {
        const when = wait === undefined ? '' : ` (it resets in ${Math.ceil(wait / 1000)} s)`;
        throw new FacelessError('PROVIDER_RATE_LIMITED', `Pexels' request limit is reached${when}: the free plan allows 200 searches an hour; answers are cached for a day`);
      }
      await sleep(wait, signal);
    }
  }

  /** The clip in the cache, downloading it first if needed; a string says why it cannot be used. */
  async function localClip(video: PexelsVideo, file: PexelsVideoFile, signal: AbortSignal): Promise<{ path: string; durationSec: number } | string> {
    const name = `${video.id}-${file.id ?? `${file.width}x${file.height}`}.mp4`;
    const path = join(options.cacheDir, name);
    if (await stat(path).then((s) => s.isFile(), () => false)) {
      const probe = await probeMedia(path, { kind: 'clip', signal });
      if (typeof probe !== 'string') return { path, durationSec: probe.durationSec };
      await rm(path, { force: true });
    }
    await mkdir(options.cacheDir, { recursive: true });
    const tmp = `${path}.${process.pid}.${randomUUID().slice(0, 8)}.part`;
    try {
      const failure = await download(file.link, tmp, signal);
      if (failure) return `${name}: ${failure}`;
      const probe = await probeMedia(tmp, { kind: 'clip', signal });
      if (typeof probe === 'string') return `${name}: ${probe}`;
      if (probe.durationSec <= 0) return `${name}: it has no duration`;
      await rename(tmp, path);
      return { path, durationSec: probe.durationSec };
    } finally {
      await rm(tmp, { force: true });
    }
  }

  async function download(link: string, to: string, signal: AbortSignal): Promise<string | undefined> {
    const maxBytes = options.maxDownloadBytes ?? 300_000_000;
    const downloadSignal = AbortSignal.any([signal, AbortSignal.timeout(options.downloadTimeoutMs ?? 300_000)]);
    try {
      // No Authorization header: the files are public and live on another host than the API.
      const res = await fetch(link, { signal: downloadSignal });
      if (!res.ok || !res.body) {
        await res.body?.cancel();
        return `the download answered HTTP ${res.status}`;
      }
      const length = Number(res.headers.get('content-length') ?? NaN);
      if (length > maxBytes) {
        await res.body.cancel();
        return `it is ${Math.round(length / 1e6)} MB, more than the ${Math.round(maxBytes / 1e6)} MB allowed`;
      }
      let bytes = 0;
      await pipeline(
        Readable.fromWeb(res.body as WebReadableStream<Uint8Array>),
        async function* (source: AsyncIterable<Buffer>) {
          for await (const chunk of source) {
            bytes += chunk.length;
            if (bytes > maxBytes) throw new Error(`more than ${Math.round(maxBytes / 1e6)} MB`);
            yield chunk;
          }
        },
        createWriteStream(to),
      );
      return undefined;
    } catch (err) {
      if (signal.aborted) throw new FacelessError('CANCELLED', 'the Pexels download was cancelled', { cause: err });
      return `the download failed (${(err as Error).message})`;
    }
  }

  return {
    name: 'pexels',
    session({ signal, warn, frame }): StockSession {
      const orientation = PEXELS_ORIENTATIONS[frame.aspect];
      const used = new Set<number>();
      let stopped = false;

      const use = async (video: PexelsVideo, brief: SegmentBrief): Promise<SegmentVisual | undefined> => {
        const file = chooseVideoFile(video.video_files, frame);
        if (!file) return undefined;
        const clip = await localClip(video, file, signal);
        if (typeof clip === 'string') {
          used.add(video.id);
          warn(`Pexels: skipped video ${video.id} (${video.url}) for segment ${brief.segment}: ${clip}`);
          return undefined;
        }
        used.add(video.id);
        return { kind: 'clip', path: clip.path, durationSec: clip.durationSec, source: `pexels:${video.id}`, credit: pexelsCredit(video) };
      };

      return {
        async find(brief, keywords) {
          if (stopped) return undefined;
          const needSec = Math.max(0, (brief.durationSec ?? 0) - DURATION_SLACK_SEC);
          const short: PexelsVideo[] = [];
          for (const query of searchQueries(keywords, options.maxQueries)) {
            let body: PexelsSearchResponse;
            try {
              body = await search(query, orientation, signal);
            } catch (err) {
              if (signal.aborted) throw new FacelessError('CANCELLED', 'the Pexels search was cancelled', { cause: err });
              if (!(err instanceof FacelessError)) throw err;
              if (FATAL_CODES.has(err.code)) {
                stopped = true;
                warn(`Pexels: ${err.message} [${err.code}]; no more stock clips for this video, using other visuals`);
              } else {
                warn(`Pexels: ${err.message} [${err.code}]; segment ${brief.segment} uses other visuals`);
              }
              return undefined;
            }
            const fresh = body.videos.filter((v) => !used.has(v.id) && chooseVideoFile(v.video_files, frame));
            for (const video of fresh) {
              if (video.duration < needSec) {
                if (!short.some((s) => s.id === video.id)) short.push(video);
                continue;
              }
              const visual = await use(video, brief);
              if (visual) return visual;
            }
          }
          // Nothing long enough: the longest shorter clip, which the renderer loops.
          for (const video of short.sort((a, b) => b.duration - a.duration)) {
            if (used.has(video.id)) continue;
            const visual = await use(video, brief);
            if (visual) return visual;
          }
          return undefined;
        },
      };
    },
  };
}
