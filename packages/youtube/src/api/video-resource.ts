import { z } from 'zod';

/** The parts of a `youtube#video` snippet faceless sets; YouTube's other fields are kept as they come. */
export const VideoSnippet = z.looseObject({
  title: z.string(),
  description: z.string().optional(),
  tags: z.array(z.string()).optional(),
  categoryId: z.string().optional(),
  defaultLanguage: z.string().optional(),
});
export type VideoSnippet = z.infer<typeof VideoSnippet>;

export const VideoStatus = z.looseObject({
  privacyStatus: z.enum(['private', 'unlisted', 'public']).optional(),
  uploadStatus: z.string().optional(),
  publishAt: z.string().optional(),
  selfDeclaredMadeForKids: z.boolean().optional(),
  madeForKids: z.boolean().optional(),
  containsSyntheticMedia: z.boolean().optional(),
});
export type VideoStatus = z.infer<typeof VideoStatus>;

/** A video as YouTube returns it (videos.insert, videos.list, videos.update). */
export const YouTubeVideo = z.looseObject({
  id: z.string().min(1),
  snippet: VideoSnippet.optional(),
  status: VideoStatus.optional(),
});
export type YouTubeVideo = z.infer<typeof YouTubeVideo>;

export const VideoListResponse = z.looseObject({ items: z.array(YouTubeVideo).default([]) });

/** The resource sent with videos.insert: `selfDeclaredMadeForKids` is required here because uploads without it can stall. */
export interface VideoInsertResource {
  snippet: { title: string; description: string; tags?: string[]; categoryId: string; defaultLanguage?: string };
  status: {
    privacyStatus: 'private' | 'unlisted' | 'public';
    /** ISO 8601; YouTube accepts it only with privacyStatus private. */
    publishAt?: string;
    selfDeclaredMadeForKids: boolean;
    containsSyntheticMedia?: boolean;
  };
}
