import { join } from 'node:path';
import { FacelessError, runProcess } from '@faceless/runtime';

/** YouTube plays back at about −14 LUFS; the true-peak ceiling leaves room for the AAC encoder's overshoot. */
export const MIX_TARGET = { integratedLufs: -14, truePeakDbtp: -1, tolerance: 0.5 } as const;
/** The limiter in the mix holds sample peaks here, so that the final small gain keeps true peaks under −1 dBTP. */
const MIX_LIMIT_DB = -3;
/** Where the final limiter holds sample peaks: inter-sample peaks of this material stay within about 0.5 dB above. */
const FINAL_LIMIT_DB = -1.8;
/** Default level of the music bed against the voice (both integrated), before ducking. */
export const DEFAULT_MUSIC_DB = -12;
const SAMPLE_RATE = 48_000;

export interface MusicInput {
  path: string;
  /** For the output's `music.source`: a file name or "generated:<mood>". */
  source: string;
  mood?: string;
}

export interface MixOptions {
  narrationPath: string;
  durationSec: number;
  music: MusicInput | undefined;
  workDir: string;
  signal: AbortSignal;
  warn: (message: string) => void;
  /** Level of the music bed against the voice in LU (negative), before ducking. */
  musicDb?: number;
}

export interface MixResult {
  /** 48 kHz stereo 16-bit WAV. */
  audioPath: string;
  loudness: { integratedLufs: number; truePeakDbtp: number };
  /** The music that is in the mix (undefined when there is none, e.g. it was silent). */
  music: MusicInput | undefined;
}

export interface Ebur128Summary {
  integratedLufs: number;
  truePeakDbtp: number;
}

/** The last summary each named ebur128 instance printed (ffmpeg 5.1 prints an empty one while probing the graph). */
export function parseEbur128Summaries(stderr: string): Map<string, Ebur128Summary> {
  const found = new Map<string, Ebur128Summary>();
  const re = /\[ebur128@(\w+) @ [^\]]+\] Summary:[\s\S]*?I:\s+(-?[\d.]+|-inf) LUFS[\s\S]*?Peak:\s+(-?[\d.]+|-inf) dBFS/g;
  for (const m of stderr.matchAll(re)) {
    const num = (v: string | undefined): number => (v === '-inf' ? -Infinity : Number(v));
    found.set(m[1] ?? '', { integratedLufs: num(m[2]), truePeakDbtp: num(m[3]) });
  }
  return found;
}

const QUIET = ['-hide_banner', '-nostdin', '-nostats'];
/** Silence (and a bed too quiet to matter) measures at ebur128's floor of −70 LUFS. */
const audible = (lufs: number): boolean => Number.isFinite(lufs) && lufs > -69;
const db = (v: number): string => `${v.toFixed(2)}dB`;

/** A named loudness meter; ebur128 passes the audio through, so it can sit anywhere in a chain. */
const meter = (name: string, peak: 'sample' | 'true'): string => `ebur128@${name}=peak=${peak}:framelog=verbose`;

/** Pass 0: the integrated loudness of the voice and of the part of the music that will be used. */
export function measureInputsArgs(o: { narrationPath: string; musicPath?: string; durationSec: number }): string[] {
  if (!o.musicPath) return [...QUIET, '-i', o.narrationPath, '-filter_complex', `[0:a]${meter('voice', 'sample')}[v]`, '-map', '[v]', '-f', 'null', '-'];
  return [
    ...QUIET,
    '-i', o.narrationPath,
    '-stream_loop', '-1', '-t', o.durationSec.toFixed(3), '-i', o.musicPath,
    '-filter_complex', `[0:a]${meter('voice', 'sample')}[v];[1:a]${meter('music', 'sample')}[m]`,
    '-map', '[v]', '-f', 'null', '-',
    '-map', '[m]', '-f', 'null', '-',
  ];
}

export interface MixGraphOptions {
  durationSec: number;
  /** Gain that brings the voice (as dual-mono stereo) to the target. */
  voiceGainDb: number;
  /** Gain of the music bed; undefined for the voice alone. */
  musicGainDb?: number;
}

