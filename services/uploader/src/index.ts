import type { StageFactoryOptions } from '@faceless/runtime';
import { openFacelessDatabase } from '@faceless/infra';
import { openYouTubeState, readYouTubeConfig, type YouTubeState } from '@faceless/youtube';
import { readUploaderConfig } from './config.ts';
import { LocalChannelTarget } from './providers/local-channel.ts';
import { YouTubeChannelTarget } from './providers/youtube-channel.ts';
import { createUploaderStage } from './stage.ts';
import type { UploadMetrics } from './upload-metrics.ts';

export { createUploaderStage, CHANNEL_NAME, type UploaderDeps } from './stage.ts';
export { createChannelService, nextSlots, registerChannelRoutes, type ChannelService, type ChannelSummary } from './channel-routes.ts';
export { readUploaderConfig, type UploaderConfig } from './config.ts';
export { nextFreeSlot, parseSlot, type NextFreeSlotOptions } from './publish-slots.ts';
export type { PublishTarget, PublishRequest, PublicationKey, ChannelSettings, SlotReserver } from './publish-target.ts';
export { YouTubeChannelTarget, YouTubePublication, youtubeWatchUrl, YOUTUBE_TARGET, type YouTubeChannelDeps, type PublishingState } from './providers/youtube-channel.ts';
export { LocalChannelTarget, PublishRecord, localVideoId, LOCAL_TARGET } from './providers/local-channel.ts';
export { UploadMetrics, type UploadRecorder, type QuotaSource } from './upload-metrics.ts';
export { checkMetadataLimits, imageTypeOf, tagsLength, UPLOAD_LIMITS } from './youtube-limits.ts';

/**
 * The uploader from the environment: "local" and the channels in LOCAL_CHANNELS publish into
 * LOCAL_CHANNEL_DIR; any other name is a YouTube channel added with `faceless channels add`, kept with its
 * quota, slots and publications in the database (the host's, else DATABASE_URL, else PGlite under
 * FACELESS_DATA_DIR), opened on the first YouTube upload.
 */
export function createStage(options: StageFactoryOptions, extra: { metrics?: UploadMetrics } = {}) {
  const config = readUploaderConfig(options.env);
  const youtubeConfig = readYouTubeConfig(options.env);
  const local = new LocalChannelTarget(config.localChannelDir);
  const open = options.openDatabase ?? (() => openFacelessDatabase(options.env));
  let state: Promise<YouTubeState> | undefined;
  const youtube = new YouTubeChannelTarget({
    config: youtubeConfig,
    state() {
      state ??= open().then((db) => openYouTubeState(db, { dataDir: youtubeConfig.dataDir })).catch((err: unknown) => {
        state = undefined;
        throw err;
      });
      return state;
    },
    ...(extra.metrics ? { metrics: extra.metrics } : {}),
  });
  extra.metrics?.quotaFrom(() => youtube.quotaUsage());
  return createUploaderStage({
    slots: config.slots,
    leadMinutes: config.leadMinutes,
    targetFor(channel) {
      return config.localChannels.has(channel) ? local : youtube;
    },
  });
}
