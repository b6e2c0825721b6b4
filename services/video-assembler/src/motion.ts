import type { FrameSize } from './video-format.ts';

/**
 * How much larger than the output an image is scaled (once) before zoompan crops and scales it
 * on every frame. zoompan crops at whole input pixels: at 1× that stair-steps visibly, at 2× the
 * steps are half an output pixel and look smooth, 4× costs 3.5× more CPU for no visible gain
 * (bench/RESULTS.md, "Video render").
 */
export const KEN_BURNS_OVERSAMPLE = 2;
/** Zoom at the tight end of a Ken Burns move (1 = the whole cover-cropped image). */
export const KEN_BURNS_ZOOM = 1.15;

const f = (n: number): string => Number(n.toFixed(4)).toString();
const even = (n: number): number => Math.max(2, Math.round(n / 2) * 2);

/** Size an image is cover-scaled to, once, before the Ken Burns move. */
export function kenBurnsCanvas(size: FrameSize): FrameSize {
  return { width: even(size.width * KEN_BURNS_OVERSAMPLE), height: even(size.height * KEN_BURNS_OVERSAMPLE) };
}

interface KenBurnsMove {
  zoomIn: boolean;
  /** Where the window sits across the spare width/height at the start and the end (0 = left/top, 1 = right/bottom). */
  from: readonly [number, number];
  to: readonly [number, number];
}

/** Four moves that alternate zooming in and out and pan in different directions, picked by `variant`. */
export function kenBurnsMove(variant: number): KenBurnsMove {
  const moves: readonly KenBurnsMove[] = [
    { zoomIn: true, from: [0.5, 0.5], to: [0.3, 0.35] },
    { zoomIn: false, from: [0.75, 0.4], to: [0.5, 0.5] },
    { zoomIn: true, from: [0.5, 0.6], to: [0.7, 0.4] },
    { zoomIn: false, from: [0.25, 0.65], to: [0.5, 0.5] },
  ];
  return moves[((variant % moves.length) + moves.length) % moves.length] ?? (moves[0] as KenBurnsMove);
}

export interface KenBurnsOptions {
  /** The output frame size. */
  size: FrameSize;
  fps: number;
  variant: number;
  /** Frames of the move already done when this chunk starts (motion continues across chunks). */
  offsetFrames: number;
  /** Length of the whole move in frames. */
  motionFrames: number;
  /** Frames this zoompan emits from its single input frame. */
  frames: number;
}

/**
 * A Ken Burns move with zoompan fed a single frame (already cover-scaled to `kenBurnsCanvas`):
 * a slow zoom with a pan, eased at both ends so that it never starts or stops with a jerk.
 */
export function kenBurnsZoompan(o: KenBurnsOptions): string {
  const move = kenBurnsMove(o.variant);
  const ease = `(0.5-0.5*cos(PI*clip((on+${o.offsetFrames})/${Math.max(1, o.motionFrames)},0,1)))`;
  const span = f(KEN_BURNS_ZOOM - 1);
  const zoom = move.zoomIn ? `1+${span}*${ease}` : `${f(KEN_BURNS_ZOOM)}-${span}*${ease}`;
  // At zoom 1 the window is the whole canvas (no room to pan); the spare room grows with the zoom.
  const along = (a: number, b: number): string => (a === b ? f(a) : `(${f(a)}+${f(b - a)}*${ease})`);
  const x = `(iw-iw/zoom)*${along(move.from[0], move.to[0])}`;
  const y = `(ih-ih/zoom)*${along(move.from[1], move.to[1])}`;
  return `zoompan=z='${zoom}':x='${x}':y='${y}':d=${Math.max(1, o.frames)}:s=${o.size.width}x${o.size.height}:fps=${o.fps}`;
}