/** Ducking: the bed drops about 8–12 dB under speech within ~40 ms and comes back over ~0.7 s in pauses. */
export const DUCKING = 'sidechaincompress=threshold=0.03:ratio=4:attack=40:release=700:knee=4:detection=rms:link=maximum';

/**
 * Pass 1's filter graph: the voice at the target level as stereo; the music looped, trimmed,
 * faded, set under the voice and ducked by it; the two summed without amix's 1/n scaling and
 * held under a limiter, and measured on the way out (`ebur128@mix`).
 */
export function mixFilterGraph(o: MixGraphOptions): string {
  const limit = (10 ** (MIX_LIMIT_DB / 20)).toFixed(4);
  const voice = `[0:a]aresample=${SAMPLE_RATE},aformat=sample_fmts=fltp:channel_layouts=mono,pan=stereo|c0=c0|c1=c0,volume=${db(o.voiceGainDb)}`;
  const tail = `alimiter=limit=${limit}:attack=1:release=50:level=false,${meter('mix', 'sample')}[mix]`;
  if (o.musicGainDb === undefined) return `${voice},${tail}`;
  const d = o.durationSec;
  const fadeIn = Math.min(1.5, d / 4);
  const fadeOut = Math.min(3, d / 4);
  const bed = [
    `[1:a]aresample=${SAMPLE_RATE}`,
    'aformat=sample_fmts=fltp:channel_layouts=stereo',
    `atrim=duration=${d.toFixed(3)}`,
    'asetpts=PTS-STARTPTS',
    `volume=${db(o.musicGainDb)}`,
    `afade=t=in:d=${fadeIn.toFixed(2)}`,
    `afade=t=out:st=${(d - fadeOut).toFixed(3)}:d=${fadeOut.toFixed(2)}`,
  ].join(',');
  return [
    `${voice},asplit=2[voice][key]`,
    `${bed}[bed]`,
    `[bed][key]${DUCKING}[ducked]`,
    `[voice][ducked]amix=inputs=2:duration=first:dropout_transition=0:normalize=0,${tail}`,
  ].join(';');
}

/** Pass 1: the mix as 32-bit float WAV, with its loudness. */
export function mixArgs(o: MixGraphOptions & { narrationPath: string; musicPath?: string; output: string }): string[] {
  return [
    ...QUIET, '-y',
    '-i', o.narrationPath,
    ...(o.musicPath && o.musicGainDb !== undefined ? ['-stream_loop', '-1', '-i', o.musicPath] : []),
    '-filter_complex', mixFilterGraph(o),
    '-map', '[mix]', '-c:a', 'pcm_f32le', o.output,
  ];
}

/**
 * Pass 2: one gain to the target (what loudnorm's linear mode applies, at a third of its cost: it
 * resamples to 192 kHz) and a limiter for the rare peak the gain would lift over the ceiling;
 * back to 48 kHz 16-bit, measured on the way out (`ebur128@final`).
 */
export function normalizeArgs(o: { input: string; output: string; gainDb: number; limitDb?: number }): string[] {
  const limit = (10 ** ((o.limitDb ?? FINAL_LIMIT_DB) / 20)).toFixed(4);
  return [
    ...QUIET, '-y', '-i', o.input,
    '-filter_complex', `[0:a]volume=${db(o.gainDb)},alimiter=limit=${limit}:attack=1:release=50:level=false,aresample=${SAMPLE_RATE},${meter('final', 'true')}[out]`,
    '-map', '[out]', '-ar', String(SAMPLE_RATE), '-ac', '2', '-c:a', 'pcm_s16le', o.output,
  ];
}

const withinTarget = (l: Ebur128Summary): boolean =>
  Math.abs(l.integratedLufs - MIX_TARGET.integratedLufs) <= MIX_TARGET.tolerance && l.truePeakDbtp <= MIX_TARGET.truePeakDbtp;

