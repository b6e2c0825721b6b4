import { z } from 'zod';
import { FacelessError } from '@faceless/runtime';

export const ThumbnailConfig = z.object({
  /** Which renderer draws the thumbnails; canvas (@napi-rs/canvas) is the only one so far. */
  THUMBNAIL_RENDERER: z.enum(['canvas']).default('canvas'),
  /** JPEG quality of the first encode; lowered automatically when a file would pass 2 MB. */
  THUMBNAIL_JPEG_QUALITY: z.coerce.number().int().min(40).max(100).default(88),
});
export type ThumbnailConfig = z.infer<typeof ThumbnailConfig>;

/** Reads the thumbnail-maker's variables, naming every bad one at once. */
export function parseThumbnailConfig(env: Record<string, string | undefined>): ThumbnailConfig {
  const picked = Object.fromEntries(
    Object.keys(ThumbnailConfig.shape).map((k) => [k, env[k] === '' ? undefined : env[k]]),
  );
  const result = ThumbnailConfig.safeParse(picked);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `${i.path.join('.')}=${JSON.stringify(picked[String(i.path[0])])}: ${i.message}`);
  throw new FacelessError('INVALID_OPTION', `invalid thumbnail-maker configuration: ${problems.join('; ')}`, {
    field: String(result.error.issues[0]?.path[0] ?? ''),
  });
}
