import { readFile, stat } from 'node:fs/promises';
import { z } from 'zod';
import { FacelessError } from '@faceless/runtime';
import type { ApiContext } from './api-context.ts';
import { failedResponseError } from './google-error.ts';
import { VideoListResponse, type VideoSnippet, YouTubeVideo } from './video-resource.ts';
import { readJson, sendAuthorized, withBackoff } from './youtube-http.ts';

/** thumbnails.set refuses larger images. */
export const THUMBNAIL_MAX_BYTES = 2 * 1024 * 1024;

/** The snippet fields videos.update writes; everything else in a listed snippet is read-only. */
const WRITABLE_SNIPPET_KEYS = ['title', 'description', 'tags', 'categoryId', 'defaultLanguage', 'defaultAudioLanguage'] as const;

/** videos.list for one id; undefined when YouTube has no such video for this account. */
export async function getVideo(ctx: ApiContext, videoId: string, options: { part?: string; signal?: AbortSignal } = {}): Promise<YouTubeVideo | undefined> {
  const operation = 'videos.list';
  const part = options.part ?? 'snippet,status';
  const url = `${ctx.apiUrl}/youtube/v3/videos?part=${encodeURIComponent(part)}&id=${encodeURIComponent(videoId)}`;
  const list = await withBackoff(async () => {
    const { res, token } = await sendAuthorized(ctx.tokens, { operation, method: 'GET', url, signal: options.signal, timeoutMs: ctx.requestTimeoutMs });
    if (!res.ok) throw await failedResponseError(res, { operation, secrets: [token] });
    return readJson(res, VideoListResponse, operation);
  }, ctx.retry, options.signal);
  return list.items.find((v) => v.id === videoId);
}

export interface UpdateVideoSnippetOptions {
  videoId: string;
  /** The fields to change; the others keep their current values. */
  snippet: Partial<Pick<VideoSnippet, (typeof WRITABLE_SNIPPET_KEYS)[number]>>;
  signal?: AbortSignal;
}

/**
 * videos.update part=snippet. YouTube replaces the whole snippet (a missing description or tags
 * would be erased, a missing categoryId refused), so the current one is read first and merged.
 */
export async function updateVideoSnippet(ctx: ApiContext, options: UpdateVideoSnippetOptions): Promise<YouTubeVideo> {
  const operation = 'videos.update';
  const current = await getVideo(ctx, options.videoId, { part: 'snippet', signal: options.signal });
  if (!current?.snippet) {
    throw new FacelessError('NOT_FOUND', `YouTube has no video "${options.videoId}" on this channel, so its snippet cannot be updated: check the video id (was it deleted?)`, { field: 'videoId' });
  }
  const snippet: Record<string, unknown> = {};
  for (const key of WRITABLE_SNIPPET_KEYS) {
    const value = options.snippet[key] ?? current.snippet[key];
    if (value !== undefined) snippet[key] = value;
  }
  if (snippet.categoryId === undefined) {
    throw new FacelessError('INVALID_INPUT', `video "${options.videoId}" has no categoryId and videos.update requires one: pass snippet.categoryId (e.g. "22", People & Blogs)`, { field: 'metadata.categoryId' });
  }
  const url = `${ctx.apiUrl}/youtube/v3/videos?part=snippet`;
  const body = JSON.stringify({ id: options.videoId, snippet });
  return withBackoff(async () => {
    const { res, token } = await sendAuthorized(ctx.tokens, {
      operation,
      method: 'PUT',
      url,
      headers: { 'content-type': 'application/json; charset=UTF-8' },
      body: () => body,
      signal: options.signal,
      timeoutMs: ctx.requestTimeoutMs,
    });
    if (!res.ok) throw await failedResponseError(res, { operation, secrets: [token] });
    return readJson(res, YouTubeVideo, operation);
  }, ctx.retry, options.signal);
}

export async function updateVideoTitle(ctx: ApiContext, options: { videoId: string; title: string; signal?: AbortSignal }): Promise<YouTubeVideo> {
  return updateVideoSnippet(ctx, { videoId: options.videoId, snippet: { title: options.title }, signal: options.signal });
}

const ThumbnailSetResponse = z.looseObject({
  items: z.array(z.record(z.string(), z.looseObject({ url: z.string(), width: z.number().optional(), height: z.number().optional() }))).default([]),
});

export interface SetThumbnailOptions {
  videoId: string;
  /** Path of a JPEG or PNG of at most 2 MB. */
  file: string;
  /** Taken from the file's first bytes when not given. */
  contentType?: 'image/jpeg' | 'image/png';
  signal?: AbortSignal;
}

export interface ThumbnailSet {
  /** The largest size YouTube reports back (maxres, standard, high, medium or default). */
  url: string | undefined;
}

/** thumbnails.set: the size and type are checked here, before a request YouTube would refuse. */
export async function setThumbnail(ctx: ApiContext, options: SetThumbnailOptions): Promise<ThumbnailSet> {
  const operation = 'thumbnails.set';
  let size: number;
  try {
    size = (await stat(options.file)).size;
  } catch (err) {
    throw new FacelessError('INVALID_INPUT', `cannot read the thumbnail ${options.file} (${(err as NodeJS.ErrnoException).code ?? 'error'}): check the path`, { field: 'thumbnailPath', cause: err });
  }
  if (size > THUMBNAIL_MAX_BYTES) {
    throw new FacelessError('LIMIT_EXCEEDED', `the thumbnail ${options.file} is ${size} bytes, YouTube takes at most ${THUMBNAIL_MAX_BYTES} (2 MB): save it as JPEG or at a lower quality`, { field: 'thumbnailPath' });
  }
  const bytes = await readFile(options.file);
  const detected = imageType(bytes);
  if (!detected) throw new FacelessError('INVALID_INPUT', `the thumbnail ${options.file} is neither JPEG nor PNG: convert it`, { field: 'thumbnailPath' });
  if (options.contentType && options.contentType !== detected) {
    throw new FacelessError('INVALID_INPUT', `the thumbnail ${options.file} is ${detected}, not the ${options.contentType} given: pass contentType "${detected}"`, { field: 'thumbnailPath' });
  }
  const url = `${ctx.uploadUrl}/upload/youtube/v3/thumbnails/set?videoId=${encodeURIComponent(options.videoId)}`;
  const answer = await withBackoff(async () => {
    const { res, token } = await sendAuthorized(ctx.tokens, {
      operation,
      method: 'POST',
      url,
      headers: { 'content-type': detected },
      body: () => bytes,
      signal: options.signal,
      timeoutMs: ctx.requestTimeoutMs,
    });
    if (!res.ok) throw await failedResponseError(res, { operation, secrets: [token] });
    return readJson(res, ThumbnailSetResponse, operation);
  }, ctx.retry, options.signal);
  const sizes = answer.items[0] ?? {};
  const best = ['maxres', 'standard', 'high', 'medium', 'default'].map((k) => sizes[k]).find((s) => s !== undefined);
  return { url: best?.url };
}

function imageType(bytes: Uint8Array): 'image/jpeg' | 'image/png' | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length >= png.length && png.every((b, i) => bytes[i] === b)) return 'image/png';
  return undefined;
}
