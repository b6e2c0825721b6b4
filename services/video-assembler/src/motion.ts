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
  /** The pan's direction; default `panDirection(variant)`. */
  direction?: PanDirection;
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
  const direction = o.direction ?? panDirection(o.variant);
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

/** The longest zoom, as a share of the frame: the picture grows (or shrinks) by at most this much. */
export const ZOOM_MAX = 0.1;
/** A zoom step lasts at least this many frames: each step is one rescale, the frames between repeat it. */
export const ZOOM_MIN_HOLD_FRAMES = 3;

export type ImageMotionKind = 'zoom-in' | 'zoom-out' | PanDirection;
/** Sections in turn: a zoom, a pan, the other zoom, a pan the other way… (the hook zooms in). */
const IMAGE_MOTIONS: readonly ImageMotionKind[] = ['zoom-in', 'up', 'zoom-out', 'left', 'zoom-in', 'down', 'zoom-out', 'right'];

export function imageMotionKind(variant: number): ImageMotionKind {
  return IMAGE_MOTIONS[((variant % IMAGE_MOTIONS.length) + IMAGE_MOTIONS.length) % IMAGE_MOTIONS.length] ?? 'zoom-in';
}

export interface ImageZoom {
  /** What the image is cover-scaled to, once: the frame at the zoom's largest. */
  canvas: FrameSize;
  /** Steps of the zoom; the window grows or shrinks by 2 pixels across (one each side) per step. */
  steps: number;
  /**
   * Filters from the looped canvas (time base 1/fps, one frame per step) to frames at `fps`: each
   * step's frame is stamped with the chunk-local frame it starts at, scaled once, cropped to the
   * frame around the centre, and repeated by `fps` until the next step.
   */
  chain: string;
}

/**
 * A slow zoom in steps: the picture's size changes by two whole pixels across (about 0.2 %) every
 * few frames, about the centre, so that only one frame in `hold` is rescaled (a rescale costs what
 * zoompan spent on every frame) and the frames between are repeats, which x264 codes almost for free.
 * At most ZOOM_MAX over the move, at most one step every ZOOM_MIN_HOLD_FRAMES frames; the step a
 * frame shows depends only on its frame in the move, so the zoom continues across chunks.
 */
export function imageZoom(o: ImagePanOptions & { fps: number; out: boolean }): ImageZoom {
  const { size, fps } = o;
  const speed = Math.max(1, Math.round(Math.min(size.width, size.height) / 1080));
  const frames = Math.max(1, o.motionFrames);
  const steps = Math.max(0, Math.floor(Math.min(frames / ZOOM_MIN_HOLD_FRAMES, (size.width * ZOOM_MAX) / (2 * speed))));
  const widthAt = (k: number): number => size.width + 2 * speed * k;
  const heightAt = (k: number): number => 2 * Math.round((widthAt(k) * size.height) / size.width / 2);
  const canvas = { width: widthAt(steps), height: heightAt(steps) };
  if (steps === 0) return { canvas, steps, chain: `fps=${fps}` };
  // The step a frame of the move shows is floor(m·steps/frames); step j starts at frame ceil(j·frames/steps).
  const first = Math.min(steps, Math.floor((o.offsetFrames * steps) / frames));
  const step = (n: string): string => `min(${steps},${n}+${first})`;
  const k = (n: string): string => (o.out ? `(${steps}-${step(n)})` : step(n));
  const w = (n: string): string => `${size.width}+${2 * speed}*${k(n)}`;
  const h = (n: string): string => `2*round((${w(n)})*${size.height}/${size.width}/2)`;
  return {
    canvas,
    steps,
    chain: [
      `setpts='max(0,ceil((N+${first})*${frames}/${steps})-${o.offsetFrames})'`,
      `scale=w='${w('n')}':h='${h('n')}':eval=frame:flags=bicubic`,
      `crop=${size.width}:${size.height}:x='${speed}*${k('n')}':y='(${h('n')}-${size.height})/2':exact=1`,
      'setsar=1',
      `fps=${fps}`,
    ].join(','),
  };
}
