import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { FacelessError, expandHome } from '@faceless/runtime';
import { TRANSITION_STYLES } from './transitions.ts';

export const X264_PRESETS = ['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium', 'slow', 'slower', 'veryslow'] as const;

export const VideoAssemblerConfig = z.object({
  /** Chunks rendered at once; ffmpeg 5.1 runs a filter graph on one thread, so about one per core. */
  VIDEO_ASSEMBLER_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(Math.min(4, Math.max(1, availableParallelism()))),
  /** x264 speed/size trade-off. */
  VIDEO_ASSEMBLER_X264_PRESET: z.enum(X264_PRESETS).default('veryfast'),
  /**
   * Extra x264 options. The default lowers veryfast's motion search (subpixel refinement 2 → 1,
   * hexagon → diamond): a third less x264 CPU on panned photographs for +0.5–4 % bytes at the same
   * CRF (bench/RESULTS.md). `subme=2:me=hex` restores the preset's own.
   */
  VIDEO_ASSEMBLER_X264_PARAMS: z.string().regex(/^[a-z0-9_-]+=[a-z0-9_.,-]+(:[a-z0-9_-]+=[a-z0-9_.,-]+)*$/i, 'must be x264 options as key=value pairs joined by ":" (e.g. subme=1:me=dia)').default('subme=1:me=dia'),
  /** x264 constant rate factor: lower is better and bigger (18–23 is the useful range). */
  VIDEO_ASSEMBLER_CRF: z.coerce.number().int().min(0).max(51).default(21),
  /** Longest piece of the timeline one ffmpeg renders; shorter pieces balance the parallel renders. */
  VIDEO_ASSEMBLER_CHUNK_SEC: z.coerce.number().min(1).max(3600).default(30),
  /** Pexels API key: stock clips for sections the media folder does not cover; none without it. */
  PEXELS_API_KEY: z.string().trim().min(10, 'looks too short for a Pexels API key (get one at https://www.pexels.com/api/)').optional(),
  PEXELS_API_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://api.pexels.com' }).default('https://api.pexels.com'),
  /** Downloaded clips and search answers; default <FACELESS_DATA_DIR>/cache/pexels. */
  PEXELS_CACHE_DIR: z.string().optional(),
  FACELESS_DATA_DIR: z.string().default('~/.faceless'),
  /** How sections change: crossfade (a dissolve or soft push from the previous section, in its own short chunk), fade (in from black), cut. */
  VIDEO_ASSEMBLER_TRANSITIONS: z.enum(TRANSITION_STYLES).default('crossfade'),
  /** A folder of background music (mp3, m4a, aac, wav, flac, ogg, opus; moods in file names or tags.json) used when a video names none. */
  VIDEO_ASSEMBLER_MUSIC_DIR: z.string().min(1).optional(),
  /** Level of the music bed against the voice in LU before ducking (−12: audible in pauses, about −22 under speech). */
  VIDEO_ASSEMBLER_MUSIC_DB: z.coerce.number().min(-40).max(0).default(-12),
});
export type VideoAssemblerConfig = z.infer<typeof VideoAssemblerConfig>;

/** Values never repeated in an error message. */
const SECRETS = new Set(['PEXELS_API_KEY']);


/** Where Pexels downloads are kept: PEXELS_CACHE_DIR, else FACELESS_DATA_DIR/cache/pexels. */
export function pexelsCacheDir(config: Pick<VideoAssemblerConfig, 'PEXELS_CACHE_DIR' | 'FACELESS_DATA_DIR'>): string {
  return resolve(expandHome(config.PEXELS_CACHE_DIR ?? join(config.FACELESS_DATA_DIR, 'cache', 'pexels')));
}

/** Reads the video-assembler's variables, naming every bad one at once. */
export function parseVideoAssemblerConfig(env: Record<string, string | undefined>): VideoAssemblerConfig {
  const picked = Object.fromEntries(
    Object.keys(VideoAssemblerConfig.shape).map((k) => [k, env[k]?.trim() === '' ? undefined : env[k]]),
  );
  const result = VideoAssemblerConfig.safeParse(picked);
  if (result.success) return result.data;
  const shown = (name: string): string => {
    const value = picked[name];
    return SECRETS.has(name) && typeof value === 'string' ? `(${value.length} characters, not shown)` : JSON.stringify(value);
  };
  const problems = result.error.issues.map((i) => `${i.path.join('.')}=${shown(String(i.path[0]))}: ${i.message}`);
  throw new FacelessError('INVALID_OPTION', `invalid video-assembler configuration: ${problems.join('; ')}`, {
    field: String(result.error.issues[0]?.path[0] ?? ''),
  });
}
