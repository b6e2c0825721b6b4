import { FacelessError, runProcess, seededRandom } from '@faceless/runtime';

/** The moods the generated bed can play; every mood word maps to one of them. */
export const MUSIC_MOODS = ['calm', 'upbeat', 'dramatic'] as const;
export type MusicMood = (typeof MUSIC_MOODS)[number];

/** Words that mean each mood, for file names, tags.json and the input's `mood`. */
export const MOOD_WORDS: Readonly<Record<MusicMood, readonly string[]>> = {
  calm: ['calm', 'chill', 'lofi', 'relaxed', 'relaxing', 'ambient', 'soft', 'peaceful', 'gentle', 'mellow', 'quiet', 'piano', 'dreamy', 'warm', 'soothing'],
  upbeat: ['upbeat', 'happy', 'energetic', 'uplifting', 'bright', 'fun', 'positive', 'cheerful', 'pop', 'inspiring', 'motivational', 'corporate', 'playful', 'groovy'],
  dramatic: ['dramatic', 'epic', 'dark', 'tense', 'cinematic', 'suspense', 'mysterious', 'mystery', 'intense', 'serious', 'emotional', 'sad', 'trailer', 'horror'],
};

/** The mood a word stands for, or undefined when it is none of the vocabulary. */
export function canonicalMood(word: string): MusicMood | undefined {
  const w = word.trim().toLowerCase();
  return MUSIC_MOODS.find((mood) => MOOD_WORDS[mood].includes(w));
}

/** One chord: a bass note and the pad's voices, as MIDI note numbers. */
interface Chord {
  bass: number;
  tones: readonly [number, number, number, number];
}

interface MoodStyle {
  /** Seconds each chord lasts (one bar). */
  chordSec: number;
  progressions: readonly (readonly Chord[])[];
  /** Plucked arpeggio notes per chord; none when undefined. */
  arpStepsPerChord?: number;
  /** Swells of the bass per chord (a slow throb); steady when undefined. */
  bassPulsesPerChord?: number;
  /** Low-pass corner of the pad (Hz). */
  lowpassHz: number;
}

const c = (bass: number, tones: Chord['tones']): Chord => ({ bass, tones });

// Voicings avoid semitones between voices: two sines a semitone apart beat audibly (about 20 Hz).
const STYLES: Readonly<Record<MusicMood, MoodStyle>> = {
  calm: {
    chordSec: 4.8,
    lowpassHz: 1800,
    progressions: [
      [c(48, [55, 59, 64, 67]), c(45, [55, 60, 64, 67]), c(41, [57, 60, 64, 69]), c(43, [55, 59, 62, 67])], // Cmaj7 Am7 Fmaj7 G
      [c(50, [57, 62, 66, 69]), c(49, [57, 61, 64, 69]), c(47, [57, 62, 66, 71]), c(43, [59, 62, 66, 67])], // D A/C# Bm7 Gmaj7
      [c(41, [53, 57, 60, 64]), c(40, [55, 59, 62, 64]), c(50, [53, 57, 60, 62]), c(48, [52, 55, 59, 64])], // Fmaj7 Em7 Dm7 Cmaj7
    ],
  },
  upbeat: {
    chordSec: 2.4,
    arpStepsPerChord: 8,
    lowpassHz: 3200,
    progressions: [
      [c(43, [55, 59, 62, 67]), c(50, [57, 62, 66, 69]), c(40, [55, 59, 64, 67]), c(48, [55, 60, 64, 67])], // G D Em C
      [c(45, [57, 60, 64, 69]), c(41, [57, 60, 65, 69]), c(48, [55, 60, 64, 67]), c(43, [55, 59, 62, 67])], // Am F C G
      [c(50, [57, 62, 66, 69]), c(43, [55, 59, 62, 67]), c(47, [54, 59, 62, 66]), c(45, [57, 61, 64, 69])], // D G Bm A
    ],
  },
  dramatic: {
    chordSec: 5.2,
    bassPulsesPerChord: 4,
    lowpassHz: 1400,
    progressions: [
      [c(45, [52, 57, 60, 64]), c(41, [53, 57, 60, 65]), c(48, [52, 55, 60, 64]), c(43, [50, 55, 59, 62])], // Am F C G
      [c(50, [53, 57, 62, 65]), c(43, [55, 58, 62, 67]), c(46, [53, 58, 62, 65]), c(45, [52, 57, 61, 64])], // Dm Gm Bb A
    ],
  },
};