function summary(stderr: string, name: string): Ebur128Summary {
  const s = parseEbur128Summaries(stderr).get(name);
  if (!s) throw new FacelessError('MEDIA_FAILED', `ffmpeg ebur128 printed no loudness summary for the ${name}: check that ffmpeg has the ebur128 filter`);
  return s;
}

/**
 * The narration with the music under it (or alone when `music` is undefined), as 48 kHz stereo
 * WAV at −14 LUFS integrated with true peaks at or under −1 dBTP, and its measured loudness.
 */
export async function mixNarrationWithMusic(options: MixOptions): Promise<MixResult> {
  const { signal, warn } = options;
  const run = async (args: string[]): Promise<string> => (await runProcess('ffmpeg', args, { signal })).stderr;
  let music = options.music;
  const inputs = await run(measureInputsArgs({ narrationPath: options.narrationPath, durationSec: options.durationSec, ...(music ? { musicPath: music.path } : {}) })).catch((err: unknown) => {
    if (!(err instanceof FacelessError) || err.code !== 'MEDIA_FAILED' || !music) throw err;
    throw new FacelessError('MEDIA_FAILED', `the music "${music.source}" or the narration could not be read for mixing: ${err.message}`, { cause: err });
  });
  const voice = summary(inputs, 'voice');
  if (!audible(voice.integratedLufs)) {
    throw new FacelessError('INVALID_INPUT', `the narration ${options.narrationPath} is silent (${voice.integratedLufs} LUFS): render the voice again`, { field: 'audioPath' });
  }
  // Stereo from mono adds 3 LU; aim the voice a little under the target so the music does not push the mix over it.
  const voiceGainDb = MIX_TARGET.integratedLufs - 0.5 - (voice.integratedLufs + 3);
  let musicGainDb: number | undefined;
  if (music) {
    const bed = summary(inputs, 'music');
    if (audible(bed.integratedLufs)) {
      musicGainDb = MIX_TARGET.integratedLufs + (options.musicDb ?? DEFAULT_MUSIC_DB) - bed.integratedLufs;
    } else {
      warn(`the music "${music.source}" is silent (${bed.integratedLufs} LUFS): the narration plays alone`);
      music = undefined;
    }
  }

  const mixPath = join(options.workDir, 'mix-float.wav');
  const mixed = await run(mixArgs({
    narrationPath: options.narrationPath,
    output: mixPath,
    durationSec: options.durationSec,
    voiceGainDb,
    ...(music && musicGainDb !== undefined ? { musicPath: music.path, musicGainDb } : {}),
  }));
  const mix = summary(mixed, 'mix');
  const gainDb = MIX_TARGET.integratedLufs - mix.integratedLufs;
  const audioPath = join(options.workDir, 'mix.wav');
  let loudness = summary(await run(normalizeArgs({ input: mixPath, output: audioPath, gainDb })), 'final');
  if (!withinTarget(loudness)) {
    // A second, measured correction: the gain left to go, and a lower ceiling when the peaks were over.
    const limitDb = FINAL_LIMIT_DB - Math.max(0.5, loudness.truePeakDbtp - MIX_TARGET.truePeakDbtp + 0.3);
    warn(`the normalised mix measured ${loudness.integratedLufs} LUFS, ${loudness.truePeakDbtp} dBTP: correcting it once more`);
    loudness = summary(await run(normalizeArgs({ input: mixPath, output: audioPath, gainDb: gainDb + MIX_TARGET.integratedLufs - loudness.integratedLufs, limitDb })), 'final');
    if (!withinTarget(loudness)) {
      throw new FacelessError('MEDIA_FAILED', `the mix could not be brought to ${MIX_TARGET.integratedLufs} LUFS / ${MIX_TARGET.truePeakDbtp} dBTP (measured ${loudness.integratedLufs} LUFS, ${loudness.truePeakDbtp} dBTP)`);
    }
  }
  return { audioPath, loudness, music };
}

/** The narration alone, normalised like a mix (for `music: false`). */
export function mixNarrationOnly(options: Omit<MixOptions, 'music' | 'musicDb'>): Promise<MixResult> {
  return mixNarrationWithMusic({ ...options, music: undefined });
}
