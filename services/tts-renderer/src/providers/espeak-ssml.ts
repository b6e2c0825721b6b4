/** Pure helpers that turn a script's words into espeak-ng SSML with a mark around each word, and marks back into times. */

// Characters XML 1.0 forbids; espeak's SSML parser would stop at them.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const XML_ILLEGAL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/gu;

export function escapeSsmlText(text: string): string {
  return text.replace(XML_ILLEGAL, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** `<mark name="sI"/>word <mark name="eI"/>` for each word: the mark before a word is its start, the one after its end. */
export function buildMarkedSsml(words: readonly string[]): string {
  return `<speak>${words.map((w, i) => `<mark name="s${i}"/>${escapeSsmlText(w)} <mark name="e${i}"/>`).join('')}</speak>`;
}

const SENTENCE_END = /[.!?…]["'»”’)\]]*$/u;

/**
 * Splits words into sentences, returned as [from, to) index ranges. espeak-ng drops the marks
 * that sit between a full stop and the next sentence, so each sentence is synthesised on its own.
 */
export function sentenceRanges(words: readonly string[]): [number, number][] {
  const ranges: [number, number][] = [];
  let from = 0;
  words.forEach((w, i) => {
    if (SENTENCE_END.test(w)) {
      ranges.push([from, i + 1]);
      from = i + 1;
    }
  });
  if (from < words.length) ranges.push([from, words.length]);
  return ranges;
}

export interface MarkSpan {
  startMs: number;
  endMs: number;
}

/**
 * Each word's start and end from the marks espeak reported (name → audio ms). A missing mark
 * falls back to its neighbour (e.g. the previous word's end), then to interpolation between
 * known marks weighted by word length, so a lost event never loses a word.
 */
export function resolveMarkTimes(options: { words: readonly string[]; marks: ReadonlyMap<string, number>; totalMs: number }): MarkSpan[] {
  const { words, marks, totalMs } = options;
  const n = words.length;
  // Boundaries 2i (start of word i) and 2i+1 (its end), with a position in characters for interpolation.
  const times: (number | undefined)[] = [];
  const positions: number[] = [];
  let chars = 0;
  for (let i = 0; i < n; i++) {
    const start = marks.get(`s${i}`) ?? marks.get(`e${i - 1}`);
    const end = marks.get(`e${i}`) ?? marks.get(`s${i + 1}`);
    times.push(start, end);
    positions.push(chars);
    chars += Math.max(1, words[i]!.length);
    positions.push(chars);
  }
  if (times[0] === undefined) times[0] = 0;
  if (times[2 * n - 1] === undefined) times[2 * n - 1] = totalMs;
  let running = 0;
  for (let k = 0; k < times.length; k++) {
    const t = times[k];
    if (t !== undefined) {
      running = Math.max(running, t);
      times[k] = running;
    }
  }
  let a = 0;
  for (let k = 1; k < times.length; k++) {
    if (times[k] === undefined) continue;
    const ta = times[a]!;
    const tb = times[k]!;
    const span = positions[k]! - positions[a]!;
    for (let j = a + 1; j < k; j++) times[j] = span > 0 ? ta + ((tb - ta) * (positions[j]! - positions[a]!)) / span : ta;
    a = k;
  }
  return words.map((_, i) => ({ startMs: times[2 * i]!, endMs: times[2 * i + 1]! }));
}
