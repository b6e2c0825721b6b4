import type { FrameSize } from './video-format.ts';

/**
 * How far an image pans per frame, in output pixels at a 1080-pixel short side: one whole pixel
 * every frame is a steady 30 px/s drift with no sub-pixel resampling, so the picture is scaled once
 * and each frame is a crop (about 0.5 ms against 8 ms for zoompan's per-frame bicubic rescale), and
 * x264 finds the exact motion (bench/RESULTS.md, "Photos and clips at 3×").
 */
export const PAN_PX_PER_FRAME = 1;
/** The longest pan, as a share of the frame along its axis: longer sections pan more slowly instead. */
export const PAN_MAX_TRAVEL = 0.3;

const even = (n: number): number => Math.max(0, Math.round(n / 2) * 2);

export type PanDirection = 'right' | 'up' | 'left' | 'down';
const DIRECTIONS: readonly PanDirection[] = ['right', 'up', 'left', 'down'];

/** Consecutive sections pan in different directions, across then along. */
export function panDirection(variant: number): PanDirection {
  return DIRECTIONS[((variant % DIRECTIONS.length) + DIRECTIONS.length) % DIRECTIONS.length] ?? 'right';
}

export interface ImagePanOptions {
  /** The output frame size. */
  size: FrameSize;
  variant: number;
  /** Frames of the move already done when this chunk starts (motion continues across chunks). */
  offsetFrames: number;
  /** Length of the whole move in frames. */
  motionFrames: number;
}

export interface ImagePan {
  /** What the image is cover-scaled to, once: the frame plus the pan's travel along its axis. */
  canvas: FrameSize;
  /** Whole pixels travelled over the move. */
  travel: number;
  /** The crop (chunk-local frame number `n`) that moves the window over the canvas. */
  crop: string;
}

/**
 * A pan by whole pixels over an image scaled once: the window moves `travel` pixels over the move,
 * at most PAN_PX_PER_FRAME a frame, so every step is the same single pixel (or, on long sections, a
 * pixel every few frames). No easing: sections change with a crossfade, which hides the start.
 */
export function imagePan(o: ImagePanOptions): ImagePan {
  const { size } = o;
  const direction = panDirection(o.variant);
  const across = direction === 'right' || direction === 'left';
  const axis = across ? size.width : size.height;
  const speed = PAN_PX_PER_FRAME * Math.max(1, Math.round(Math.min(size.width, size.height) / 1080));
  const frames = Math.max(1, o.motionFrames);
  const travel = even(Math.min(frames * speed, axis * PAN_MAX_TRAVEL));
  const canvas = across ? { width: size.width + travel, height: size.height } : { width: size.width, height: size.height + travel };
  const done = `min(${travel},floor((n+${o.offsetFrames})*${travel}/${frames}))`;
  const forward = direction === 'right' || direction === 'down';
  const position = travel === 0 ? '0' : forward ? `'${done}'` : `'${travel}-${done}'`;
  const x = across ? position : '0';
  const y = across ? '0' : position;
  // exact=1: 1-pixel steps (yuv420p would otherwise move in steps of 2).
  return { canvas, travel, crop: `crop=${size.width}:${size.height}:x=${x}:y=${y}:exact=1` };
}
