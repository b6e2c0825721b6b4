import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { FacelessError } from '@faceless/runtime';

export const X264_PRESETS = ['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium', 'slow', 'slower', 'veryslow'] as const;

export const VideoAssemblerConfig = z.object({
  /** Chunks rendered at once; ffmpeg 5.1 runs a filter graph on one thread, so about one per core. */
  VIDEO_ASSEMBLER_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(Math.min(4, Math.max(1, availableParallelism()))),
  /** x264 speed/size trade-off. */
  VIDEO_ASSEMBLER_X264_PRESET: z.enum(X264_PRESETS).default('veryfast'),
  /** x264 constant rate factor: lower is better and bigger (18–23 is the useful range). */
  VIDEO_ASSEMBLER_CRF: z.coerce.number().int().min(0).max(51).default(21),
  /** Longest piece of the timeline one ffmpeg renders; shorter pieces balance the parallel renders. */
  VIDEO_ASSEMBLER_CHUNK_SEC: z.coerce.number().min(1).max(3600).default(30),
});
export type VideoAssemblerConfig = z.infer<typeof VideoAssemblerConfig>;

/** Reads the video-assembler's variables, naming every bad one at once. */
export function parseVideoAssemblerConfig(env: Record<string, string | undefined>): VideoAssemblerConfig {
  const picked = Object.fromEntries(
    Object.keys(VideoAssemblerConfig.shape).map((k) => [k, env[k] === '' ? undefined : env[k]]),
  );
  const result = VideoAssemblerConfig.safeParse(picked);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `${i.path.join('.')}=${JSON.stringify(picked[String(i.path[0])])}: ${i.message}`);
  throw new FacelessError('INVALID_OPTION', `invalid video-assembler configuration: ${problems.join('; ')}`, {
    field: String(result.error.issues[0]?.path[0] ?? ''),
  });
}
