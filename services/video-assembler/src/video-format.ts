import type { Aspect } from '@faceless/contracts';

/** Output frame rate; the GOP is half of it (YouTube's recommended closed GOP). */
export const FPS = 30;
export const GOP_FRAMES = FPS / 2;

export const OUTPUT_SIZES = {
  '9:16': { width: 1080, height: 1920 },
  '16:9': { width: 1920, height: 1080 },
  '1:1': { width: 1080, height: 1080 },
} as const satisfies Record<Aspect, { width: number; height: number }>;

export interface FrameSize {
  width: number;
  height: number;
}

/** The output size for an aspect; `scale` < 1 only for fast test renders (kept even for yuv420p). */
export function outputSize(aspect: Aspect, scale = 1): FrameSize {
  const { width, height } = OUTPUT_SIZES[aspect];
  const even = (n: number): number => Math.max(2, Math.round((n * scale) / 2) * 2);
  return { width: even(width), height: even(height) };
}

/** The poster keeps the video's shape but is at most 1280 wide (a 16:9 video gives exactly 1280×720). */
export function posterSize(size: FrameSize): FrameSize {
  if (size.width <= 1280) return size;
  const height = Math.round((size.height * 1280) / size.width / 2) * 2;
  return { width: 1280, height };
}
