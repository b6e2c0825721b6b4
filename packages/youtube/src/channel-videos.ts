import { z } from 'zod';

/** A video faceless uploaded to a channel (kept in the database's youtube_channel_videos, see ChannelVideoTable). */
export const ChannelVideo = z.object({ pipelineId: z.string(), videoId: z.string(), publishAt: z.string() });
export type ChannelVideo = z.infer<typeof ChannelVideo>;
