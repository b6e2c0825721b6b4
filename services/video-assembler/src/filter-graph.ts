import type { FrameSize } from './video-format.ts';
import type { Palette, SegmentVisual } from './visuals.ts';
import { seededRandom } from '@faceless/runtime';
import { imageMotionKind, imagePan, imageZoom } from './motion.ts';
import type { TransitionKind } from './transitions.ts';

/**
 * Escapes a value for an ffmpeg filter graph: once for the filter's option parser
 * (\ ' :) and once for the graph parser (\ ' [ ] , ;), as ffmpeg-filters documents.
 */
export function escapeFilterValue(value: string): string {
  const option = value.replace(/[\\':]/g, (c) => `\\${c}`);
  return option.replace(/[\\'[\],;]/g, (c) => `\\${c}`);
}

/** How much larger than the frame a generated still is, so that a crop can pan across it. */
export const PAN_OVERSCAN = { generated: 1.15 } as const;
/**
 * A generated still is drawn this many times smaller than its canvas, then scaled up once (it is all
 * soft light). geq is the costly part of a generated chunk: at 8 it takes a third of the CPU it took
 * at 4 (0.5 s instead of 1.4 s a chunk), and the picture differs by 49 dB PSNR.
 */
const STILL_DOWNSCALE = 8;

const even = (n: number): number => Math.max(2, Math.round(n / 2) * 2);

export function canvasSize(size: FrameSize, overscan: number): FrameSize {
  return { width: even(size.width * overscan), height: even(size.height * overscan) };
}


function rgb(hex: string): [number, number, number] {
  const m = /^#([0-9a-f]{6})$/i.exec(hex);
  if (!m?.[1]) throw new Error(`"${hex}" is not a #rrggbb colour`);
  const n = parseInt(m[1], 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

const f = (n: number): string => Number(n.toFixed(3)).toString();

interface Light {
  x: number;
  y: number;
  radius: number;
  strength: number;
  color: [number, number, number];
  /** 1: gaussian glow; 2: a softer-edged disc (bokeh). */
  sharpness: 1 | 2;
}

/**
 * geq expressions (r, g, b) for a still: a diagonal gradient between the palette's base colours,
 * two large glows, three faint bokeh discs and a vignette. Positions come from the seed.
 */
export function gradientStillExpressions(palette: Palette, seed: number): { r: string; g: string; b: string } {
  const random = seededRandom(seed);
  const [base0, base1] = [rgb(palette.base[0]), rgb(palette.base[1])];
  const [glow0, glow1] = [rgb(palette.glows[0]), rgb(palette.glows[1])];
  const ax = 0.2 + random() * 0.6;
  const flip = random() < 0.5;
  const along = `clip(${flip ? '(1-X/W)' : 'X/W'}*${f(ax)}+Y/H*${f(1 - ax)},0,1)`;
  const lights: Light[] = [
    { x: 0.15 + random() * 0.3, y: 0.1 + random() * 0.35, radius: 0.35 + random() * 0.2, strength: 0.4 + random() * 0.1, color: glow0, sharpness: 1 },
    { x: 0.55 + random() * 0.3, y: 0.55 + random() * 0.35, radius: 0.4 + random() * 0.2, strength: 0.36 + random() * 0.1, color: glow1, sharpness: 1 },
  ];
  for (let i = 0; i < 3; i++) {
    const color = i % 2 === 0 ? glow0 : glow1;
    lights.push({ x: 0.1 + random() * 0.8, y: 0.1 + random() * 0.8, radius: 0.06 + random() * 0.07, strength: 0.1 + random() * 0.08, color, sharpness: 2 });
  }
  const channel = (c: 0 | 1 | 2): string => {
    const gradient = `${base0[c]}+${base1[c] - base0[c]}*${along}`;
    // Radii are fractions of the width, so that glows stay round on portrait and landscape canvases.
    const glows = lights.map((l) => {
      const d2 = `((X-${f(l.x)}*W)^2+(Y-${f(l.y)}*H)^2)/(${f(l.radius)}*W)^2`;
      const falloff = l.sharpness === 1 ? `exp(-${d2})` : `exp(-(${d2})^2)`;
      return `${f(l.strength * l.color[c])}*${falloff}`;
    });
    const vignette = '(1-0.7*((X/W-0.5)^2+(Y/H-0.5)^2))';
    return `clip((${gradient}+${glows.join('+')})*${vignette},0,255)`;
  };
  return { r: channel(0), g: channel(1), b: channel(2) };
}

/** Start and end crop offsets of a pan across the canvas; four directions, picked by `variant`. */
export function panPath(canvas: FrameSize, size: FrameSize, variant: number): { x0: number; y0: number; x1: number; y1: number } {
  const dx = canvas.width - size.width;
  const dy = canvas.height - size.height;
  const paths = [
    { x0: 0, y0: 0, x1: dx, y1: dy },
    { x0: dx, y0: 0, x1: 0, y1: dy },
    { x0: Math.round(dx / 2), y0: dy, x1: Math.round(dx / 2), y1: 0 },
    { x0: dx, y0: Math.round(dy / 2), x1: 0, y1: Math.round(dy / 2) },
  ] as const;
  return paths[((variant % paths.length) + paths.length) % paths.length] ?? paths[0];
}

/**
 * A crop that pans over the canvas for the whole segment with an ease-in-out, so cuts meet still
 * frames. `t` is the frame's time in the chunk; the segment starts at `startSec` (≤ 0 after its first chunk).
 */
export function panCrop(options: { canvas: FrameSize; size: FrameSize; variant: number; startSec: number; durationSec: number }): string {
  const { canvas, size } = options;
  const p = panPath(canvas, size, options.variant);
  const since = options.startSec > 0 ? `t-${f(options.startSec)}` : `t+${f(-options.startSec)}`;
  const ease = `(0.5-0.5*cos(PI*clip((${since})/${f(Math.max(options.durationSec, 0.001))},0,1)))`;
  const axis = (a: number, b: number): string => (a === b ? String(a) : `'${a}+${b - a}*${ease}'`);
  // exact=1: 1-pixel steps (yuv420p would otherwise move in steps of 2, which shows on slow pans).
  return `crop=${size.width}:${size.height}:x=${axis(p.x0, p.x1)}:y=${axis(p.y0, p.y1)}:exact=1`;
}

/** What a background shows and how its motion runs (the motion spans its whole segment). */
export interface BackgroundSource {
  visual: SegmentVisual;
  /** The segment's first frame on the output timeline. */
  segmentStartFrame: number;
  segmentFrames: number;
  /** Which move (the segment's index, so that consecutive segments move differently). */
  motionVariant: number;
}

export interface ChunkGraphOptions extends BackgroundSource {
  size: FrameSize;
  fps: number;
  /** First frame of this chunk on the output timeline. */
  startFrame: number;
  /** Frames in this chunk. */
  frames: number;
  /**
   * Frames the motion runs on past the segment's end: the next segment's transition shows them,
   * so that the outgoing picture keeps moving while it fades.
   */
  motionTailFrames?: number;
  /** A transition from the previous segment's background over this chunk's first `frames` frames. */
  transition?: BackgroundSource & { kind: TransitionKind; frames: number };
  /** Fade the chunk in from black over this many frames (the `fade` transition style). */
  fadeInFrames?: number;
  /** Absolute path of the ASS file; no captions when absent. */
  captionsPath?: string;
  fontsDir?: string;
  /**
   * Build the poster graph instead: only `[poster]`, the frame at this index of the chunk, before
   * captions, at this size. It is a graph of its own because a second output fed by `split` next to
   * `[v]` makes ffmpeg 5.1 queue the looping background without bound once the poster is taken
   * (seen here: 24 GB and the OOM killer).
   */
  poster?: { frameInChunk: number; size: FrameSize };
}

/** Whether a visual is read from a file (an ffmpeg input) rather than drawn by the graph. */
export function visualHasInput(visual: SegmentVisual): boolean {
  return visual.kind !== 'generated';
}

interface BackgroundOptions {
  source: BackgroundSource;
  /** ffmpeg input index of the visual's file. */
  input: number;
  size: FrameSize;
  fps: number;
  chunkStartFrame: number;
  frames: number;
  motionFrames: number;
}

/**
 * One background for one chunk, ending with chunk-local timestamps (frame n at n/fps) at `fps`,
 * which is what xfade needs from both of its inputs.
 */
function backgroundChain(o: BackgroundOptions): string {
  const { size, fps, source } = o;
  const local = `settb=1/${fps},setpts=N`;
  switch (source.visual.kind) {
    case 'generated': {
      // Soft light has no edges to show whole-pixel steps, so a crop pan is enough (and costs ~1 ms a frame).
      const canvas = canvasSize(size, PAN_OVERSCAN.generated);
      const still = { width: even(canvas.width / STILL_DOWNSCALE), height: even(canvas.height / STILL_DOWNSCALE) };
      const e = gradientStillExpressions(source.visual.palette, source.visual.seed);
      return [
        `nullsrc=s=${still.width}x${still.height}:r=${fps}`,
        'trim=end_frame=1',
        'format=gbrp',
        `geq=r='${e.r}':g='${e.g}':b='${e.b}'`,
        `scale=${canvas.width}:${canvas.height}:flags=bicubic`,
        'format=yuv420p,setsar=1,loop=loop=-1:size=1:start=0',
        local,
        panCrop({
          canvas,
          size,
          variant: source.motionVariant,
          startSec: (source.segmentStartFrame - o.chunkStartFrame) / fps,
          durationSec: o.motionFrames / fps,
        }),
      ].join(',');
    }
    case 'image': {
      const motion = imageMotionKind(source.motionVariant);
      const offsetFrames = o.chunkStartFrame - source.segmentStartFrame;
      const cover = (canvas: FrameSize): string => [
        `[${o.input}:v]scale=${canvas.width}:${canvas.height}:force_original_aspect_ratio=increase:flags=bicubic`,
        `crop=${canvas.width}:${canvas.height}`,
        'format=yuv420p,setsar=1,loop=loop=-1:size=1:start=0',
        local,
      ].join(',');
      if (motion === 'zoom-in' || motion === 'zoom-out') {
        // Scaled once to the zoom's largest frame, looped, then one rescale per zoom step.
        const zoom = imageZoom({ size, fps, variant: source.motionVariant, offsetFrames, motionFrames: o.motionFrames, out: motion === 'zoom-out' });
        return `${cover(zoom.canvas)},${zoom.chain}`;
      }
      // Scaled once to the frame plus the pan's travel, looped, then a whole-pixel crop per frame.
      const pan = imagePan({ size, variant: source.motionVariant, direction: motion, offsetFrames, motionFrames: o.motionFrames });
      // The image's stream says 25 fps: xfade refuses to blend it with a 30 fps one.
      return `${cover(pan.canvas)},fps=${fps},${pan.crop}`;
    }
    case 'clip':
      // Frames dropped to the output rate first, then cropped to the frame's shape, then scaled once:
      // a 4K landscape clip in a portrait frame scales a third of its width instead of all of it.
      return [
        `[${o.input}:v]fps=${fps}`,
        `crop=w='min(iw,ih*${size.width}/${size.height})':h='min(ih,iw*${size.height}/${size.width})'`,
        `scale=${size.width}:${size.height}:flags=bilinear`,
        'setsar=1',
        'format=yuv420p',
        local,
      ].join(',');
  }
}

/**
 * The filter graph of one chunk: its background (a generated still with a pan, an image with a
 * whole-pixel pan or a zoom in steps, or a clip; files are input 0, then the previous segment's file when there is a
 * transition) → optionally a transition from the previous segment's background → output-timeline
 * timestamps, so that captions and motion continue across chunks → captions → `[v]`, with the
 * timestamps reset to zero for the concat demuxer. With `poster`, only `[poster]`.
 */
export function chunkFilterGraph(o: ChunkGraphOptions): string {
  const { size, fps } = o;
  const tail = o.motionTailFrames ?? 0;
  const current = backgroundChain({
    source: o, input: 0, size, fps, chunkStartFrame: o.startFrame, frames: o.frames, motionFrames: o.segmentFrames + tail,
  });
  let picture = o.fadeInFrames && o.fadeInFrames > 0 ? `${current},fade=t=in:s=0:n=${o.fadeInFrames}` : current;
  const t = o.transition;
  if (t && t.frames > 0) {
    const previous = backgroundChain({
      source: t,
      input: visualHasInput(o.visual) ? 1 : 0,
      size,
      fps,
      chunkStartFrame: o.startFrame,
      frames: t.frames + 1,
      motionFrames: t.segmentFrames + tail,
    });
    picture = `${previous},trim=end_frame=${t.frames + 1}[from];${current}[to];`
      + `[from][to]xfade=transition=${t.kind}:duration=${f(t.frames / fps)}:offset=0`;
  }
  const timeline = `setpts=N+${o.startFrame}`;
  const captions = o.captionsPath
    ? `ass=filename=${escapeFilterValue(o.captionsPath)}${o.fontsDir ? `:fontsdir=${escapeFilterValue(o.fontsDir)}` : ''},`
    : '';
  if (!o.poster) return `${picture},${timeline},${captions}setpts=PTS-STARTPTS[v]`;
  const { frameInChunk, size: ps } = o.poster;
  const posterScale = ps.width === size.width && ps.height === size.height ? '' : `,scale=${ps.width}:${ps.height}:flags=bicubic`;
  return `${picture},select='eq(n,${frameInChunk})'${posterScale},setsar=1[poster]`;
}
