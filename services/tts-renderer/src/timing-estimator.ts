/**
 * Word timings for speech that comes without them (OpenAI-compatible /v1/audio/speech). The audio's
 * level envelope (audio-envelope.ts) gives pauses, which split it into speech islands that the
 * script's sentence and clause boundaries are matched to; inside those anchors each word boundary
 * lands on an acoustic one (a level valley or onset) chosen with the word's expected length and
 * syllable count. silencedetect's parsers remain for callers that time against its output.
 */
import { type Envelope, envelope, FRAME_SEC, type FrameSpan, onsetRise, quietRuns, readPcm, speechLevel, syllableNuclei, valleyDepth } from './audio-envelope.ts';

export interface TimeSpan {
  start: number;
  end: number;
}

export const SILENCE_DEFAULTS = { noiseDb: -35, minSilenceSec: 0.12 } as const;

/** Shortest word the estimate gives (the stage's MIN_WORD_SEC). */
const MIN_WORD_SEC = 0.04;

/** silencedetect, its events printed to stdout by ametadata (stdout is not truncated like stderr's tail). */
export function silenceDetectArgs(input: string, options: { noiseDb?: number; minSilenceSec?: number } = {}): string[] {
  const noise = options.noiseDb ?? SILENCE_DEFAULTS.noiseDb;
  const d = options.minSilenceSec ?? SILENCE_DEFAULTS.minSilenceSec;
  return ['-hide_banner', '-nostats', '-i', input, '-vn', '-af', `silencedetect=noise=${noise}dB:d=${d},ametadata=mode=print:file=-`, '-f', 'null', '-'];
}

/**
 * Silence intervals from silencedetect's output, either its log lines (`silence_start: 1.2`,
 * `silence_end: 1.5 | silence_duration: 0.3`) or ametadata's (`lavfi.silence_start=1.2`).
 * A silence still open at the end of the audio closes at durationSec.
 */
export function parseSilenceDetect(output: string, durationSec: number): TimeSpan[] {
  const out: TimeSpan[] = [];
  let open: number | undefined;
  for (const m of output.matchAll(/silence_(start|end)\s*[:=]\s*(-?\d+(?:\.\d+)?(?:e-?\d+)?)/g)) {
    const t = Math.min(Math.max(Number(m[2]), 0), durationSec);
    if (m[1] === 'start') open ??= t;
    else if (open !== undefined) {
      if (t > open) out.push({ start: open, end: t });
      open = undefined;
    }
  }
  if (open !== undefined && durationSec > open) out.push({ start: open, end: durationSec });
  return out;
}

/** The spans between silences, dropping blips shorter than minIslandSec (clicks, breath noise). */
export function speechIslands(silences: readonly TimeSpan[], durationSec: number, minIslandSec = 0.03): TimeSpan[] {
  const islands: TimeSpan[] = [];
  let from = 0;
  for (const s of [...silences].sort((a, b) => a.start - b.start)) {
    if (s.start - from >= minIslandSec) islands.push({ start: from, end: s.start });
    from = Math.max(from, s.end);
  }
  if (durationSec - from >= minIslandSec) islands.push({ start: from, end: durationSec });
  return islands;
}

export const BREAK = { none: 0, clause: 1, sentence: 2 } as const;
export type BreakStrength = (typeof BREAK)[keyof typeof BREAK];

