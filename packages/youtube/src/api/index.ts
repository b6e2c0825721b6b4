export { createYouTubeClient, type YouTubeClient, type YouTubeClientOptions } from './youtube-client.ts';
export type { ApiContext as YouTubeApiContext } from './api-context.ts';
export { googleErrorToFaceless, parseGoogleError, type GoogleError, type GoogleErrorContext } from './google-error.ts';
export { backoffDelay, DEFAULT_RETRY as YOUTUBE_DEFAULT_RETRY, type RetryPolicy as YouTubeRetryPolicy } from './youtube-http.ts';
export {
  DEFAULT_CHUNK_BYTES,
  fileIdentity,
  nextByteFromRange,
  startUploadSession,
  UPLOAD_CHUNK_UNIT,
  uploadVideo,
  videoContentType,
  type StartUploadSessionOptions,
  type UploadVideoOptions,
} from './resumable-upload.ts';
export {
  getVideo,
  setThumbnail,
  THUMBNAIL_MAX_BYTES,
  updateVideoSnippet,
  updateVideoTitle,
  type SetThumbnailOptions,
  type ThumbnailSet,
  type UpdateVideoSnippetOptions,
} from './videos.ts';
export { CAPTION_MAX_BYTES, CaptionTrack, ensureCaptionTrack, isSameTrack, listCaptionTracks, type InsertCaptionOptions } from './captions.ts';
export {
  downloadReport,
  ensureReachJob,
  listReports,
  REACH_REPORT_TYPE,
  ReportingJob,
  ReportingReport,
  type ListReportsOptions,
} from './reporting.ts';
export { VideoSnippet, VideoStatus, YouTubeVideo, type VideoInsertResource } from './video-resource.ts';
