import { randomBytes } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { z } from 'zod';
import { FacelessError, toFacelessError } from '@faceless/runtime';
import type { ApiContext } from './api-context.ts';
import { failedResponseError } from './google-error.ts';
import { backoffDelay, readJson, sendAuthorized, withBackoff } from './youtube-http.ts';

/** captions.insert refuses larger files. */
export const CAPTION_MAX_BYTES = 100 * 1024 * 1024;

/** A `youtube#caption` as captions.list and captions.insert return it; the other snippet fields are kept as they come. */
export const CaptionTrack = z.looseObject({
  id: z.string().min(1),
  snippet: z.looseObject({
    videoId: z.string().optional(),
    language: z.string(),
    name: z.string().default(''),
    /** `standard`, `asr` (YouTube's speech recognition) or `forced`. */
    trackKind: z.string().optional(),
    isDraft: z.boolean().optional(),
  }),
});
export type CaptionTrack = z.infer<typeof CaptionTrack>;

const CaptionListResponse = z.looseObject({ items: z.array(CaptionTrack).default([]) });

/** captions.list part=snippet: the tracks of one video, YouTube's automatic ones included. */
export async function listCaptionTracks(ctx: ApiContext, videoId: string, options: { signal?: AbortSignal } = {}): Promise<CaptionTrack[]> {
  const operation = 'captions.list';
  const url = `${ctx.apiUrl}/youtube/v3/captions?part=snippet&videoId=${encodeURIComponent(videoId)}`;
  const list = await withBackoff(async () => {
    const { res, token } = await sendAuthorized(ctx.tokens, { operation, method: 'GET', url, signal: options.signal, timeoutMs: ctx.requestTimeoutMs });
    if (!res.ok) throw await failedResponseError(res, { operation, secrets: [token] });
    return readJson(res, CaptionListResponse, operation);
  }, ctx.retry, options.signal);
  return list.items;
}

export interface InsertCaptionOptions {
  videoId: string;
  /** BCP-47 language of the track, e.g. `en`, `fr`. */
  language: string;
  /** Shown to viewers beside the language; '' for the language alone. */
  name?: string;
  /** A caption file YouTube reads (SubRip, WebVTT, SBV…). */
  file: string;
  signal?: AbortSignal;
}

/** Whether a track is the one `options` asks for: same language and name, made by a person (not `asr`). */
export function isSameTrack(track: CaptionTrack, options: Pick<InsertCaptionOptions, 'language' | 'name'>): boolean {
  return track.snippet.trackKind !== 'asr'
    && track.snippet.language.toLowerCase() === options.language.toLowerCase()
    && track.snippet.name === (options.name ?? '');
}

/** The multipart/related body of an upload with metadata: the JSON resource, then the media. */
function multipartBody(resource: unknown, media: Buffer, mediaType: string): { body: Buffer; contentType: string } {
  const boundary = `faceless-${randomBytes(12).toString('hex')}`;
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n${JSON.stringify(resource)}\r\n--${boundary}\r\nContent-Type: ${mediaType}\r\n\r\n`),
    media,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { body, contentType: `multipart/related; boundary=${boundary}` };
}

/**
 * Adds a caption track to a video, at most once: captions.insert is not idempotent, so after any
 * failure whose outcome is unknown (5xx, a dropped connection) the video's tracks are listed
 * (captions.list) and a track of the same language and name is taken as the one that went through,
 * instead of inserting a second. With `listFirst` the list comes before the first insert too, for a
 * caller that cannot tell whether an earlier process inserted it (a crash before its record was saved).
 * Resolves with the track and whether this call inserted it.
 */
export async function ensureCaptionTrack(
  ctx: ApiContext,
  options: InsertCaptionOptions & { listFirst?: boolean },
): Promise<{ track: CaptionTrack; inserted: boolean }> {
  const operation = 'captions.insert';
  let size: number;
  try {
    size = (await stat(options.file)).size;
  } catch (err) {
    throw new FacelessError('INVALID_INPUT', `cannot read the caption file ${options.file} (${(err as NodeJS.ErrnoException).code ?? 'error'}): check the path`, { field: 'captionsPath', cause: err });
  }
  if (size === 0 || size > CAPTION_MAX_BYTES) {
    throw new FacelessError('INVALID_INPUT', `the caption file ${options.file} is ${size} bytes; YouTube takes 1 byte to ${CAPTION_MAX_BYTES} (100 MB): pass the captions.srt the video-assembler wrote`, { field: 'captionsPath' });
  }
  const media = await readFile(options.file);
  const resource = { snippet: { videoId: options.videoId, language: options.language, name: options.name ?? '', isDraft: false } };
  const url = `${ctx.uploadUrl}/upload/youtube/v3/captions?uploadType=multipart&part=snippet`;
  let listFirst = options.listFirst ?? false;
  for (let failure = 0; ; failure++) {
    if (listFirst) {
      const existing = (await listCaptionTracks(ctx, options.videoId, { signal: options.signal })).find((t) => isSameTrack(t, options));
      if (existing) return { track: existing, inserted: false };
    }
    try {
      const { body, contentType } = multipartBody(resource, media, 'application/octet-stream');
      const { res, token } = await sendAuthorized(ctx.tokens, {
        operation, method: 'POST', url, headers: { 'content-type': contentType }, body: () => body, signal: options.signal, timeoutMs: ctx.requestTimeoutMs,
      });
      if (!res.ok) throw await failedResponseError(res, { operation, secrets: [token] });
      return { track: await readJson(res, CaptionTrack, operation), inserted: true };
    } catch (err) {
      const error = toFacelessError(err);
      if (!error.retryable || failure >= ctx.retry.maxRetries || options.signal?.aborted) throw error;
      listFirst = true;
      await ctx.retry.sleep(backoffDelay(failure + 1, ctx.retry), options.signal);
    }
  }
}
