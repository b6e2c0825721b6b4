export { readYouTubeConfig, type YouTubeConfig } from './youtube-config.ts';
export type { AccessTokenSource, UploadSession, UploadSessionStore } from './ports.ts';
export * from './auth/index.ts';
export * from './api/index.ts';