/** A choice by chord index (the value in variable `v`), as nested ifs over a progression. */
function pick(v: string, values: readonly number[]): string {
  const last = values[values.length - 1] ?? 0;
  return values.slice(0, -1).reduceRight<string>((rest, value, i) => `if(eq(${v},${i}),${value},${rest})`, String(last));
}

/** The sample rate the bed is synthesised at; the pad is low-passed well under its Nyquist frequency. */
const SYNTH_RATE = 16_000;

/**
 * The aevalsrc expression of one mono cycle of the progression. Two layers take turns: chord k
 * sounds alone around k·chordSec and crossfades into the next over a third of a bar, each layer
 * changing its pitches only while it is silent, so no change clicks.
 */
export function padExpression(style: MoodStyle, progression: readonly Chord[]): string {
  const n = progression.length;
  const cycle = style.chordSec * n;
  // Whole cycles per loop for every sine, so that the loop's seam has no jump (at most 0.05 Hz off pitch).
  const hz = (midi: number): number => Math.round(Math.round(440 * 2 ** ((midi - 69) / 12) * cycle) / cycle * 10_000) / 10_000;
  const bass = progression.map((ch) => hz(ch.bass));
  const tones = [0, 1, 2, 3].map((v) => progression.map((ch) => hz(ch.tones[v] ?? ch.bass)));
  const voice = (f: string, gain: number): string => `${gain}*sin(ld(9)*${f})`;
  const layer = (v: string): string => {
    const parts = tones.map((t, i) => voice(pick(v, t), [0.3, 0.26, 0.22, 0.18][i] ?? 0.1));
    parts.push(`0.4*${style.bassPulsesPerChord ? 'ld(8)*' : ''}sin(ld(9)*${pick(v, bass)})`);
    return `(${parts.join('+')})`;
  };
  const steps: string[] = [
    `st(9,2*PI*t)`,
    `st(0,t/${style.chordSec})`,
    ...(style.bassPulsesPerChord ? [`st(8,0.55+0.45*pow(cos(PI*t*${style.bassPulsesPerChord / style.chordSec}),2))`] : []),
    // Layer B plays the even chords, layer A the odd ones.
    `st(1,mod(2*floor((ld(0)+1)/2),${n}))`,
    `st(2,mod(2*floor(ld(0)/2)+1,${n}))`,
    `st(3,clip(0.5+cos(PI*ld(0)),0,1))`,
    `st(4,ld(3)*if(gt(ld(3),0),${layer('ld(1)')},0)+(1-ld(3))*if(lt(ld(3),1),${layer('ld(2)')},0))`,
  ];
  // A slow swell of the whole pad, about every 11 s, in whole periods per cycle.
  let out = `ld(4)*(0.8+0.2*sin(ld(9)*${Math.max(1, Math.round(cycle / 11)) / cycle}))`;
  if (style.arpStepsPerChord) {
    const step = style.chordSec / style.arpStepsPerChord;
    // A plucked note of the chord an octave up per step, pattern 1-3-2-4; the envelope is zero at both ends of a step.
    steps.push(`st(5,mod(floor(t/${step}),4))`, `st(6,mod(floor(t/${style.chordSec}+0.5),${n}))`, `st(7,mod(t,${step}))`);
    const pattern = [0, 2, 1, 3];
    const notes = pattern.map((v) => pick('ld(6)', progression.map((ch) => hz((ch.tones[v] ?? ch.bass) + 12))));
    const freq = notes.slice(0, -1).reduceRight<string>((rest, f, s) => `if(eq(ld(5),${s}),${f},${rest})`, notes[notes.length - 1] ?? '0');
    out += `+0.14*min(1,ld(7)*200)*exp(-7*ld(7))*(1-ld(7)/${step})*sin(ld(9)*${freq})`;
  }
  return [...steps, out].join(';');
}

