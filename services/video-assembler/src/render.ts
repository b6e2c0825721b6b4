import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FacelessError, parseFfmpegProgressLine, runProcess } from '@faceless/runtime';
import { audioEncodeArgs, chunkRenderArgs, concatList, muxArgs, posterRenderArgs, visualInputArgs } from './ffmpeg-args.ts';
import type { EncodeSettings } from './ffmpeg-args.ts';
import { chunkFilterGraph } from './filter-graph.ts';
import type { ChunkGraphOptions } from './filter-graph.ts';
import { transitionFrames, transitionKind, type TransitionStyle } from './transitions.ts';
import type { RenderChunk, SegmentSpan } from './timeline.ts';
import type { FrameSize } from './video-format.ts';
import type { SegmentVisual } from './visuals.ts';

export interface RenderPlan {
  workDir: string;
  /**
   * Local path of the soundtrack (the narration, or its mix with music) as WAV, or a promise of it:
   * it is encoded while the picture renders, and a failure there stops the render.
   */
  audio: string | Promise<string>;
  size: FrameSize;
  fps: number;
  visuals: SegmentVisual[];
  spans: SegmentSpan[];
  chunks: RenderChunk[];
  captionsPath?: string;
  fontsDir?: string;
  poster?: { frame: number; size: FrameSize; output: string };
  encode: EncodeSettings;
  audioBitrate: string;
  /** How many chunks render at once (ffmpeg 5.1 runs a filter graph on one thread). */
  concurrency: number;
  /** Length of the transition into each segment; 0 cuts. Defaults to TRANSITION_SEC. */
  transitionFrames?: number;
  /** How sections change; default `fade` (in from black). */
  transitionStyle?: TransitionStyle;
  /** What a segment shows instead when its image or clip fails to render. */
  fallback: (segment: number) => SegmentVisual;
}

export interface RenderHooks {
  signal: AbortSignal;
  progress: (fraction: number, note: string) => void;
  warn: (message: string) => void;
}

export interface RenderResult {
  videoPath: string;
  /** The visuals actually shown (after any fallback). */
  visuals: SegmentVisual[];
}

export interface QueuedChunk {
  chunk: RenderChunk;
  /** 1 while other chunks render beside this one; absent (x264 chooses) for the last ones. */
  x264Threads?: number;
}

/**
 * The order chunks are rendered in: longest first, so that the short ones fill in at the end and the
 * workers finish together. With several workers every chunk but the last `workers` is encoded on one
 * x264 thread (the other workers keep the cores busy, and it saves CPU and memory); the last ones
 * let x264 use every core, because one of them may end up running alone.
 */
export function renderOrder(chunks: readonly RenderChunk[], workers: number): QueuedChunk[] {
  const sorted = [...chunks].sort((a, b) => (b.endFrame - b.startFrame) - (a.endFrame - a.startFrame) || a.index - b.index);
  return sorted.map((chunk, i) => (workers > 1 && i < sorted.length - workers ? { chunk, x264Threads: 1 } : { chunk }));
}

/** Share of the progress bar for the chunk renders; the mux takes the rest. */
const RENDER_SHARE = 0.93;

/**
 * Renders the chunks a few at a time, encodes the soundtrack meanwhile, then grabs the poster frame
 * while it joins the chunks with the concat demuxer and copies the soundtrack in.
 * A transition lives inside the first chunk of the segment it leads into (the chunk also draws the
 * end of the previous segment's background), so that chunks still join with `-c copy`.
 * A segment whose image or clip fails to render is rendered again with its fallback visual.
 */
