export { readYouTubeConfig, type YouTubeConfig } from './youtube-config.ts';
export { ChannelVideo } from './channel-videos.ts';
export type { AccessTokenSource, UploadSession, UploadSessionStore } from './ports.ts';
export * from './auth/index.ts';
export * from './api/index.ts';
export * from './state/index.ts';
