import type { SegmentTiming, WordTiming } from '@faceless/contracts';

/** Shortest word a caption can show; words espeak skips ("—", "…") get this much. */
export const MIN_WORD_SEC = 0.04;

const ms = (sec: number): number => Math.round(sec * 1000) / 1000;

/**
 * Makes timings safe for captions: inside [0, duration], in order, never overlapping and never
 * shorter than `minSec` (less only when the words could not fit otherwise), rounded to the millisecond.
 */
export function normalizeWordTimings(words: readonly WordTiming[], durationSec: number, minSec = MIN_WORD_SEC): WordTiming[] {
  const n = words.length;
  if (n === 0) return [];
  const min = Math.min(minSec, durationSec / n);
  const clamp = (t: number): number => (Number.isFinite(t) ? Math.min(Math.max(t, 0), durationSec) : 0);
  const out = words.map((w) => ({ ...w, start: clamp(w.start), end: clamp(w.end) }));
  let prevEnd = 0;
  for (const w of out) {
    w.start = Math.max(w.start, prevEnd);
    w.end = Math.max(w.end, w.start + min);
    prevEnd = w.end;
  }
  let nextStart = durationSec;
  for (let i = n - 1; i >= 0; i--) {
    const w = out[i]!;
    w.end = Math.min(w.end, nextStart);
    w.start = Math.max(0, Math.min(w.start, w.end - min));
    nextStart = w.start;
  }
  return out.map((w) => ({ ...w, start: ms(w.start), end: ms(w.end) }));
}

/** Each segment spans from its first word's start to its last word's end; a segment without words sits at the previous end. */
export function segmentTimings(headings: readonly string[], words: readonly WordTiming[]): SegmentTiming[] {
  let last = 0;
  return headings.map((heading, i) => {
    const own = words.filter((w) => w.segment === i);
    const first = own[0];
    const final = own.at(-1);
    const timing = first && final ? { heading, start: first.start, end: final.end } : { heading, start: last, end: last };
    last = timing.end;
    return timing;
  });
}
