/**
 * The loudness of speech over time, in 10 ms frames: what the timing estimator reads pauses,
 * word boundaries and syllable nuclei from. Audio is decoded once, into memory, as 16 kHz mono PCM.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { endianness, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProcess } from '@faceless/runtime';

/** Rate ffmpeg decodes every input to. */
export const DECODE_RATE = 16_000;
/** Frame hop: one level every 10 ms. */
export const FRAME_SEC = 0.01;
/** Analysis window, centred on the frame's time. */
const WINDOW_SEC = 0.025;
/** Level given to digital silence, so logs stay finite. */
export const FLOOR_DB = -100;

export interface PcmAudio {
  /** Mono samples. */
  samples: Int16Array;
  sampleRate: number;
}

export function decodePcmArgs(input: string, output: string): string[] {
  return ['-hide_banner', '-nostats', '-v', 'error', '-i', input, '-vn', '-ac', '1', '-ar', String(DECODE_RATE), '-f', 's16le', '-y', output];
}

/** Little-endian 16-bit samples of a byte range, copied into an aligned array. */
function int16Samples(bytes: Buffer, from: number, to: number): Int16Array {
  const aligned = to - from - ((to - from) % 2);
  if (endianness() === 'LE') return new Int16Array(bytes.buffer.slice(bytes.byteOffset + from, bytes.byteOffset + from + aligned));
  const out = new Int16Array(aligned >> 1);
  for (let i = 0; i < out.length; i++) out[i] = bytes.readInt16LE(from + i * 2);
  return out;
}

/**
 * The audio as 16 kHz mono samples in memory (a minute is about 2 MB). Every format and rate goes
 * through ffmpeg's resampler, so the band the levels are measured over is the same for all: a
 * 22 kHz WAV read directly gave other levels at fricatives and moved word boundaries.
 */
