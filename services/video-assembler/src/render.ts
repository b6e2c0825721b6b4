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
  /** How sections change; default `crossfade` (from the previous section, in a chunk of its own). */
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
 * let x264 use every core, because one of them may end up running alone, unless they are short.
 */
export function renderOrder(chunks: readonly RenderChunk[], workers: number): QueuedChunk[] {
  const sorted = [...chunks].sort((a, b) => (b.endFrame - b.startFrame) - (a.endFrame - a.startFrame) || a.index - b.index);
  const short = (chunk: RenderChunk): boolean => chunk.endFrame - chunk.startFrame <= SHORT_CHUNK_FRAMES;
  return sorted.map((chunk, i) => (workers > 1 && (i < sorted.length - workers || short(chunk)) ? { chunk, x264Threads: 1 } : { chunk }));
}

/**
 * A chunk this short (a crossfade) is encoded on one x264 thread even when it comes last: frame threads
 * gain nothing on a dozen frames and cost memory (a crossfade into a 4K clip: 424 MB with them, 395 MB
 * without), at the moment two decoders run in it.
 */
const SHORT_CHUNK_FRAMES = 30;

/** One ffmpeg render: a piece of one segment, maybe with the transition into it. */
export interface ChunkJob {
  /** Its frames; `index` is its place in the concat list. */
  chunk: RenderChunk;
  /** The whole job is a crossfade from this (the previous) segment's background. */
  crossfadeFrom?: number;
  /** Fade in from black over this many frames (the `fade` style). */
  fadeInFrames?: number;
}

/**
 * The renders, in timeline order. With `crossfade`, the first `transitionFrames` frames of each
 * segment after the first become a job of their own that blends the previous segment's background
 * into this one, so that the long chunks stay a single background (xfade slows every frame of a graph
 * it is in) and all chunks still join with `-c copy`. With `fade`, the first chunk of each segment
 * fades in from black; with `cut` (or fewer than 2 frames), nothing.
 */
export function planChunkJobs(chunks: readonly RenderChunk[], options: { style: TransitionStyle; transitionFrames: number }): ChunkJob[] {
  const jobs: ChunkJob[] = [];
  chunks.forEach((chunk, i) => {
    const previous = chunks[i - 1];
    const length = chunk.endFrame - chunk.startFrame;
    const into = chunk.segmentOffsetFrames === 0 && previous !== undefined && previous.segment !== chunk.segment;
    const frames = Math.min(options.transitionFrames, length);
    if (!into || frames < 2 || options.style === 'cut') {
      jobs.push({ chunk });
    } else if (options.style === 'fade') {
      jobs.push({ chunk, fadeInFrames: frames });
    } else {
      jobs.push({ chunk: { ...chunk, endFrame: chunk.startFrame + frames }, crossfadeFrom: previous.segment });
      if (length > frames) jobs.push({ chunk: { ...chunk, startFrame: chunk.startFrame + frames, segmentOffsetFrames: chunk.segmentOffsetFrames + frames } });
    }
  });
  return jobs.map((job, index) => ({ ...job, chunk: { ...job.chunk, index } }));
}

/** Share of the progress bar for the chunk renders; the mux takes the rest. */
const RENDER_SHARE = 0.93;

/**
 * Renders the chunk jobs (`planChunkJobs`) a few at a time, encodes the soundtrack meanwhile, then
 * grabs the poster frame while it joins the chunks with the concat demuxer and copies the soundtrack in.
 * A segment whose image or clip fails to render is rendered again with its fallback visual.
 */
