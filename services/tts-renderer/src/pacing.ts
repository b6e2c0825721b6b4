import type { WordTiming } from '@faceless/contracts';
import { concatSamples } from './wav-header.ts';

/**
 * How long a pause may become, in seconds of quiet: between two sections (the hook, each section, the
 * call to action) and between two sentences. Outside these a voice sounds rushed or stalled; inside them
 * a narration can gain or lose about a tenth of its length without a word changing speed.
 */
export const PAUSE_BOUNDS = {
  segment: { min: 0.3, max: 1.2 },
  sentence: { min: 0.15, max: 0.75 },
} as const;
export type PauseKind = keyof typeof PAUSE_BOUNDS;

/** A quiet stretch of the audio between two words, where the narration may breathe longer or shorter. */
export interface Pause {
  kind: PauseKind;
  start: number;
  end: number;
}

/** Seconds inserted (positive) or removed (negative) at `at`, a time in the audio before any change. */
export interface PauseChange {
  at: number;
  seconds: number;
}

const FRAME_SEC = 0.01;
/** A run of quiet frames shorter than this is a consonant, not a pause. */
const MIN_PAUSE_SEC = 0.04;
/** Quiet: 30 dB under the loud frames (95th percentile), and anything under −50 dBFS. */
const QUIET_BELOW_LOUD = 10 ** (-30 / 20);
const QUIET_FLOOR = 32768 * 10 ** (-50 / 20);

const endsSentence = (word: string): boolean => /[.!?…]["»”')\]]*$/u.test(word);

/** Frame RMS levels of mono 16-bit samples. */
function frameLevels(samples: Int16Array, sampleRate: number): Float64Array {
  const size = Math.max(1, Math.round(sampleRate * FRAME_SEC));
  const levels = new Float64Array(Math.ceil(samples.length / size));
  for (let f = 0; f < levels.length; f++) {
    let sum = 0;
    const from = f * size;
    const to = Math.min(samples.length, from + size);
    for (let i = from; i < to; i++) sum += samples[i]! ** 2;
    levels[f] = Math.sqrt(sum / Math.max(1, to - from));
  }
  return levels;
}

/**
 * The pause at every sentence end and section change: the longest quiet run between the middle of the
 * word before and a little after the start of the word after (word timings from an estimator may be
 * late or early; the audio says where the silence is). Boundaries with no quiet run are left out.
 */
export function findPauses(options: { samples: Int16Array; sampleRate: number; words: readonly WordTiming[] }): Pause[] {
  const { samples, sampleRate, words } = options;
  const levels = frameLevels(samples, sampleRate);
  const sorted = [...levels].sort((a, b) => a - b);
  const loud = sorted[Math.floor(sorted.length * 0.95)] ?? 0;
  const quiet = Math.max(QUIET_FLOOR, loud * QUIET_BELOW_LOUD);
  const pauses: Pause[] = [];
  for (let i = 0; i + 1 < words.length; i++) {
    const word = words[i]!;
    const next = words[i + 1]!;
    const kind: PauseKind | undefined = next.segment !== word.segment ? 'segment' : endsSentence(word.text) ? 'sentence' : undefined;
    if (!kind) continue;
    const from = Math.max(0, Math.floor(((word.start + Math.min(word.end, next.start)) / 2) / FRAME_SEC));
    const to = Math.min(levels.length, Math.ceil((next.start + 0.1) / FRAME_SEC));
    let best: [number, number] | undefined;
    let runStart = -1;
    for (let f = from; f <= to; f++) {
      const isQuiet = f < to && levels[f]! <= quiet;
      if (isQuiet && runStart < 0) runStart = f;
      if (!isQuiet && runStart >= 0) {
        if (!best || f - runStart > best[1] - best[0]) best = [runStart, f];
        runStart = -1;
      }
    }
    if (best && (best[1] - best[0]) * FRAME_SEC >= MIN_PAUSE_SEC) {
      const last = pauses.at(-1);
      const start = best[0] * FRAME_SEC;
      // Two boundaries cannot claim the same silence (a one-word sentence between two others).
      if (!last || start >= last.end) pauses.push({ kind, start, end: Math.min(best[1] * FRAME_SEC, samples.length / sampleRate) });
    }
  }
  return pauses;
}

/**
 * The changes that bring the audio `deltaSec` closer to its target: every pause moves the same fraction
 * of the way to its bound (longer when delta is positive, shorter when negative), so sections keep their
 * longer breaths. What the bounds cannot absorb is returned as `residualSec`.
 */
export function planPauseChanges(pauses: readonly Pause[], deltaSec: number): { changes: PauseChange[]; residualSec: number } {
  const room = pauses.map((p) => {
    const length = p.end - p.start;
    const bounds = PAUSE_BOUNDS[p.kind];
    return deltaSec >= 0 ? Math.max(0, bounds.max - length) : Math.max(0, length - bounds.min);
  });
  const total = room.reduce((a, b) => a + b, 0);
  const wanted = Math.abs(deltaSec);
  const used = Math.min(total, wanted);
  const share = total > 0 ? used / total : 0;
  const changes: PauseChange[] = [];
  pauses.forEach((p, i) => {
    const amount = room[i]! * share;
    if (amount < 0.001) return;
    const middle = (p.start + p.end) / 2;
    changes.push(deltaSec >= 0 ? { at: middle, seconds: amount } : { at: middle - amount / 2, seconds: -amount });
  });
  return { changes, residualSec: Math.sign(deltaSec) * (wanted - used) };
}

/** The samples with each change made: silence inserted, or the middle of a pause taken out. */
export function applyPauseChanges(samples: Int16Array, sampleRate: number, changes: readonly PauseChange[]): Int16Array {
  const ordered = [...changes].sort((a, b) => a.at - b.at);
  const parts: Int16Array[] = [];
  let cursor = 0;
  for (const c of ordered) {
    const at = Math.min(samples.length, Math.max(cursor, Math.round(c.at * sampleRate)));
    parts.push(samples.subarray(cursor, at));
    const n = Math.round(Math.abs(c.seconds) * sampleRate);
    if (c.seconds > 0) {
      parts.push(new Int16Array(n));
      cursor = at;
    } else {
      cursor = Math.min(samples.length, at + n);
    }
  }
  parts.push(samples.subarray(cursor));
  return concatSamples(parts);
}

/** A time in the audio before the changes, in the audio after them (a time inside a removed stretch lands at its start). */
export function shiftTime(t: number, changes: readonly PauseChange[]): number {
  let shift = 0;
  for (const c of changes) {
    if (c.seconds > 0) {
      if (t > c.at) shift += c.seconds;
    } else if (t > c.at) {
      shift -= Math.min(-c.seconds, t - c.at);
    }
  }
  return t + shift;
}

/** Word timings moved with the pauses around them. */
export function shiftWordTimings(words: readonly WordTiming[], changes: readonly PauseChange[]): WordTiming[] {
  return words.map((w) => ({ ...w, start: shiftTime(w.start, changes), end: shiftTime(w.end, changes) }));
}