export async function renderVideo(plan: RenderPlan, hooks: RenderHooks): Promise<RenderResult> {
  const visuals = [...plan.visuals];
  const totalFrames = plan.chunks.reduce((n, c) => n + c.endFrame - c.startFrame, 0);
  const doneFrames = new Map<number, number>();
  const report = (): void => {
    const done = [...doneFrames.values()].reduce((a, b) => a + b, 0);
    hooks.progress((RENDER_SHARE * done) / Math.max(1, totalFrames), 'rendering video');
  };
  const videoPath = join(plan.workDir, 'video.mp4');
  const chunkFile = (chunk: RenderChunk): string => join(plan.workDir, `chunk-${String(chunk.index).padStart(4, '0')}.mp4`);

  const inner = new AbortController();
  const onAbort = (): void => inner.abort();
  hooks.signal.addEventListener('abort', onAbort, { once: true });

  // The soundtrack is encoded beside the chunk renders (it would otherwise leave a core idle at the end).
  const soundtrack = join(plan.workDir, 'audio.m4a');
  let audioFailure: unknown;
  const audioDone = Promise.resolve(plan.audio)
    .then((wav) => runProcess('ffmpeg', audioEncodeArgs({ input: wav, output: soundtrack, audioBitrate: plan.audioBitrate }), { signal: inner.signal }))
    .then(() => undefined, (err: unknown) => {
      if (inner.signal.aborted) return;
      audioFailure = err;
      inner.abort();
    });

  const byIndex = new Map(plan.chunks.map((c) => [c.index, c]));
  const tailFrames = plan.transitionFrames ?? transitionFrames(plan.fps);

  /** The transition into a segment's first chunk, from the segment before it (none for the first). */
  const style = plan.transitionStyle ?? 'fade';
  /** Frames to fade a segment's first chunk in from black over (the `fade` style). */
  const fadeInto = (chunk: RenderChunk): number => {
    const previous = byIndex.get(chunk.index - 1);
    if (style !== 'fade' || chunk.segmentOffsetFrames !== 0 || !previous || previous.segment === chunk.segment) return 0;
    const frames = Math.min(tailFrames, chunk.endFrame - chunk.startFrame);
    return frames >= 2 ? frames : 0;
  };
  const transitionInto = (chunk: RenderChunk): ChunkGraphOptions['transition'] => {
    if (style !== 'crossfade') return undefined;
    const previous = byIndex.get(chunk.index - 1);
    if (chunk.segmentOffsetFrames !== 0 || !previous || previous.segment === chunk.segment) return undefined;
    const visual = visuals[previous.segment];
    const span = plan.spans[previous.segment];
    const frames = Math.min(tailFrames, chunk.endFrame - chunk.startFrame);
    if (!visual || !span || frames < 2) return undefined;
    return {
      kind: transitionKind(chunk.segment),
      frames,
      visual,
      segmentStartFrame: span.startFrame,
      segmentFrames: span.endFrame - span.startFrame,
      motionVariant: previous.segment,
    };
  };

  const chunkGraph = (chunk: RenderChunk, options: { poster?: { frame: number; size: FrameSize }; cut?: boolean } = {}): { graph: string; inputs: string[]; frames: number } => {
    const visual = visuals[chunk.segment];
    const span = plan.spans[chunk.segment];
    if (!visual || !span) throw new FacelessError('INTERNAL', `no visual for segment ${chunk.segment}`);
    const frames = chunk.endFrame - chunk.startFrame;
    const transition = options.cut ? undefined : transitionInto(chunk);
    const fadeInFrames = options.cut ? 0 : fadeInto(chunk);
    const { poster } = options;
    const graph = chunkFilterGraph({
      visual,
      size: plan.size,
      fps: plan.fps,
      startFrame: chunk.startFrame,
      frames,
      segmentStartFrame: span.startFrame,
      segmentFrames: span.endFrame - span.startFrame,
      motionVariant: chunk.segment,
      motionTailFrames: tailFrames,
      ...(transition ? { transition } : {}),
      ...(fadeInFrames > 0 ? { fadeInFrames } : {}),
      ...(plan.captionsPath ? { captionsPath: plan.captionsPath } : {}),
      ...(plan.fontsDir ? { fontsDir: plan.fontsDir } : {}),
      ...(poster ? { poster: { frameInChunk: poster.frame - chunk.startFrame, size: poster.size } } : {}),
    });
    const inputs = visualInputArgs(visual, { offsetSec: chunk.segmentOffsetFrames / plan.fps, durationSec: frames / plan.fps });
    if (transition) {
      inputs.push(...visualInputArgs(transition.visual, {
        offsetSec: (chunk.startFrame - transition.segmentStartFrame) / plan.fps,
        durationSec: (transition.frames + 1) / plan.fps,
      }));
    }
    return { graph, inputs, frames };
  };

  const renderChunk = async (chunk: RenderChunk, options: { cut?: boolean; x264Threads?: number } = {}): Promise<void> => {
    const { graph, inputs, frames } = chunkGraph(chunk, { cut: options.cut ?? false });
    const args = chunkRenderArgs({
      inputs, graph, frames, fps: plan.fps, encode: plan.encode, output: chunkFile(chunk),
      ...(options.x264Threads ? { x264Threads: options.x264Threads } : {}),
    });
    doneFrames.set(chunk.index, 0);
    await runProcess('ffmpeg', args, {
      signal: inner.signal,
      onStdoutLine: (line) => {
        const sec = parseFfmpegProgressLine(line);
        if (sec === undefined) return;
        doneFrames.set(chunk.index, Math.min(frames, Math.round(sec * plan.fps)));
        report();
      },
    });
    doneFrames.set(chunk.index, frames);
    report();
  };

  const mediaFailure = (err: unknown): err is FacelessError => err instanceof FacelessError && err.code === 'MEDIA_FAILED';
  const failedSegments = new Set<number>();
  /** Chunks rendered with a cut because the previous segment's file failed inside their transition. */
  const cutChunks = new Set<RenderChunk>();
  const runAll = async (chunks: readonly RenderChunk[]): Promise<void> => {
    const workers = Math.max(1, Math.min(plan.concurrency, chunks.length));
    const queue = renderOrder(chunks, workers);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < queue.length && !inner.signal.aborted) {
        const { chunk, x264Threads } = queue[next++] as QueuedChunk;
        if (failedSegments.has(chunk.segment)) continue;
        try {
          try {
            await renderChunk(chunk, x264Threads ? { x264Threads } : {});
          } catch (err) {
            const from = transitionInto(chunk)?.visual;
            if (!mediaFailure(err) || !from || from.kind === 'generated' || inner.signal.aborted) throw err;
            // The culprit may be the previous segment's file: try again with a plain cut.
            await renderChunk(chunk, { cut: true, ...(x264Threads ? { x264Threads } : {}) });
            cutChunks.add(chunk);
          }
        } catch (err) {
          const visual = visuals[chunk.segment];
          const recoverable = mediaFailure(err) && visual && visual.kind !== 'generated' && !inner.signal.aborted;
          if (!recoverable) {
            inner.abort();
            throw err;
          }
          failedSegments.add(chunk.segment);
          hooks.warn(`segment ${chunk.segment}: "${visual.source}" could not be rendered, using a generated background instead (${err.message.split('\n')[0]})`);
        }
      }
    };
    const results = await Promise.allSettled(Array.from({ length: workers }, worker));
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) throw failure.reason;
  };

  try {
    await runAll(plan.chunks);
    if (failedSegments.size > 0) {
      for (const segment of failedSegments) visuals[segment] = plan.fallback(segment);
      const replaced = new Set(failedSegments);
      // Chunks of replaced segments, and the chunks whose transition starts from one.
      const redo = plan.chunks.filter((c) => replaced.has(c.segment) || (cutChunks.has(c) && replaced.has(byIndex.get(c.index - 1)?.segment ?? -1)));
      for (const c of redo) cutChunks.delete(c);
      failedSegments.clear();
      await runAll(redo);
    }
    const listPath = join(plan.workDir, 'chunks.txt');
    await writeFile(listPath, concatList(plan.chunks.map(chunkFile)));
    hooks.progress(RENDER_SHARE, 'adding the narration');
    const mux = async (): Promise<void> => {
      await audioDone;
      if (audioFailure !== undefined) throw audioFailure;
      await runProcess('ffmpeg', muxArgs({ concatListPath: listPath, audioPath: soundtrack, output: videoPath }), { signal: inner.signal });
    };
    const grabPoster = async (): Promise<void> => {
      const poster = plan.poster;
      const around = poster && plan.chunks.find((c) => poster.frame >= c.startFrame && poster.frame < c.endFrame);
      if (!poster || !around) return;
      // A one-frame chunk at the poster frame: the motion expressions place it without rendering
      // the frames before it. A cut, so that no transition or fade darkens it.
      const at: RenderChunk = { ...around, startFrame: poster.frame, endFrame: poster.frame + 1, segmentOffsetFrames: around.segmentOffsetFrames + poster.frame - around.startFrame };
      const { graph, inputs } = chunkGraph(at, { poster, cut: true });
      await runProcess('ffmpeg', posterRenderArgs({ inputs, graph, output: poster.output }), { signal: inner.signal });
    };
    const finished = await Promise.allSettled([mux(), grabPoster()]);
    const failed = finished.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  } catch (err) {
    inner.abort();
    await audioDone;
    if (audioFailure !== undefined) throw audioFailure;
    if (hooks.signal.aborted) throw new FacelessError('CANCELLED', 'video rendering was cancelled', { cause: err });
    throw err;
  } finally {
    hooks.signal.removeEventListener('abort', onAbort);
  }
  hooks.progress(1, 'video ready');
  return { videoPath, visuals };
}
