import { FacelessError, runProcess } from '@faceless/runtime';

/** YouTube plays back at about −14 LUFS; a voice mastered there is neither turned down nor up. */
export const LOUDNESS_TARGET = { integrated: -14, truePeak: -1.5, range: 11 } as const;
export type LoudnessTarget = { integrated: number; truePeak: number; range: number };

export const VOICE_SAMPLE_RATE = 48_000;

/** What loudnorm prints with print_format=json. */
export interface LoudnormStats {
  input_i: number;
  input_tp: number;
  input_lra: number;
  input_thresh: number;
  output_i: number;
  output_tp: number;
  target_offset: number;
  normalization_type: string;
}

function targetFilter(target: LoudnessTarget): string {
  return `loudnorm=I=${target.integrated}:TP=${target.truePeak}:LRA=${target.range}`;
}

/** Where the limiter holds sample peaks, below the true-peak target so that inter-sample peaks stay under it too. */
export const LIMITER_CEILING_DB = -2.5;
/** loudnorm stays linear only while peak-to-loudness ratio is at most target TP − target I (12.5 dB). */
const MAX_LIMITER_PUSH_DB = 3;

/**
 * The gain that brings a measured voice to the target, pushed a little further when its peaks
 * stand too far above its loudness (espeak-ng's pulse-like voice: about 19 dB), so the limiter can
 * shave them and loudnorm then applies one linear gain instead of its pumping dynamic mode.
 */
export function conditioningGainDb(measured: Pick<LoudnormStats, 'input_i' | 'input_tp'>, target: LoudnessTarget = LOUDNESS_TARGET): number {
  const excessPeak = measured.input_tp - measured.input_i - (target.truePeak - target.integrated);
  const push = Math.min(MAX_LIMITER_PUSH_DB, Math.max(0, excessPeak));
  return Math.round((target.integrated - measured.input_i + push) * 100) / 100;
}

/** Resample to 48 kHz, apply the gain, and hold sample peaks with a fast look-ahead limiter. */
export function conditioningFilter(gainDb: number): string {
  const ceiling = (10 ** (LIMITER_CEILING_DB / 20)).toFixed(4);
  return `aresample=${VOICE_SAMPLE_RATE},volume=${gainDb}dB,alimiter=limit=${ceiling}:attack=0.5:release=5:level=false`;
}

/** A measuring pass (print_format=json), optionally after a conditioning filter. */
export function loudnormMeasureArgs(input: string, options: { before?: string; target?: LoudnessTarget } = {}): string[] {
  const measure = `${targetFilter(options.target ?? LOUDNESS_TARGET)}:print_format=json`;
  return ['-hide_banner', '-nostats', '-i', input, '-vn', '-af', options.before ? `${options.before},${measure}` : measure, '-f', 'null', '-'];
}

/** The applying pass: the measured values, linear=true, 48 kHz 16-bit mono WAV out. */
export function loudnormApplyArgs(options: { input: string; output: string; measured: LoudnormStats; before?: string; target?: LoudnessTarget }): string[] {
  const m = options.measured;
  const loudnorm = [
    targetFilter(options.target ?? LOUDNESS_TARGET),
    `measured_I=${m.input_i}`,
    `measured_TP=${m.input_tp}`,
    `measured_LRA=${m.input_lra}`,
    `measured_thresh=${m.input_thresh}`,
    `offset=${m.target_offset}`,
    'linear=true',
    'print_format=json',
  ].join(':');
  return [
    '-hide_banner', '-nostats', '-y', '-i', options.input, '-vn',
    '-af', options.before ? `${options.before},${loudnorm}` : loudnorm,
    '-ar', String(VOICE_SAMPLE_RATE), '-ac', '1', '-c:a', 'pcm_s16le',
    options.output,
  ];
}

/** Resampling alone, for audio too quiet to measure (silence). */
export function resampleArgs(input: string, output: string): string[] {
  return ['-hide_banner', '-nostats', '-y', '-i', input, '-vn', '-ar', String(VOICE_SAMPLE_RATE), '-ac', '1', '-c:a', 'pcm_s16le', output];
}

/** The last JSON block loudnorm wrote to stderr, with numbers parsed ("-inf" becomes -Infinity). */
export function parseLoudnormStats(stderr: string): LoudnormStats {
  const start = stderr.lastIndexOf('{');
  const end = stderr.lastIndexOf('}');
  if (start < 0 || end < start) throw new FacelessError('MEDIA_FAILED', 'ffmpeg loudnorm printed no measurement: check that ffmpeg has the loudnorm filter (ffmpeg 3.1 or newer)');
  let raw: Record<string, string>;
  try {
    raw = JSON.parse(stderr.slice(start, end + 1)) as Record<string, string>;
  } catch (err) {
    throw new FacelessError('MEDIA_FAILED', `ffmpeg loudnorm printed a measurement that is not JSON: ${stderr.slice(start, start + 200)}`, { cause: err });
  }
  const num = (k: string): number => {
    const v = String(raw[k] ?? '').trim();
    if (v === '-inf') return -Infinity;
    if (v === 'inf' || v === '+inf') return Infinity;
    return Number(v);
  };
  return {
    input_i: num('input_i'), input_tp: num('input_tp'), input_lra: num('input_lra'), input_thresh: num('input_thresh'),
    output_i: num('output_i'), output_tp: num('output_tp'), target_offset: num('target_offset'),
    normalization_type: String(raw.normalization_type ?? ''),
  };
}

/** loudnorm's measurement of a file, after an optional conditioning filter; input_i is -Infinity for silence. */
export async function measureLoudness(input: string, options: { before?: string; signal?: AbortSignal } = {}): Promise<LoudnormStats> {
  const { stderr } = await runProcess('ffmpeg', loudnormMeasureArgs(input, options.before ? { before: options.before } : {}), options.signal ? { signal: options.signal } : {});
  return parseLoudnormStats(stderr);
}

const measurable = (m: LoudnormStats): boolean => Number.isFinite(m.input_i) && Number.isFinite(m.input_tp) && Number.isFinite(m.input_thresh);

/**
 * Normalises a voice to the target (−14 LUFS, −1.5 dBTP) as 48 kHz mono 16-bit WAV: measure,
 * condition (gain + limiter), measure again, then loudnorm linearly with those values. Returns
 * the output's integrated loudness as loudnorm measured it, or undefined for silence.
 */
export async function normalizeLoudness(options: { input: string; output: string; signal?: AbortSignal }): Promise<{ lufs: number | undefined }> {
  const signal = options.signal ? { signal: options.signal } : {};
  const raw = await measureLoudness(options.input, signal);
  if (!measurable(raw)) {
    await runProcess('ffmpeg', resampleArgs(options.input, options.output), signal);
    return { lufs: undefined };
  }
  const before = conditioningFilter(conditioningGainDb(raw));
  const measured = await measureLoudness(options.input, { before, ...signal });
  if (!measurable(measured)) throw new FacelessError('MEDIA_FAILED', `loudness of ${options.input} could not be measured after conditioning (${before})`);
  const { stderr } = await runProcess('ffmpeg', loudnormApplyArgs({ input: options.input, output: options.output, measured, before }), signal);
  const applied = parseLoudnormStats(stderr);
  return { lufs: Number.isFinite(applied.output_i) ? applied.output_i : undefined };
}
