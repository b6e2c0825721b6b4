/**
 * Word timings for speech that comes without them (OpenAI-compatible /v1/audio/speech): the pauses
 * ffmpeg's silencedetect finds split the audio into speech islands, the script's sentence and clause
 * boundaries are matched to those pauses, and the words between two anchors share their span by an
 * estimate of how long each takes to say.
 */
import { runProcess } from '@faceless/runtime';

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

/**
 * Spoken length of a word in letter-like units: a fit of espeak-ng's English and French word
 * durations (about 60 ms a letter, French adding some per vowel group); digits are read out.
 */
export function wordWeight(word: string): number {
  const letters = word.replace(/[^\p{L}]/gu, '');
  const digits = word.replace(/[^\d]/g, '').length;
  const syllables = (letters.match(VOWEL_GROUPS) ?? []).length;
  return 0.4 + letters.length + 0.8 * syllables + 3 * digits;
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

/**
 * Times `words` against the speech islands of their audio. A dynamic programme assigns consecutive
 * word groups to consecutive runs of islands, preferring pauses at sentence and clause ends and
 * groups whose length matches their words' estimated length; each group then spreads its words
 * over its speech time by weight. The result is monotonic, inside [0, durationSec].
 */
export function alignWordsToIslands(words: readonly string[], islandsIn: readonly TimeSpan[], durationSec: number): TimeSpan[] {
  const n = words.length;
  if (n === 0) return [];
  const islands = islandsIn.length > 0 ? islandsIn : [{ start: 0, end: durationSec }];
  const k = islands.length;
  const weights = words.map(wordWeight);
  const breaks = words.map(breakAfter);
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
  if (cost[k]![n] === Infinity) return spreadOver(weights, breaks, [{ start: islands[0]!.start, end: islands[k - 1]!.end }], durationSec);

  const groups: { i: number; i2: number; j: number; j2: number }[] = [];
  for (let i2 = k, j2 = n; i2 > 0;) {
    const i = from[i2]![j2 * 2]!;
    const j = from[i2]![j2 * 2 + 1]!;
    groups.unshift({ i, i2, j, j2 });
    i2 = i;
    j2 = j;
  }
  const out: TimeSpan[] = [];
  for (const g of groups) {
    out.push(...spreadOver(weights.slice(g.j, g.j2), breaks.slice(g.j, g.j2), islands.slice(g.i, g.i2), durationSec));
  }
  return enforceOrder(out, durationSec);
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
  noiseDb?: number;
  minSilenceSec?: number;
}

/** Runs silencedetect on audioFile and times the words against what it finds. */
export async function estimateWordTimings(options: EstimateOptions): Promise<TimeSpan[]> {
  const { stdout, stderr } = await runProcess('ffmpeg', silenceDetectArgs(options.audioFile, options), options.signal ? { signal: options.signal } : {});
  const silences = parseSilenceDetect(stdout || stderr, options.durationSec);
  return alignWordsToIslands(options.words, speechIslands(silences, options.durationSec), options.durationSec);
}