export interface MusicBedPlan {
  mood: MusicMood;
  progression: number;
  durationSec: number;
  output: string;
}

/** Chooses the progression for a mood from a seed, so that one video always gets the same bed. */
export function planMusicBed(options: { mood: MusicMood; durationSec: number; seed: number; output: string }): MusicBedPlan {
  const count = STYLES[options.mood].progressions.length;
  return { mood: options.mood, progression: Math.floor(seededRandom(options.seed)() * count), durationSec: options.durationSec, output: options.output };
}

/** ffmpeg arguments that synthesise one cycle, loop it to the duration and write 48 kHz stereo 16-bit WAV. */
export function musicBedArgs(plan: MusicBedPlan): string[] {
  const style = STYLES[plan.mood];
  const progression = style.progressions[plan.progression % style.progressions.length] ?? style.progressions[0] ?? [];
  const cycle = style.chordSec * progression.length;
  const once = Math.min(plan.durationSec, cycle);
  const cycleSamples = Math.round(cycle * SYNTH_RATE);
  const graph = [
    `aevalsrc='${padExpression(style, progression)}':s=${SYNTH_RATE}:d=${once.toFixed(3)}`,
    `aloop=loop=-1:size=${cycleSamples}`,
    `lowpass=f=${style.lowpassHz}:p=2`,
    'highpass=f=45',
    // A slowly swept 12 ms copy doubles each sine like a second player (cheaper than a detuned oscillator
    // per voice); the chorus filter steps its delay by whole samples and crackles, the flanger interpolates.
    'flanger=delay=12:depth=3:regen=0:width=55:speed=0.23:shape=sinusoidal:interp=quadratic',
    // A small room: a few early reflections and a longer tail, then a touch of stereo width.
    'aecho=in_gain=0.8:out_gain=0.7:delays=67|131|263:decays=0.35|0.25|0.15',
    'pan=stereo|c0=c0|c1=c0',
    'stereowiden=delay=18:feedback=0.25:crossfeed=0.3:drymix=0.85',
    'aresample=48000',
    // The flanger and the echo ring on past the end: trim last.
    `atrim=duration=${plan.durationSec.toFixed(3)}`,
  ].join(',');
  return [
    '-hide_banner', '-nostdin', '-nostats', '-v', 'error', '-y',
    '-f', 'lavfi', '-i', graph,
    '-c:a', 'pcm_s16le', '-ar', '48000', '-ac', '2',
    plan.output,
  ];
}

export interface GeneratedMusic {
  path: string;
  /** What the output's `music.source` says: "generated:<mood>". */
  source: string;
  mood: MusicMood;
}

/** Writes a generated pad (48 kHz stereo WAV) of `durationSec` for a mood; unknown mood words play calm. */
export async function generateMusicBed(options: {
  output: string;
  durationSec: number;
  mood?: string;
  seed?: number;
  signal?: AbortSignal;
  warn?: (message: string) => void;
}): Promise<GeneratedMusic> {
  if (!(options.durationSec > 0)) throw new FacelessError('INVALID_INPUT', `the music bed needs a positive duration, not ${options.durationSec}`, { field: 'durationSec' });
  let mood: MusicMood = 'calm';
  if (options.mood) {
    const known = canonicalMood(options.mood);
    if (known) mood = known;
    else options.warn?.(`mood "${options.mood}" is not one the generated music knows (${MUSIC_MOODS.join(', ')}): playing a calm bed`);
  }
  const plan = planMusicBed({ mood, durationSec: options.durationSec, seed: options.seed ?? 0, output: options.output });
  await runProcess('ffmpeg', musicBedArgs(plan), options.signal ? { signal: options.signal } : {});
  return { path: options.output, source: `generated:${mood}`, mood };
}
