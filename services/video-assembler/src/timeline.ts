import type { SegmentTiming } from '@faceless/contracts';

/** A segment's frames on the output timeline, [startFrame, endFrame). */
export interface SegmentSpan {
  segment: number;
  startFrame: number;
  endFrame: number;
}

/** One ffmpeg render: part of one segment's span. */
export interface RenderChunk {
  /** Position on the output timeline, which is also the order of the concat list. */
  index: number;
  segment: number;
  startFrame: number;
  endFrame: number;
  /** Frames into the segment where this chunk starts (motion and clips continue across chunks). */
  segmentOffsetFrames: number;
}

/** Cuts land slightly before the next segment's first word, as an editor would cut. */
const CUT_LEAD_SEC = 0.1;

/** Frames needed to cover the whole narration: the last frame may overhang it, never fall short. */
export function totalFrames(audioDurationSec: number, fps: number): number {
  return Math.max(1, Math.ceil(audioDurationSec * fps - 1e-6));
}

/**
 * Splits the timeline into one span per segment: the first starts at 0, the last ends with the
 * audio, and the others meet where the next segment starts speaking. Segments timed beyond the
 * audio get empty spans (they are still reported, but have nothing to render).
 */
export function segmentSpans(segments: readonly SegmentTiming[], audioDurationSec: number, fps: number): SegmentSpan[] {
  const total = totalFrames(audioDurationSec, fps);
  const cuts = [0];
  for (let i = 1; i < segments.length; i++) {
    const prev = segments[i - 1];
    const next = segments[i];
    if (!prev || !next) continue;
    const at = Math.max(prev.end, next.start - CUT_LEAD_SEC);
    const frame = Math.round(at * fps);
    cuts.push(Math.min(total, Math.max(cuts[cuts.length - 1] ?? 0, frame)));
  }
  cuts.push(total);
  return segments.map((_, i) => ({ segment: i, startFrame: cuts[i] ?? total, endFrame: cuts[i + 1] ?? total }));
}

/** Cuts long spans into near-equal chunks of at most `maxFrames`, so that parallel renders finish together. */
export function renderChunks(spans: readonly SegmentSpan[], maxFrames: number): RenderChunk[] {
  const chunks: RenderChunk[] = [];
  for (const span of spans) {
    const frames = span.endFrame - span.startFrame;
    if (frames <= 0) continue;
    const parts = Math.ceil(frames / Math.max(1, maxFrames));
    for (let p = 0; p < parts; p++) {
      const from = Math.round((frames * p) / parts);
      const to = Math.round((frames * (p + 1)) / parts);
      chunks.push({
        index: chunks.length,
        segment: span.segment,
        startFrame: span.startFrame + from,
        endFrame: span.startFrame + to,
        segmentOffsetFrames: from,
      });
    }
  }
  return chunks;
}

/** The frame the poster is grabbed at: the middle of the first section (segment 1), else of segment 0. */
export function posterFrame(spans: readonly SegmentSpan[]): number {
  const nonEmpty = spans.filter((s) => s.endFrame > s.startFrame);
  const pick = nonEmpty.find((s) => s.segment === 1) ?? nonEmpty[0];
  if (!pick) return 0;
  return Math.floor((pick.startFrame + pick.endFrame) / 2);
}