/** How strongly a speaker pauses after this word, from its trailing punctuation. */
export function breakAfter(word: string): BreakStrength {
  if (/[.!?…]["'»”’)\]]*$/u.test(word)) return BREAK.sentence;
  if (/[,;:—–]["'»”’)\]]*$/u.test(word) || word === '-') return BREAK.clause;
  return BREAK.none;
}

const VOWEL_GROUPS = /[aeiouyàâäáãåæéèêëíìîïóòôöõœúùûüÿ]+/giu;

/** Spoken syllables of a word, from its vowel groups less the silent endings of English and French; a digit counts 1.5. */
export function syllableCount(word: string, lang?: string): number {
  let letters = word.toLowerCase().replace(/[^\p{L}]/gu, '');
  const digits = word.replace(/[^\d]/g, '').length;
  const groups = (w: string): number => (w.match(VOWEL_GROUPS) ?? []).length;
  if (lang === 'fr' && groups(letters) > 1) letters = letters.replace(/([^aeiouyàâäéèêëîïôöûüÿ])(e|es|ent)$/u, '$1');
  if (lang === 'en' && groups(letters) > 1) {
    letters = letters.replace(/([^aeiouy])(e|es|ed)$/u, (m, c: string, end: string) =>
      (c === 'l' && end === 'e') || (end === 'es' && /[sxzhcg]/.test(c)) || (end === 'ed' && /[td]/.test(c)) ? m : c);
  }
  return groups(letters) + 1.5 * digits;
}

/** Letter pairs that are one sound in the supported languages (English, French, Spanish, German, Italian, Portuguese). */
const DIGRAPHS = /th|sh|ch|ph|ck|ng|wh|gh|qu|gn|ll|rr|ss|tt|pp|mm|nn|ff|cc|dd|bb|nh|lh|sch/gu;
const CONSONANTS = /[^aeiouyàâäáãåæéèêëíìîïóòôöõœúùûüÿ]/gu;

/** Extra units for the last word before a clause or sentence break. */
const FINAL_LENGTHENING = [0, 1.5, 2] as const;

/**
 * Spoken length of a word in consonant-like units: consonant sounds (letter pairs such as "th"
 * counted once), 0.8 a syllable, digits read out, plus the lengthening speakers give the last
 * word before a clause or sentence break. A least-squares fit of word durations (relative to each
 * script's mean) in espeak-ng's English, French and Spanish speech; R² 0.82 against 0.66 for letters.
 */
export function wordWeight(word: string, lang?: string): number {
  const letters = word.toLowerCase().replace(/[^\p{L}]/gu, '');
  const consonants = (letters.replace(DIGRAPHS, 'c').match(CONSONANTS) ?? []).length;
  const digits = word.replace(/[^\d]/g, '').length;
  const finalLengthening = FINAL_LENGTHENING[breakAfter(word)];
  return 0.6 + consonants + 0.8 * syllableCount(word, lang) + 4 * digits + finalLengthening;
}

/** Time, in the same units, a speaker leaves after punctuation where no silence was found. */
function innerPauseWeight(strength: BreakStrength): number {
  return strength === BREAK.sentence ? 6 : strength === BREAK.clause ? 4 : 0;
}

/** Cost of a group boundary (a detected pause) after a word, by its punctuation. */
const SPLIT_COST = [2.2, 0.15, 0] as const;
/** Cost of punctuation that no detected pause follows. */
const MISSED_BREAK_COST = [0, 0.5, 2.5] as const;
/** Cost of a detected pause inside a group (stop consonants, hesitations). */
const MERGED_GAP_COST = 0.6;
const MAX_GROUP_WORDS = 60;
const MAX_GROUP_ISLANDS = 12;

interface WordGroup {
  /** Islands [i, i2) hold words [j, j2). */
  i: number;
  i2: number;
  j: number;
  j2: number;
}

/**
 * A dynamic programme assigns consecutive word groups to consecutive runs of islands, preferring
 * pauses at sentence and clause ends and groups whose length matches their words' estimated length.
 * Undefined when no assignment exists (more islands than words).
 */
function groupWordsToIslands(weights: readonly number[], breaks: readonly BreakStrength[], islands: readonly TimeSpan[]): WordGroup[] | undefined {
  const n = weights.length;
  const k = islands.length;
  const cumW = [0];
  for (const w of weights) cumW.push(cumW.at(-1)! + w);
  const speechSec = islands.reduce((t, s) => t + (s.end - s.start), 0);
  const secPerUnit = speechSec / Math.max(cumW[n]!, 1e-9);

  // cost[i][j]: best cost of timing words [0, j) over islands [0, i); from[i][j] the previous state.
  const cost = Array.from({ length: k + 1 }, () => new Float64Array(n + 1).fill(Infinity));
  const from = Array.from({ length: k + 1 }, () => new Int32Array((n + 1) * 2).fill(-1));
  cost[0]![0] = 0;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < n; j++) {
      const base = cost[i]![j]!;
      if (base === Infinity) continue;
      let mergedGaps = 0;
      for (let i2 = i + 1; i2 <= Math.min(k, i + MAX_GROUP_ISLANDS); i2++) {
        if (i2 > i + 1) mergedGaps += MERGED_GAP_COST + (islands[i2 - 1]!.start - islands[i2 - 2]!.end);
        const span = islands[i2 - 1]!.end - islands[i]!.start;
        let inner = 0;
        for (let j2 = j + 1; j2 <= Math.min(n, j + MAX_GROUP_WORDS); j2++) {
          // The last island must end with the last word; the last word must end the last island.
          if ((i2 === k) !== (j2 === n)) {
            inner += MISSED_BREAK_COST[breaks[j2 - 1]!];
            continue;
          }
          const predicted = (cumW[j2]! - cumW[j]!) * secPerUnit;
          const ratio = Math.log(Math.max(span, 0.02) / Math.max(predicted, 0.02));
          const c = base + 4 * ratio * ratio + inner + mergedGaps + (j2 < n ? SPLIT_COST[breaks[j2 - 1]!] : 0);
          if (c < cost[i2]![j2]!) {
            cost[i2]![j2] = c;
            from[i2]![j2 * 2] = i;
            from[i2]![j2 * 2 + 1] = j;
          }
          inner += MISSED_BREAK_COST[breaks[j2 - 1]!];
        }
      }
    }
  }
  if (cost[k]![n] === Infinity) return undefined;
  const groups: WordGroup[] = [];
  for (let i2 = k, j2 = n; i2 > 0;) {
    const i = from[i2]![j2 * 2]!;
    const j = from[i2]![j2 * 2 + 1]!;
    groups.unshift({ i, i2, j, j2 });
    i2 = i;
    j2 = j;
  }
  return groups;
}

/**
 * Times `words` against the speech islands of their audio: word groups are matched to runs of
 * islands (groupWordsToIslands), then each group spreads its words over its speech time by weight.
 * The result is monotonic, inside [0, durationSec].
 */
export function alignWordsToIslands(words: readonly string[], islandsIn: readonly TimeSpan[], durationSec: number): TimeSpan[] {
  const n = words.length;
  if (n === 0) return [];
  const islands = islandsIn.length > 0 ? islandsIn : [{ start: 0, end: durationSec }];
  const weights = words.map((w) => wordWeight(w));
  const breaks = words.map(breakAfter);
  const groups = groupWordsToIslands(weights, breaks, islands);
  if (!groups) return spreadOver(weights, breaks, [{ start: islands[0]!.start, end: islands.at(-1)!.end }], durationSec);
  const out: TimeSpan[] = [];
  for (const g of groups) {
    out.push(...spreadOver(weights.slice(g.j, g.j2), breaks.slice(g.j, g.j2), islands.slice(g.i, g.i2), durationSec));
  }
  return enforceOrder(out, durationSec);
}

/** Constants of alignWordsToEnvelope, chosen on the benchmark's development scripts (bench/caption-timing.ts). */
const ENVELOPE = {
  /** Pause: frames this far below the file's speech level (its 95th-percentile frame), for at least minPauseSec. */
  pauseBelowDb: 26,
  minPauseSec: 0.12,
  /** Weight of a word's duration against its expected share of its group (squared log ratio). */
  durationWeight: 8,
  /** Cost of a word boundary on a frame with no valley, falling to 0 at a valley fullDepthDb deep. */
  boundaryWeight: 1.5,
  fullDepthDb: 6,
  /** Frames each side a valley (and an onset's rise) is measured over. */
  reachFrames: 8,
  /** Share of the boundary evidence that is a rise after the frame (an onset) rather than a valley around it. */
  onsetShare: 0.25,
  /** Cost per syllable of difference between a word's syllables and the syllable nuclei it spans. */
  nucleusWeight: 1,
  nucleusProminenceDb: 2,
  /** Nuclei are at most this far below the speech level of the band below 1 kHz. */
  nucleusBelowDb: 15,
} as const;

export interface EnvelopeAlignOptions {
  /** The script's language (en, fr, es, de, it, pt): sharpens syllable counts (silent endings). */
  lang?: string;
  /** An absolute pause level in dBFS instead of one relative to the file's speech level. */
  pauseDb?: number;
  minPauseSec?: number;
}

/**
 * Times `words` against the frame levels of their audio. Pauses (frames far below the file's
 * speech level) split it into islands, which word groups are matched to as in alignWordsToIslands;
 * inside each group a second dynamic programme places every word boundary on a frame, trading each
 * word's duration against its expected share of the group, the syllable nuclei (level peaks) it
 * spans against its syllables, and rewarding boundaries in level valleys and at onsets, so a start
 * snaps to a real acoustic boundary when one is near. The result is monotonic, inside [0, durationSec].
 */
export function alignWordsToEnvelope(words: readonly string[], env: Envelope, durationSec: number, options: EnvelopeAlignOptions = {}): TimeSpan[] {
  // Tokens with nothing to say ("?" and ":" in French typography, "—") take no time: their
  // punctuation goes to the word before, and they sit where it ends.
  const spoken = words.flatMap((w, k) => (/[\p{L}\p{N}]/u.test(w) ? [k] : []));
  if (spoken.length === 0) return spreadOver(words.map(() => 1), words.map(() => BREAK.none), [{ start: 0, end: durationSec }], durationSec);
  const texts = spoken.map((k, s) => words[k]! + words.slice(k + 1, spoken[s + 1] ?? words.length).join(''));
  const timed = alignSpokenWords(texts, env, durationSec, options);
  const out: TimeSpan[] = [];
  let s = -1;
  for (let k = 0; k < words.length; k++) {
    if (spoken[s + 1] === k) out.push({ ...timed[++s]! });
    else {
      const at = s < 0 ? timed[0]!.start : timed[s]!.end;
      out.push({ start: at, end: at });
    }
  }
  return enforceOrder(out, durationSec);
}

function alignSpokenWords(words: readonly string[], env: Envelope, durationSec: number, options: EnvelopeAlignOptions): TimeSpan[] {
  const n = words.length;
  const { db, lowDb } = env;
  const frames = db.length;
  const threshold = options.pauseDb ?? speechLevel(db) - ENVELOPE.pauseBelowDb;
  const pauses = quietRuns(db, threshold, Math.max(1, Math.round((options.minPauseSec ?? ENVELOPE.minPauseSec) / FRAME_SEC)));
  const islandFrames: FrameSpan[] = [];
  let at = 0;
  for (const p of pauses) {
    // Islands shorter than 30 ms are clicks or breath noise.
    if (p.from - at >= 3) islandFrames.push({ from: at, to: p.from });
    at = Math.max(at, p.to);
  }
  if (frames - at >= 3) islandFrames.push({ from: at, to: frames });
  if (islandFrames.length === 0) islandFrames.push({ from: 0, to: frames });
  const toSec = (f: number): number => Math.min(durationSec, f * FRAME_SEC);
  const islands = islandFrames.map((f) => ({ start: toSec(f.from), end: toSec(f.to) }));

  const breaks = words.map(breakAfter);
  const weights = words.map((w) => wordWeight(w, options.lang));
  const groups = groupWordsToIslands(weights, breaks, islands) ?? [{ i: 0, i2: islands.length, j: 0, j2: n }];

  // speech[f]: island frames before frame f, so a word's duration leaves out the pauses it spans.
  const inIsland = new Uint8Array(frames);
  for (const f of islandFrames) inIsland.fill(1, f.from, f.to);
  const speech = new Int32Array(frames + 1);
  for (let f = 0; f < frames; f++) speech[f + 1] = speech[f]! + inIsland[f]!;
  const valley = valleyDepth(db, ENVELOPE.reachFrames);
  const rise = onsetRise(db, ENVELOPE.reachFrames);
  const boundaryCost = new Float64Array(frames);
  for (let f = 0; f < frames; f++) {
    const evidence = (1 - ENVELOPE.onsetShare) * valley[f]! + ENVELOPE.onsetShare * rise[f]!;
    boundaryCost[f] = inIsland[f] ? ENVELOPE.boundaryWeight * (1 - Math.min(evidence, ENVELOPE.fullDepthDb) / ENVELOPE.fullDepthDb) : 0;
  }
  const nuclei = syllableNuclei(lowDb, ENVELOPE.nucleusProminenceDb, speechLevel(lowDb) - ENVELOPE.nucleusBelowDb);
  const syllables = words.map((w) => syllableCount(w, options.lang));

  const out: TimeSpan[] = [];
  for (const g of groups) {
    const from = islandFrames[g.i]!.from;
    const to = islandFrames[g.i2 - 1]!.to;
    const bounds = placeBoundaries({ weights: weights.slice(g.j, g.j2), syllables: syllables.slice(g.j, g.j2), from, to, speech, nuclei, boundaryCost });
    for (let k = 0; k < bounds.length - 1; k++) {
      // A boundary inside a pause: the word before ends where the pause starts, the next starts where it ends.
      let start = bounds[k]!;
      while (start < to && !inIsland[start]) start++;
      let end = bounds[k + 1]!;
      while (end > start && !inIsland[end - 1]) end--;
      out.push({ start: toSec(start), end: toSec(end) });
    }
  }
  return enforceOrder(out, durationSec);
}

/**
 * Frames [from, to) split among words: boundaries b0 = from < b1 < … < bm = to minimising the sum,
 * over words, of durationWeight × ln²(speech frames / expected frames), plus boundaryCost of each inner boundary.
 */
function placeBoundaries(options: {
  weights: readonly number[];
  syllables: readonly number[];
  from: number;
  to: number;
  /** Prefix counts of island frames and of syllable nuclei, and the cost of a boundary at each frame. */
  speech: Int32Array;
  nuclei: Int32Array;
  boundaryCost: Float64Array;
}): number[] {
  const { weights, syllables, from, to, speech, nuclei, boundaryCost } = options;
  const { durationWeight, nucleusWeight } = ENVELOPE;
  const m = weights.length;
  const len = to - from;
  const totalW = weights.reduce((t, w) => t + w, 0);
  const speechFrames = speech[to]! - speech[from]!;
  if (m === 1 || len < m) return evenBounds(weights, from, to);
  const framesPerUnit = speechFrames / Math.max(totalW, 1e-9);
  const width = len + 1;
  const cost = new Float64Array((m + 1) * width).fill(Infinity);
  const back = new Int32Array((m + 1) * width).fill(-1);
  const logFrames = new Float64Array(len + 1);
  for (let d = 0; d <= len; d++) logFrames[d] = Math.log(Math.max(d, 2));
  // A boundary stays within a band around where the weights alone would put it, which keeps the
  // programme linear in the group's length; 1 s plus a tenth of the group is far wider than the errors.
  const band = Math.round(1 / FRAME_SEC + len / 10);
  cost[0] = 0;
  let cumW = 0;
  for (let k = 0; k < m; k++) {
    const expected = Math.max(weights[k]! * framesPerUnit, 1);
    const logExpected = Math.log(expected);
    const maxFrames = expected * 4 + 10;
    const last = k === m - 1;
    const syl = syllables[k]!;
    cumW += weights[k]!;
    const centre = Math.round((len * cumW) / Math.max(totalW, 1e-9));
    // Word k spans [p0, p); every word keeps at least one frame.
    const pMin = Math.max(k + 1, centre - band);
    const pMax = last ? len : Math.min(len - (m - k - 1), centre + band);
    for (let p = last ? len : pMin; p <= pMax; p++) {
      let best = Infinity;
      let arg = -1;
      const endSpeech = speech[from + p]!;
      const endNuclei = nuclei[from + p]!;
      for (let p0 = p - 1; p0 >= k; p0--) {
        const prev = cost[k * width + p0]!;
        const d = endSpeech - speech[from + p0]!;
        if (d > maxFrames) break;
        if (prev === Infinity) continue;
        const r = logFrames[d]! - logExpected;
        const c = prev + durationWeight * r * r + nucleusWeight * Math.abs(endNuclei - nuclei[from + p0]! - syl);
        if (c < best) {
          best = c;
          arg = p0;
        }
      }
      if (arg < 0) continue;
      cost[(k + 1) * width + p] = best + (last ? 0 : boundaryCost[from + p]!);
      back[(k + 1) * width + p] = arg;
    }
  }
  if (cost[m * width + len] === Infinity) return evenBounds(weights, from, to);
  const bounds = [to];
  for (let k = m, p = len; k > 0; k--) {
    p = back[k * width + p]!;
    bounds.unshift(from + p);
  }
  return bounds;
}

/** Boundaries that share [from, to) by weight. */
function evenBounds(weights: readonly number[], from: number, to: number): number[] {
  const total = weights.reduce((t, w) => t + w, 0);
  const bounds = [from];
  let acc = 0;
  for (const w of weights) {
    acc += w;
    bounds.push(from + Math.round(((to - from) * acc) / Math.max(total, 1e-9)));
  }
  return bounds;
}

/** Lays words end to end over the speech time of `spans` (gaps between spans skipped), by weight. */
function spreadOver(weights: readonly number[], breaks: readonly BreakStrength[], spans: readonly TimeSpan[], durationSec: number): TimeSpan[] {
  const units: { w: number; pause: number }[] = weights.map((w, i) => ({ w, pause: i < weights.length - 1 ? innerPauseWeight(breaks[i]!) : 0 }));
  const total = units.reduce((t, u) => t + u.w + u.pause, 0);
  const speech = spans.reduce((t, s) => t + (s.end - s.start), 0);
  const toTime = (x: number, atEnd: boolean): number => {
    let left = (x / total) * speech;
    for (const [idx, s] of spans.entries()) {
      const len = s.end - s.start;
      // A position exactly on a span border belongs to the earlier span for ends, the later for starts.
      if (left < len || (atEnd && left <= len) || idx === spans.length - 1) return s.start + Math.min(left, len);
      left -= len;
    }
    return spans.at(-1)!.end;
  };
  let at = 0;
  const out = units.map((u) => {
    const span = { start: toTime(at, false), end: toTime(at + u.w, true) };
    at += u.w + u.pause;
    return span;
  });
  return enforceOrder(out, durationSec);
}

function enforceOrder(spans: TimeSpan[], durationSec: number): TimeSpan[] {
  const n = spans.length;
  const min = Math.min(MIN_WORD_SEC, durationSec / Math.max(n, 1));
  let prev = 0;
  for (const s of spans) {
    s.start = Math.max(s.start, prev);
    s.end = Math.max(s.end, s.start + min);
    prev = s.end;
  }
  let next = durationSec;
  for (let i = n - 1; i >= 0; i--) {
    const s = spans[i]!;
    s.end = Math.min(s.end, next);
    s.start = Math.max(0, Math.min(s.start, s.end - min));
    next = s.start;
  }
  return spans;
}

export interface EstimateOptions {
  audioFile: string;
  words: readonly string[];
  durationSec: number;
  signal?: AbortSignal;
  /** The script's language (en, fr, es, de, it, pt), for syllable counts. */
  lang?: string;
  /** An absolute pause level in dBFS; by default 26 dB below the file's speech level. */
  noiseDb?: number;
  /** Shortest pause that separates speech islands (default 0.12 s). */
  minSilenceSec?: number;
}

/** Reads audioFile once into memory (ffmpeg decodes what is not PCM WAV) and times the words against its level envelope. */
export async function estimateWordTimings(options: EstimateOptions): Promise<TimeSpan[]> {
  const audio = await readPcm(options.audioFile, options.signal);
  return alignWordsToEnvelope(options.words, envelope(audio), options.durationSec, {
    ...(options.lang ? { lang: options.lang } : {}),
    ...(options.noiseDb !== undefined ? { pauseDb: options.noiseDb } : {}),
    ...(options.minSilenceSec !== undefined ? { minPauseSec: options.minSilenceSec } : {}),
  });
}
