/** Text layout maths for thumbnails: line breaking, the largest size that fits, line positions. */

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Width in pixels of `text` at `fontSize`; the canvas's measureText in production, a formula in tests. */
export type MeasureText = (text: string, fontSize: number) => number;

export interface FitTextOptions {
  words: readonly string[];
  box: Box;
  measure: MeasureText;
  maxLines?: number;
  minSize?: number;
  maxSize?: number;
  /** Distance between baselines, in em. */
  lineHeight?: number;
  /** Extra width per line in em that the glyphs do not report: an outline's stroke, say. */
  padEm?: number;
  /** Height of a capital letter in em: lines are centred on their capitals, not on the em box. */
  capHeight?: number;
  align?: 'left' | 'center';
  /** Sizes within this fraction of the largest count as equal; the most even lines win among them. */
  tieTolerance?: number;
  /** Words a line should not end on (articles, prepositions): such breaks count as this much smaller. */
  keepWithNext?: (word: string) => boolean;
  badBreakPenalty?: number;
}

export interface FittedLine {
  text: string;
  words: string[];
  /** Index of this line's first word in `words`. */
  firstWord: number;
  x: number;
  baseline: number;
  width: number;
}

export interface FittedText {
  fontSize: number;
  lines: FittedLine[];
  /** The block the lines occupy, capitals plus a line gap: what a plate or bar must cover. */
  block: Box;
  /** False when even minSize overflowed the box (the text is still laid out at minSize). */
  fits: boolean;
}

/** Every way to cut the words into 1..maxLines non-empty lines, in order. */
export function lineBreaks(words: readonly string[], maxLines: number): string[][][] {
  const out: string[][][] = [];
  const walk = (start: number, lines: string[][]): void => {
    if (start === words.length) {
      if (lines.length > 0) out.push(lines);
      return;
    }
    if (lines.length === maxLines) return;
    for (let end = start + 1; end <= words.length; end++) {
      walk(end, [...lines, words.slice(start, end)]);
    }
  };
  walk(0, []);
  return out;
}

/**
 * The largest font size at which the words fill the box on at most maxLines lines.
 * Width scales linearly with size, so each candidate break is sized from one
 * measurement at a reference size, then checked (and nudged down) at the real size.
 */
export function fitText(options: FitTextOptions): FittedText {
  const {
    words, box, measure, maxLines = 3, minSize = 40, maxSize = 240, lineHeight = 1.06, padEm = 0,
    capHeight = 0.7, align = 'left', tieTolerance = 0.04, keepWithNext = () => false, badBreakPenalty = 0.15,
  } = options;
  const REF = 100;
  const widthAt = (line: string, size: number): number => measure(line, size) + padEm * size;

  interface Candidate { size: number; score: number; lines: string[][]; evenness: number }
  const candidates: Candidate[] = [];
  for (const lines of lineBreaks(words, maxLines)) {
    const texts = lines.map((l) => l.join(' '));
    const refWidths = texts.map((t) => widthAt(t, REF));
    const widest = Math.max(...refWidths);
    const byWidth = (box.width * REF) / widest;
    const byHeight = box.height / (lines.length * lineHeight);
    let size = Math.floor(Math.min(maxSize, byWidth, byHeight));
    while (size > minSize && texts.some((t) => widthAt(t, size) > box.width)) size--;
    const badBreaks = lines.slice(0, -1).filter((l) => keepWithNext(l[l.length - 1] ?? '')).length;
    const score = size * (1 - badBreakPenalty) ** badBreaks;
    candidates.push({ size, score, lines, evenness: Math.min(...refWidths) / widest });
  }
  const best = Math.max(...candidates.map((c) => c.score));
  const chosen = candidates
    .filter((c) => c.score >= best * (1 - tieTolerance))
    .sort((a, b) => b.evenness - a.evenness || b.score - a.score)[0];
  if (!chosen) throw new Error('fitText needs at least one word');

  const fontSize = Math.max(minSize, chosen.size);
  const step = fontSize * lineHeight;
  const blockHeight = chosen.lines.length * step;
  const top = box.y + (box.height - blockHeight) / 2;
  let firstWord = 0;
  const lines: FittedLine[] = chosen.lines.map((lineWords, i) => {
    const text = lineWords.join(' ');
    const width = measure(text, fontSize);
    const x = align === 'center' ? box.x + (box.width - width) / 2 : box.x + (padEm * fontSize) / 2;
    const capCentre = top + (i + 0.5) * step;
    const line = { text, words: lineWords, firstWord, x, baseline: capCentre + (capHeight * fontSize) / 2, width };
    firstWord += lineWords.length;
    return line;
  });
  const widest = Math.max(...lines.map((l) => l.width)) + padEm * fontSize;
  const blockX = align === 'center' ? box.x + (box.width - widest) / 2 : box.x;
  return {
    fontSize,
    lines,
    block: { x: blockX, y: top, width: widest, height: blockHeight },
    fits: chosen.size >= minSize && lines.every((l) => l.width + padEm * fontSize <= box.width + 0.5),
  };
}
