import { FacelessError, type StageFactoryOptions } from '@faceless/runtime';
import { readUploaderConfig } from './config.ts';
import { LocalChannelTarget } from './providers/local-channel.ts';
import { createUploaderStage } from './stage.ts';

export { createUploaderStage, CHANNEL_NAME, type UploaderDeps } from './stage.ts';
export { readUploaderConfig, type UploaderConfig } from './config.ts';
export { nextFreeSlot, parseSlot, type NextFreeSlotOptions } from './publish-slots.ts';
export type { PublishTarget, PublishRequest, PublicationKey } from './publish-target.ts';
export { LocalChannelTarget, PublishRecord, localVideoId, LOCAL_TARGET } from './providers/local-channel.ts';
export { checkMetadataLimits, imageTypeOf, tagsLength, UPLOAD_LIMITS } from './youtube-limits.ts';

/** The uploader from the environment: "local" and the channels in LOCAL_CHANNELS publish into LOCAL_CHANNEL_DIR. */
export function createStage(options: StageFactoryOptions) {
  const config = readUploaderConfig(options.env);
  const local = new LocalChannelTarget(config.localChannelDir);
  return createUploaderStage({
    slots: config.slots,
    leadMinutes: config.leadMinutes,
    targetFor(channel) {
      if (config.localChannels.has(channel)) return local;
      throw new FacelessError('INVALID_INPUT', `channel "${channel}" is not configured: add it to LOCAL_CHANNELS (comma-separated) to publish into ${config.localChannelDir}/${channel}, or use channel "local"; YouTube channels are not supported yet`, { field: 'channel' });
    },
  });
}
