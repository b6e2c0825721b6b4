import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { FacelessError, toFacelessError } from '@faceless/runtime';
import type { AccessTokenSource, UploadSession, UploadSessionStore } from '../ports.ts';
import { failedResponseError } from './google-error.ts';
import { type VideoInsertResource, YouTubeVideo } from './video-resource.ts';
import { backoffDelay, DEFAULT_RETRY, readJson, type Sleep, sendAuthorized } from './youtube-http.ts';

/** YouTube takes chunks in multiples of 256 KiB (all but the last). */
export const UPLOAD_CHUNK_UNIT = 256 * 1024;
export const DEFAULT_CHUNK_BYTES = 32 * UPLOAD_CHUNK_UNIT;
/** A session YouTube forgets (404/410) is replaced at most this many times in one call. */
const MAX_NEW_SESSIONS = 3;

const VIDEO_TYPES: Record<string, string> = { '.mp4': 'video/mp4', '.m4v': 'video/mp4', '.mov': 'video/quicktime', '.webm': 'video/webm', '.mkv': 'video/x-matroska' };

export function videoContentType(file: string): string {
  return VIDEO_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

export interface StartUploadSessionOptions {
  /** Upload base, e.g. `https://www.googleapis.com` (YOUTUBE_UPLOAD_URL). */
  uploadUrl: string;
  tokens: AccessTokenSource;
  resource: VideoInsertResource;
  totalBytes: number;
  contentType: string;
  signal?: AbortSignal;
  requestTimeoutMs?: number;
}

/** videos.insert, resumable: announces the upload and returns the session URI from `Location`. */
export async function startUploadSession(options: StartUploadSessionOptions): Promise<string> {
  const operation = 'videos.insert';
  const url = `${options.uploadUrl.replace(/\/+$/, '')}/upload/youtube/v3/videos?uploadType=resumable&part=snippet,status`;
  const { res, token } = await sendAuthorized(options.tokens, {
    operation,
    method: 'POST',
    url,
    headers: {
      'content-type': 'application/json; charset=UTF-8',
      'x-upload-content-length': String(options.totalBytes),
      'x-upload-content-type': options.contentType,
    },
    body: () => JSON.stringify(options.resource),
    redirect: 'manual',
    signal: options.signal,
    timeoutMs: options.requestTimeoutMs ?? 120_000,
  });
  if (!res.ok) throw await failedResponseError(res, { operation, secrets: [token] });
  await res.body?.cancel().catch(() => undefined);
  const location = res.headers.get('location');
  if (!location) throw new FacelessError('PROVIDER_BAD_RESPONSE', `YouTube ${operation} answered HTTP ${res.status} without a Location header, so there is no upload session to send the video to`, { retryable: true });
  return new URL(location, url).toString();
}

export interface UploadVideoOptions {
  uploadUrl: string;
  tokens: AccessTokenSource;
  /** Path of the video file; it is read one chunk at a time. */
  file: string;
  resource: VideoInsertResource;
  /** Defaults from the file's extension (`.mp4` → video/mp4). */
  contentType?: string;
  /** Keeps the session URI so that a crash resumes the upload instead of starting a second video. */
  sessions: UploadSessionStore;
  /** A multiple of 256 KiB; 8 MiB by default. */
  chunkBytes?: number;
  onProgress?: (sentBytes: number, totalBytes: number) => void;
  /** YouTube acknowledged `bytes` more (for metrics; what a session stored by an earlier call already held is not counted again). */
  onAcknowledged?: (bytes: number) => void;
  /** A request failed and is tried again, `reason` the HTTP status (e.g. "503") or "network". */
  onRetry?: (reason: string) => void;
  signal?: AbortSignal;
  sleep?: Sleep;
  random?: () => number;
  /** Consecutive failures (5xx, network) without progress before giving up; progress resets the count. */
  maxRetries?: number;
  retryBaseDelayMs?: number;
  retryMaxDelayMs?: number;
  requestTimeoutMs?: number;
  now?: () => Date;
}

/** Where the server says the upload stands. */
type UploadState = { kind: 'done'; video: YouTubeVideo } | { kind: 'partial'; nextByte: number } | { kind: 'gone' };

/**
 * Uploads a video with YouTube's resumable protocol, exactly once: the session URI is saved before
 * the first byte is sent; a stored session for the same file (size and sha256) is resumed from what
 * YouTube says it holds; 5xx and network failures back off and resume; a forgotten session (404/410)
 * is replaced. Returns the video resource and clears the store.
 */
export async function uploadVideo(options: UploadVideoOptions): Promise<YouTubeVideo> {
  const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  if (!Number.isInteger(chunkBytes) || chunkBytes <= 0 || chunkBytes % UPLOAD_CHUNK_UNIT !== 0) {
    throw new FacelessError('INVALID_OPTION', `chunkBytes is ${chunkBytes}, YouTube needs a positive multiple of ${UPLOAD_CHUNK_UNIT} (256 KiB): use e.g. ${DEFAULT_CHUNK_BYTES} (8 MiB)`, { field: 'chunkBytes' });
  }
  const policy = {
    maxRetries: options.maxRetries ?? DEFAULT_RETRY.maxRetries,
    baseDelayMs: options.retryBaseDelayMs ?? DEFAULT_RETRY.baseDelayMs,
    maxDelayMs: options.retryMaxDelayMs ?? DEFAULT_RETRY.maxDelayMs,
    sleep: options.sleep ?? DEFAULT_RETRY.sleep,
    random: options.random ?? DEFAULT_RETRY.random,
  };
  const timeoutMs = options.requestTimeoutMs ?? 300_000;
  const contentType = options.contentType ?? videoContentType(options.file);
  const { signal } = options;

  const { totalBytes, sha256 } = await fileIdentity(options.file);
  if (totalBytes === 0) throw new FacelessError('INVALID_INPUT', `the video file ${options.file} is empty: render it again`, { field: 'videoPath' });

  let session: UploadSession | undefined = await options.sessions.load();
  if (session && (session.totalBytes !== totalBytes || session.sha256 !== sha256)) {
    await options.sessions.clear();
    session = undefined;
  }

  const handle = await open(options.file, 'r');
  try {
    /** The next byte to send; undefined until the server has told us (a stored session, or after a failure). */
    let nextByte: number | undefined;
    /** The most the server has held so far; only progress past it resets the failure count. */
    let highWater = 0;
    /** The most the server held as far as onAcknowledged knows. */
    let acknowledged = 0;
    let resumed = session !== undefined;
    let failures = 0;
    let forgotten = 0;
    for (;;) {
      if (signal?.aborted) throw cancelled(signal.reason);
      if (forgotten > MAX_NEW_SESSIONS) {
        throw new FacelessError('PROVIDER_UNAVAILABLE', `YouTube forgot the upload session ${forgotten} times for ${options.file}: retry later`, { retryable: true });
      }
      try {
        let state: UploadState;
        /** The state is the first status of a session stored by an earlier call: what it holds was counted then. */
        let baseline = false;
        if (!session) {
          const uri = await startUploadSession({ uploadUrl: options.uploadUrl, tokens: options.tokens, resource: options.resource, totalBytes, contentType, signal, requestTimeoutMs: timeoutMs });
          session = { uri, totalBytes, sha256, createdAt: (options.now?.() ?? new Date()).toISOString() };
          await options.sessions.save(session);
          state = { kind: 'partial', nextByte: 0 };
        } else if (nextByte === undefined) {
          state = await queryUploadStatus({ uri: session.uri, totalBytes, tokens: options.tokens, signal, timeoutMs });
          baseline = resumed;
          resumed = false;
        } else {
          const length = Math.min(chunkBytes, totalBytes - nextByte);
          const chunk = Buffer.alloc(length);
          const { bytesRead } = await handle.read(chunk, 0, length, nextByte);
          if (bytesRead !== length) throw new FacelessError('INVALID_INPUT', `the video file ${options.file} changed during the upload (read ${bytesRead} of ${length} bytes at ${nextByte}): upload it again`, { field: 'videoPath' });
          state = await putChunk({ uri: session.uri, chunk, first: nextByte, totalBytes, tokens: options.tokens, signal, timeoutMs });
        }
        const held = state.kind === 'done' ? totalBytes : state.kind === 'partial' ? state.nextByte : 0;
        if (held > acknowledged) {
          if (!baseline) options.onAcknowledged?.(held - acknowledged);
          acknowledged = held;
        }

        switch (state.kind) {
          case 'done':
            await options.sessions.clear();
            options.onProgress?.(totalBytes, totalBytes);
            return state.video;
          case 'gone':
            forgotten++;
            await options.sessions.clear();
            session = undefined;
            nextByte = undefined;
            highWater = 0;
            acknowledged = 0;
            break;
          case 'partial':
            if (state.nextByte >= totalBytes) {
              // Everything arrived yet the upload is not complete: ask again after a pause.
              throw new FacelessError('PROVIDER_UNAVAILABLE', `YouTube holds all ${totalBytes} bytes of ${options.file} but has not completed the upload`, { retryable: true });
            }
            if (state.nextByte > highWater) {
              highWater = state.nextByte;
              failures = 0;
            }
            nextByte = state.nextByte;
            options.onProgress?.(nextByte, totalBytes);
            break;
          default:
            state satisfies never;
        }
      } catch (err) {
        if (signal?.aborted) throw cancelled(signal.reason);
        const error = toFacelessError(err);
        if (!error.retryable || failures >= policy.maxRetries) throw error;
        failures++;
        options.onRetry?.(retryReason(error));
        await policy.sleep(backoffDelay(failures, policy), signal).catch((e: unknown) => { throw cancelled(e); });
        nextByte = undefined;
      }
    }
  } finally {
    await handle.close();
  }
}

interface SessionRequest {
  uri: string;
  totalBytes: number;
  tokens: AccessTokenSource;
  signal: AbortSignal | undefined;
  timeoutMs: number;
}

/** Empty PUT with `Content-Range: bytes *\/TOTAL`: how much of the upload the server holds. */
async function queryUploadStatus(req: SessionRequest): Promise<UploadState> {
  const operation = 'videos.insert (upload status)';
  const { res, token } = await sendAuthorized(req.tokens, {
    operation,
    method: 'PUT',
    url: req.uri,
    headers: { 'content-range': `bytes */${req.totalBytes}` },
    body: () => new Uint8Array(0),
    redirect: 'manual',
    signal: req.signal,
    timeoutMs: req.timeoutMs,
  });
  return uploadState(res, operation, token, req.totalBytes);
}

async function putChunk(req: SessionRequest & { chunk: Buffer; first: number }): Promise<UploadState> {
  const last = req.first + req.chunk.length - 1;
  const operation = 'videos.insert (upload)';
  const { res, token } = await sendAuthorized(req.tokens, {
    operation,
    method: 'PUT',
    url: req.uri,
    headers: { 'content-range': `bytes ${req.first}-${last}/${req.totalBytes}` },
    body: () => req.chunk,
    redirect: 'manual',
    signal: req.signal,
    timeoutMs: req.timeoutMs,
  });
  return uploadState(res, operation, token, req.totalBytes);
}

async function uploadState(res: Response, operation: string, token: string, totalBytes: number): Promise<UploadState> {
  if (res.status === 200 || res.status === 201) return { kind: 'done', video: await readJson(res, YouTubeVideo, operation) };
  if (res.status === 404 || res.status === 410) {
    await res.body?.cancel().catch(() => undefined);
    return { kind: 'gone' };
  }
  if (res.status !== 308) throw await failedResponseError(res, { operation, secrets: [token] });
  await res.body?.cancel().catch(() => undefined);
  return { kind: 'partial', nextByte: nextByteFromRange(res.headers.get('range'), totalBytes) };
}

/** `Range: bytes=0-N` → N+1; no Range means the server holds nothing. */
export function nextByteFromRange(range: string | null, totalBytes: number): number {
  if (range === null || range.trim() === '') return 0;
  const m = /^bytes=0-(\d+)$/.exec(range.trim());
  const next = m ? Number(m[1]) + 1 : Number.NaN;
  if (!Number.isSafeInteger(next) || next > totalBytes) {
    throw new FacelessError('PROVIDER_BAD_RESPONSE', `YouTube answered an upload with Range "${range}", which does not fit a ${totalBytes}-byte file`, { retryable: true });
  }
  return next;
}

/** Size and sha256 of a file, streamed. */
export async function fileIdentity(file: string): Promise<{ totalBytes: number; sha256: string }> {
  let info;
  try {
    info = await stat(file);
  } catch (err) {
    throw new FacelessError('INVALID_INPUT', `cannot read the video file ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'}): check the path`, { field: 'videoPath', cause: err });
  }
  const hash = createHash('sha256');
  for await (const piece of createReadStream(file)) hash.update(piece as Buffer);
  return { totalBytes: info.size, sha256: hash.digest('hex') };
}

/** The HTTP status a YouTube error names ("answered HTTP 503"), else "network" (no answer, timeout). */
export function retryReason(error: FacelessError): string {
  return /answered HTTP (\d{3})/.exec(error.message)?.[1] ?? 'network';
}

function cancelled(cause: unknown): FacelessError {
  if (cause instanceof FacelessError && cause.code === 'CANCELLED') return cause;
  return new FacelessError('CANCELLED', 'the YouTube upload was cancelled; its session is kept, so the next attempt resumes it', { cause });
}
