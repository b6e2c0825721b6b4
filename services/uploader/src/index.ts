import type { StageFactoryOptions } from '@faceless/runtime';
import { ChannelStore, openQuotaLedger, readYouTubeConfig, type QuotaLedger } from '@faceless/youtube';
import { readUploaderConfig } from './config.ts';
import { LocalChannelTarget } from './providers/local-channel.ts';
import { YouTubeChannelTarget } from './providers/youtube-channel.ts';
import { createUploaderStage } from './stage.ts';

export { createUploaderStage, CHANNEL_NAME, type UploaderDeps } from './stage.ts';
export { readUploaderConfig, type UploaderConfig } from './config.ts';
export { nextFreeSlot, parseSlot, type NextFreeSlotOptions } from './publish-slots.ts';
export type { PublishTarget, PublishRequest, PublicationKey, ChannelSettings } from './publish-target.ts';
export { YouTubeChannelTarget, YouTubePublication, youtubeWatchUrl, YOUTUBE_TARGET, type YouTubeChannelDeps } from './providers/youtube-channel.ts';
export { LocalChannelTarget, PublishRecord, localVideoId, LOCAL_TARGET } from './providers/local-channel.ts';
export { checkMetadataLimits, imageTypeOf, tagsLength, UPLOAD_LIMITS } from './youtube-limits.ts';

/**
 * The uploader from the environment: "local" and the channels in LOCAL_CHANNELS publish into
 * LOCAL_CHANNEL_DIR; any other name is a YouTube channel authorized with `faceless channels add`.
 */
export function createStage(options: StageFactoryOptions) {
  const config = readUploaderConfig(options.env);
  const youtubeConfig = readYouTubeConfig(options.env);
  const local = new LocalChannelTarget(config.localChannelDir);
  let ledger: QuotaLedger | undefined;
  const youtube = new YouTubeChannelTarget({
    config: youtubeConfig,
    channels: new ChannelStore(youtubeConfig.dataDir),
    ledger: () => (ledger ??= openQuotaLedger(youtubeConfig)),
  });
  return createUploaderStage({
    slots: config.slots,
    leadMinutes: config.leadMinutes,
    targetFor(channel) {
      return config.localChannels.has(channel) ? local : youtube;
    },
  });
}
