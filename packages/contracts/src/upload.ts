import { z } from 'zod';
import { VideoMetadata } from './metadata.ts';

export const PrivacyStatus = z.enum(['private', 'unlisted', 'public']);

export const UploadInput = z.strictObject({
  outputPrefix: z.string().max(200).default(''),
  pipelineId: z.string().min(1).max(100),
  videoPath: z.string().min(1),
  thumbnailPath: z.string().min(1),
  /** A SubRip file (object-store key) uploaded as the video's caption track, in metadata.defaultLanguage. */
  captionsPath: z.string().min(1).optional(),
  metadata: VideoMetadata,
  channel: z.string().min(1).max(64).default('local'),
  /** When absent: the channel's default, else private (scheduled into the next free slot). */
  privacyStatus: PrivacyStatus.optional(),
  /** ISO 8601; when absent a private video is scheduled into the channel's next free publishing slot. */
  publishAt: z.string().datetime({ offset: true }).optional(),
  /** When absent: the channel's default, else false. Always sent to YouTube explicitly. */
  madeForKids: z.boolean().optional(),
  containsSyntheticMedia: z.boolean().default(true),
});
export type UploadInput = z.infer<typeof UploadInput>;

export const UploadOutput = z.strictObject({
  target: z.string(),
  /** The channel the video was published on (absent in outputs written before it was added). */
  channel: z.string().min(1).max(64).optional(),
  videoId: z.string().min(1),
  url: z.string().optional(),
  recordPath: z.string().optional(),
  publishAt: z.string(),
  privacyStatus: PrivacyStatus,
});
export type UploadOutput = z.infer<typeof UploadOutput>;
