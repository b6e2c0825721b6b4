import type { AccessTokenSource } from '../ports.ts';
import type { ApiContext } from './api-context.ts';
import { type CaptionTrack, ensureCaptionTrack, type InsertCaptionOptions, listCaptionTracks } from './captions.ts';
import { downloadReport, ensureReachJob, listReports, type ListReportsOptions, type ReportingJob, type ReportingReport } from './reporting.ts';
import { startUploadSession, type StartUploadSessionOptions, uploadVideo, type UploadVideoOptions } from './resumable-upload.ts';
import type { YouTubeVideo } from './video-resource.ts';
import { getVideo, setThumbnail, type SetThumbnailOptions, type ThumbnailSet, updateVideoSnippet, type UpdateVideoSnippetOptions, updateVideoTitle } from './videos.ts';
import { DEFAULT_RETRY, type RetryPolicy } from './youtube-http.ts';

export interface YouTubeClientOptions {
  /** The base URLs, as readYouTubeConfig gives them. */
  apiUrl: string;
  uploadUrl: string;
  reportingUrl: string;
  tokens: AccessTokenSource;
  retry?: Partial<RetryPolicy>;
  requestTimeoutMs?: number;
}

type Bound<T> = Omit<T, 'uploadUrl' | 'tokens'>;

/** One channel's YouTube calls (Data, Upload and Reporting APIs), bound to its tokens. */
export interface YouTubeClient {
  startUploadSession(options: Bound<StartUploadSessionOptions>): Promise<string>;
  uploadVideo(options: Bound<UploadVideoOptions>): Promise<YouTubeVideo>;
  getVideo(videoId: string, options?: { part?: string; signal?: AbortSignal }): Promise<YouTubeVideo | undefined>;
  updateVideoSnippet(options: UpdateVideoSnippetOptions): Promise<YouTubeVideo>;
  updateVideoTitle(options: { videoId: string; title: string; signal?: AbortSignal }): Promise<YouTubeVideo>;
  setThumbnail(options: SetThumbnailOptions): Promise<ThumbnailSet>;
  listCaptionTracks(videoId: string, options?: { signal?: AbortSignal }): Promise<CaptionTrack[]>;
  ensureCaptionTrack(options: InsertCaptionOptions & { listFirst?: boolean }): Promise<{ track: CaptionTrack; inserted: boolean }>;
  ensureReachJob(options?: { signal?: AbortSignal; name?: string }): Promise<ReportingJob>;
  listReports(jobId: string, options?: ListReportsOptions): Promise<ReportingReport[]>;
  downloadReport(downloadUrl: string, options?: { signal?: AbortSignal }): Promise<string>;
}

const trimSlash = (u: string): string => u.replace(/\/+$/, '');

export function createYouTubeClient(options: YouTubeClientOptions): YouTubeClient {
  const retry: RetryPolicy = { ...DEFAULT_RETRY, ...options.retry };
  const ctx: ApiContext = {
    apiUrl: trimSlash(options.apiUrl),
    uploadUrl: trimSlash(options.uploadUrl),
    reportingUrl: trimSlash(options.reportingUrl),
    tokens: options.tokens,
    retry,
    requestTimeoutMs: options.requestTimeoutMs ?? 120_000,
  };
  const bind = { uploadUrl: ctx.uploadUrl, tokens: ctx.tokens };
  return {
    startUploadSession: (o) => startUploadSession({ ...o, ...bind }),
    uploadVideo: (o) => uploadVideo({
      sleep: retry.sleep,
      random: retry.random,
      maxRetries: retry.maxRetries,
      retryBaseDelayMs: retry.baseDelayMs,
      retryMaxDelayMs: retry.maxDelayMs,
      ...o,
      ...bind,
    }),
    getVideo: (id, o) => getVideo(ctx, id, o),
    updateVideoSnippet: (o) => updateVideoSnippet(ctx, o),
    updateVideoTitle: (o) => updateVideoTitle(ctx, o),
    setThumbnail: (o) => setThumbnail(ctx, o),
    listCaptionTracks: (id, o) => listCaptionTracks(ctx, id, o),
    ensureCaptionTrack: (o) => ensureCaptionTrack(ctx, o),
    ensureReachJob: (o) => ensureReachJob(ctx, o),
    listReports: (jobId, o) => listReports(ctx, jobId, o),
    downloadReport: (url, o) => downloadReport(ctx, url, o),
  };
}