export async function readPcm(audioFile: string, signal?: AbortSignal): Promise<PcmAudio> {
  const dir = await mkdtemp(join(tmpdir(), 'audio-envelope-'));
  try {
    const out = join(dir, 'audio.s16le');
    await runProcess('ffmpeg', decodePcmArgs(audioFile, out), signal ? { signal } : {});
    const bytes = await readFile(out);
    return { samples: int16Samples(bytes, 0, bytes.length - (bytes.length % 2)), sampleRate: DECODE_RATE };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export interface Envelope {
  /** Level of each frame in dBFS (frame t is centred on t × FRAME_SEC), over the whole band. */
  db: Float64Array;
  /** The same, of the band below about 1 kHz, where vowels carry their energy and fricatives little. */
  lowDb: Float64Array;
}

/** One-pole low-pass coefficient for a cut-off frequency. */
function lowPassAlpha(hz: number, sampleRate: number): number {
  return 1 - Math.exp((-2 * Math.PI * hz) / sampleRate);
}

/** Frame levels: mean power over a 25 ms window every 10 ms, in dB. */
export function envelope(audio: PcmAudio): Envelope {
  const { samples, sampleRate } = audio;
  const hop = sampleRate * FRAME_SEC;
  const halfWindow = Math.round((sampleRate * WINDOW_SEC) / 2);
  const n = samples.length;
  const frames = Math.max(1, Math.ceil(n / hop));
  // Prefix sums of power (whole band, and below 1 kHz after two one-pole stages), so each window costs O(1).
  const power = new Float64Array(n + 1);
  const lowPower = new Float64Array(n + 1);
  const a = lowPassAlpha(1000, sampleRate);
  let y1 = 0;
  let y2 = 0;
  for (let i = 0; i < n; i++) {
    const x = samples[i]! / 32768;
    y1 += a * (x - y1);
    y2 += a * (y1 - y2);
    power[i + 1] = power[i]! + x * x;
    lowPower[i + 1] = lowPower[i]! + y2 * y2;
  }
  const db = new Float64Array(frames);
  const lowDb = new Float64Array(frames);
  const toDb = (p: number): number => (p > 1e-10 ? Math.max(FLOOR_DB, 10 * Math.log10(p)) : FLOOR_DB);
  for (let t = 0; t < frames; t++) {
    const centre = Math.round(t * hop);
    const from = Math.max(0, centre - halfWindow);
    const to = Math.min(n, centre + halfWindow);
    const len = Math.max(1, to - from);
    db[t] = toDb((power[to]! - power[from]!) / len);
    lowDb[t] = toDb((lowPower[to]! - lowPower[from]!) / len);
  }
  return { db, lowDb };
}

/** A level near the loud end of the file's frames: the 95th percentile, ignoring digital silence. */
export function speechLevel(db: Float64Array): number {
  const voiced = Array.from(db).filter((x) => x > FLOOR_DB).sort((p, q) => p - q);
  if (voiced.length === 0) return FLOOR_DB;
  return voiced[Math.min(voiced.length - 1, Math.floor(voiced.length * 0.95))]!;
}

export interface FrameSpan {
  /** First frame. */
  from: number;
  /** One past the last frame. */
  to: number;
}

/** Runs of at least minFrames frames quieter than thresholdDb. */
export function quietRuns(db: Float64Array, thresholdDb: number, minFrames: number): FrameSpan[] {
  const out: FrameSpan[] = [];
  let from = -1;
  for (let t = 0; t <= db.length; t++) {
    const quiet = t < db.length && db[t]! < thresholdDb;
    if (quiet && from < 0) from = t;
    else if (!quiet && from >= 0) {
      if (t - from >= minFrames) out.push({ from, to: t });
      from = -1;
    }
  }
  return out;
}

/**
 * How deep a valley each frame sits in, in dB: the lower of the loudest frames within `reach`
 * frames on each side, minus the frame's own level. Zero on slopes and peaks; large between
 * syllables, at closures and at pauses, where words tend to start.
 */
export function valleyDepth(db: Float64Array, reach: number): Float64Array {
  const n = db.length;
  const left = slidingMax(db, reach, -1);
  const right = slidingMax(db, reach, 1);
  const out = new Float64Array(n);
  for (let t = 0; t < n; t++) out[t] = Math.max(0, Math.min(left[t]!, right[t]!) - db[t]!);
  return out;
}

/** Max of db over [t − reach, t] (dir −1) or [t, t + reach] (dir 1), by a monotonic deque. */
function slidingMax(db: Float64Array, reach: number, dir: 1 | -1): Float64Array {
  const n = db.length;
  const out = new Float64Array(n);
  const deque = new Int32Array(n);
  let head = 0;
  let tail = 0;
  for (let k = 0; k < n; k++) {
    const t = dir === 1 ? n - 1 - k : k;
    while (tail > head && db[deque[tail - 1]!]! <= db[t]!) tail--;
    deque[tail++] = t;
    while (Math.abs(deque[head]! - t) > reach) head++;
    out[t] = db[deque[head]!]!;
  }
  return out;
}

/**
 * Syllable nuclei: frames at a local maximum of the level that stand at least prominenceDb above
 * the lowest level on each side before a higher frame, and above floorDb (vowels, not consonant
 * noise). Returns, for each frame f, how many nuclei lie before f (a prefix count).
 */
export function syllableNuclei(db: Float64Array, prominenceDb: number, floorDb: number): Int32Array {
  const n = db.length;
  const before = new Int32Array(n + 1);
  for (let t = 0; t < n; t++) {
    const level = db[t]!;
    let peak = 0;
    if (t > 0 && t < n - 1 && level >= db[t - 1]! && level > db[t + 1]! && level > floorDb) {
      let left = level;
      for (let u = t - 1; u >= 0 && db[u]! <= level && level - left < prominenceDb; u--) left = Math.min(left, db[u]!);
      let right = level;
      for (let u = t + 1; u < n && db[u]! <= level && level - right < prominenceDb; u++) right = Math.min(right, db[u]!);
      if (level - Math.max(left, right) >= prominenceDb) peak = 1;
    }
    before[t + 1] = before[t]! + peak;
  }
  return before;
}

/**
 * How much the level rises within `reach` frames after each frame, in dB, halved unless the frame
 * is the lowest of the two before it: large where a word's first sound begins after a closure or a dip.
 */
export function onsetRise(db: Float64Array, reach: number): Float64Array {
  const n = db.length;
  const ahead = slidingMax(db, reach, 1);
  const out = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    const lowest = db[t]! <= Math.min(db[Math.max(0, t - 1)]!, db[Math.max(0, t - 2)]!) + 1;
    out[t] = Math.max(0, ahead[t]! - db[t]!) * (lowest ? 1 : 0.5);
  }
  return out;
}