export async function renderVideo(plan: RenderPlan, hooks: RenderHooks): Promise<RenderResult> {
  const visuals = [...plan.visuals];
  const jobs = planChunkJobs(plan.chunks, { style: plan.transitionStyle ?? 'crossfade', transitionFrames: plan.transitionFrames ?? transitionFrames(plan.fps) });
  const tailFrames = plan.transitionFrames ?? transitionFrames(plan.fps);
  const totalFrames = jobs.reduce((n, j) => n + j.chunk.endFrame - j.chunk.startFrame, 0);
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

  const source = (segment: number): { visual: SegmentVisual; span: SegmentSpan } => {
    const visual = visuals[segment];
    const span = plan.spans[segment];
    if (!visual || !span) throw new FacelessError('INTERNAL', `no visual for segment ${segment}`);
    return { visual, span };
  };

  const chunkGraph = (job: ChunkJob, options: { poster?: { frame: number; size: FrameSize }; cut?: boolean; decoderThreads?: number } = {}): { graph: string; inputs: string[]; frames: number } => {
    const { chunk } = job;
    const { visual, span } = source(chunk.segment);
    const frames = chunk.endFrame - chunk.startFrame;
    const from = options.cut || job.crossfadeFrom === undefined ? undefined : source(job.crossfadeFrom);
    const transition: ChunkGraphOptions['transition'] = from && job.crossfadeFrom !== undefined
      ? {
        kind: transitionKind(chunk.segment),
        frames,
        visual: from.visual,
        segmentStartFrame: from.span.startFrame,
        segmentFrames: from.span.endFrame - from.span.startFrame,
        motionVariant: job.crossfadeFrom,
      }
      : undefined;
    const fadeInFrames = options.cut ? 0 : job.fadeInFrames ?? 0;
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
    const inputs = visualInputArgs(visual, {
      offsetSec: chunk.segmentOffsetFrames / plan.fps,
      durationSec: frames / plan.fps,
      ...(options.decoderThreads ? { decoderThreads: options.decoderThreads } : {}),
    });
    if (transition) {
      inputs.push(...visualInputArgs(transition.visual, {
        offsetSec: (chunk.startFrame - transition.segmentStartFrame) / plan.fps,
        durationSec: (transition.frames + 1) / plan.fps,
        // A dozen frames: decoder threads would only add memory.
        decoderThreads: 1,
      }));
    }
    return { graph, inputs, frames };
  };

  const renderJob = async (job: ChunkJob, options: { cut?: boolean; x264Threads?: number } = {}): Promise<void> => {
    const { chunk } = job;
    // A clip decodes on one thread when its chunk renders beside others (4K: 34 MB less, the same CPU).
    const { graph, inputs, frames } = chunkGraph(job, { cut: options.cut ?? false, ...(options.x264Threads === 1 ? { decoderThreads: 1 } : {}) });
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
  const runAll = async (batch: readonly ChunkJob[]): Promise<void> => {
    const workers = Math.max(1, Math.min(plan.concurrency, batch.length));
    const byIndex = new Map(batch.map((j) => [j.chunk.index, j]));
    const queue = renderOrder(batch.map((j) => j.chunk), workers);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < queue.length && !inner.signal.aborted) {
        const { chunk, x264Threads } = queue[next++] as QueuedChunk;
        const job = byIndex.get(chunk.index) as ChunkJob;
        if (failedSegments.has(chunk.segment)) continue;
        const threads = x264Threads ? { x264Threads } : {};
        try {
          try {
            await renderJob(job, threads);
          } catch (err) {
            const from = job.crossfadeFrom === undefined ? undefined : visuals[job.crossfadeFrom];
            if (!mediaFailure(err) || !from || from.kind === 'generated' || inner.signal.aborted) throw err;
            // The culprit may be the previous segment's file: try again with a plain cut.
            await renderJob(job, { cut: true, ...threads });
          }
        } catch (err) {
          const visual = visuals[chunk.segment];
          const recoverable = mediaFailure(err) && visual && visual.kind !== 'generated' && !inner.signal.aborted;
          if (!recoverable) {
            inner.abort();
            throw err;
          }
          // Two jobs of one segment (its crossfade and its body) may both fail: one warning.
          if (failedSegments.has(chunk.segment)) continue;
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
    await runAll(jobs);
    if (failedSegments.size > 0) {
      const replaced = new Set(failedSegments);
      for (const segment of replaced) visuals[segment] = plan.fallback(segment);
      failedSegments.clear();
      // The replaced segments' jobs, and the crossfades that start from one.
      await runAll(jobs.filter((j) => replaced.has(j.chunk.segment) || (j.crossfadeFrom !== undefined && replaced.has(j.crossfadeFrom))));
    }
    const listPath = join(plan.workDir, 'chunks.txt');
    await writeFile(listPath, concatList(jobs.map((j) => chunkFile(j.chunk))));
    hooks.progress(RENDER_SHARE, 'adding the narration');
    const mux = async (): Promise<void> => {
      await audioDone;
      if (audioFailure !== undefined) throw audioFailure;
      await runProcess('ffmpeg', muxArgs({ concatListPath: listPath, audioPath: soundtrack, output: videoPath }), { signal: inner.signal });
    };
    const grabPoster = async (): Promise<void> => {
      const poster = plan.poster;
      const around = poster && jobs.find((j) => poster.frame >= j.chunk.startFrame && poster.frame < j.chunk.endFrame)?.chunk;
      if (!poster || !around) return;
      // A one-frame chunk at the poster frame: the motion expressions place it without rendering
      // the frames before it. A cut, so that no transition or fade changes it.
      const at: RenderChunk = { ...around, startFrame: poster.frame, endFrame: poster.frame + 1, segmentOffsetFrames: around.segmentOffsetFrames + poster.frame - around.startFrame };
      const { graph, inputs } = chunkGraph({ chunk: at }, { poster, cut: true });
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
