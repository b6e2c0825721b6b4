import type { Aspect, CaptionStyle, WordTiming } from '@faceless/contracts';
import { detectPhrasingLanguage, phraseChunks } from './caption-phrasing.ts';
import type { CaptionChunk, PhrasingLanguage } from './caption-phrasing.ts';
import type { FrameSize } from './video-format.ts';

export type { CaptionChunk, PhrasingLanguage } from './caption-phrasing.ts';

/**
 * The family name libass sees in @fontsource/montserrat's 800-weight subset files (fontsource
 * names them "Montserrat Thin ExtraBold"; asking for plain "Montserrat" falls back to DejaVu).
 */
export const CAPTION_FONT = 'Montserrat Thin ExtraBold';

export { CAPTION_STYLES } from '@faceless/contracts';
export type CaptionStyleName = CaptionStyle;

/** A rectangle of the frame in pixels (the script's PlayRes is the frame size). */
export interface SafeArea {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/**
 * Where captions may be drawn, as fractions of the frame. Shorts: clear of the top bar, of the
 * bottom 20% (title, channel, description) and of the like/comment/share column on the right.
 */
const SAFE_RATIOS = {
  '9:16': { left: 0.06, top: 0.1, right: 0.85, bottom: 0.8 },
  '1:1': { left: 0.08, top: 0.08, right: 0.92, bottom: 0.9 },
  '16:9': { left: 0.1, top: 0.1, right: 0.9, bottom: 0.92 },
} as const satisfies Record<Aspect, SafeArea>;

export function captionSafeArea(aspect: Aspect, size: FrameSize): SafeArea {
  const r = SAFE_RATIOS[aspect];
  return {
    left: Math.ceil(size.width * r.left),
    top: Math.ceil(size.height * r.top),
    right: Math.floor(size.width * r.right),
    bottom: Math.floor(size.height * r.bottom),
  };
}

/**
 * Per aspect: the base font size (fraction of the frame width), words and characters per line,
 * and where the bottom of bottom-anchored captions sits within the safe area (1: its bottom edge;
 * a Short keeps some room above the title overlay, a landscape video uses a plain lower third).
 */
const ASPECT_LAYOUT = {
  '9:16': { font: 0.082, words: 3, chars: 18, blockWords: 4, blockChars: 20, anchor: 0.8 },
  '1:1': { font: 0.07, words: 4, chars: 22, blockWords: 5, blockChars: 26, anchor: 1 },
  '16:9': { font: 0.034, words: 6, chars: 34, blockWords: 7, blockChars: 40, anchor: 1 },
} as const;

/** ASS colours are BGR: `&HBBGGRR&`. */
const YELLOW = '&H0AD6FF&';
const GREEN = '&H5EDE4A&';
const WHITE = '&HFFFFFF&';

/** How each style looks: lines per caption, size relative to the base, the spoken word's colour and scale. */
const STYLE_LOOKS = {
  highlight: { lines: 1, fontScale: 1, accent: YELLOW, wordScale: 112, pop: false, uppercase: false },
  block: { lines: 2, fontScale: 0.9, accent: GREEN, wordScale: 100, pop: false, uppercase: false },
  single: { lines: 1, fontScale: 1.7, accent: YELLOW, wordScale: 100, pop: true, uppercase: true },
  plain: { lines: 2, fontScale: 0.9, accent: undefined, wordScale: 100, pop: false, uppercase: false },
} as const satisfies Record<Exclude<CaptionStyle, 'none'>, {
  lines: number; fontScale: number; accent: string | undefined; wordScale: number; pop: boolean; uppercase: boolean;
}>;
type VisibleStyle = keyof typeof STYLE_LOOKS;

/** The `single` pop: from 70% to 110% and back to 100% in the word's first 150 ms. */
const POP_TAGS = '\\fscx70\\fscy70\\t(0,80,\\fscx110\\fscy110)\\t(80,150,\\fscx100\\fscy100)';
const POP_PEAK = 110;

export interface CaptionLayout {
  style: VisibleStyle;
  safe: SafeArea;
  fontSize: number;
  /** Below this a word that alone is too wide is not shrunk further. */
  minFontSize: number;
  outline: number;
  shadow: number;
  maxLines: number;
  maxWords: number;
  maxChars: number;
  /** ASS alignment: 2 bottom-centre (anchored at `anchorY`), 5 centred on (`anchorX`, `anchorY`). */
  alignment: 2 | 5;
  anchorX: number;
  anchorY: number;
  /** Largest scale (percent) any word reaches: the highlight or the pop's peak. */
  peakScale: number;
}

export function captionLayout(aspect: Aspect, size: FrameSize, style: CaptionStyle = 'highlight'): CaptionLayout {
  const visible: VisibleStyle = style === 'none' ? 'highlight' : style;
  const a = ASPECT_LAYOUT[aspect];
  const look = STYLE_LOOKS[visible];
  const safe = captionSafeArea(aspect, size);
  const fontSize = Math.round(size.width * a.font * look.fontScale);
  const single = visible === 'single';
  return {
    style: visible,
    safe,
    fontSize,
    minFontSize: Math.max(8, Math.round(fontSize * 0.25)),
    outline: Math.max(1, Math.round(fontSize * 0.1)),
    shadow: Math.max(1, Math.round(fontSize * 0.05)),
    maxLines: look.lines,
    maxWords: single ? 1 : look.lines > 1 ? a.blockWords : a.words,
    maxChars: look.lines > 1 ? a.blockChars : a.chars,
    alignment: single ? 5 : 2,
    anchorX: Math.round((safe.left + safe.right) / 2),
    anchorY: single ? Math.round((safe.top + safe.bottom) / 2) : Math.round(safe.top + (safe.bottom - safe.top) * a.anchor),
    peakScale: look.pop ? POP_PEAK : look.wordScale,
  };
}

/**
 * Advance width of Montserrat ExtraBold as libass draws it, per unit of ASS font size; measured
 * on libass renders and rounded up about 15% so that estimates err on the wide side.
 */
export function estimateTextWidthEm(text: string): number {
  let em = 0;
  for (const ch of text) {
    if (ch === ' ') em += 0.22;
    else if (/[ijlI.,;:!'’|]/u.test(ch)) em += 0.24;
    else if (/[tfr1"“”]/u.test(ch)) em += 0.33;
    else if (/[mw]/u.test(ch)) em += 0.72;
    else if (/[MWŒÆœæ@%—]/u.test(ch)) em += 0.86;
    else if (/[\p{Lu}\p{N}]/u.test(ch)) em += 0.6;
    else if (/[\p{Script=Latin}\p{P}]/u.test(ch)) em += 0.47;
    // Other scripts come from a fallback font: assume a full square.
    else em += 1;
  }
  return em;
}

/** Width in pixels of a line at `fontSize`, with its widest word at `peakScale` percent, outline included. */
function lineWidth(words: readonly string[], fontSize: number, layout: CaptionLayout): number {
  const widest = Math.max(0, ...words.map(estimateTextWidthEm));
  const em = estimateTextWidthEm(words.join(' ')) + (widest * (layout.peakScale - 100)) / 100;
  return em * fontSize + 2 * layout.outline + layout.shadow;
}

function availableWidth(layout: CaptionLayout): number {
  return layout.safe.right - layout.safe.left;
}

/** The font size that lets every line fit the safe width (the base size when they already do). */
export function fittedFontSize(lines: readonly (readonly string[])[], layout: CaptionLayout): number {
  const widest = Math.max(0, ...lines.map((l) => lineWidth(l, layout.fontSize, layout)));
  if (widest <= availableWidth(layout)) return layout.fontSize;
  const chrome = 2 * layout.outline + layout.shadow;
  const scale = (availableWidth(layout) - chrome) / (widest - chrome);
  return Math.max(layout.minFontSize, Math.floor(layout.fontSize * scale));
}

function phrasingLanguage(words: readonly WordTiming[], lang: string | undefined): PhrasingLanguage | undefined {
  if (lang === undefined) return detectPhrasingLanguage(words);
  return lang === 'en' || lang === 'fr' ? lang : undefined;
}

/**
 * Splits words into captions laid out for `layout` (lines, words, characters and width). `lang`
 * picks the stop list (en, fr; other languages break at punctuation and pauses); guessed when absent.
 */
export function chunkWords(words: readonly WordTiming[], layout: CaptionLayout, lang?: string): CaptionChunk[] {
  const upper = STYLE_LOOKS[layout.style].uppercase;
  return phraseChunks(words, {
    maxLines: layout.maxLines,
    maxWordsPerLine: layout.maxWords,
    maxCharsPerLine: layout.maxChars,
    fits: (line) => lineWidth((upper ? line.toUpperCase() : line).split(' '), layout.fontSize, layout) <= availableWidth(layout),
    lang: phrasingLanguage(words, lang),
  });
}

/** One-line captions (the `highlight` grouping), for callers that only need the word groups. */
export function groupWords(words: readonly WordTiming[], limits: { maxWords: number; maxChars: number }): WordTiming[][] {
  return phraseChunks(words, {
    maxLines: 1,
    maxWordsPerLine: limits.maxWords,
    maxCharsPerLine: limits.maxChars,
    lang: detectPhrasingLanguage(words),
  }).map((lines) => lines.flat());
}

/** One state of a caption: its lines on screen and `highlight` the index (over all its words) of the word lit, -1 none. */
export interface CaptionEvent {
  startCs: number;
  endCs: number;
  lines: string[][];
  highlight: number;
  /** The caption's first state (where `single` pops). */
  first: boolean;
}

/** Adjacent captions and words closer than this are joined: no flicker, no unlit blink between words. */
export const HOLD_GAP_SEC = 0.3;
/** Before a silence, a caption stays this long after its last word (lit), so it never vanishes mid-glance. */
export const LINGER_SEC = 0.25;

const cs = (sec: number): number => Math.round(sec * 100);

/**
 * Timed caption states. A caption shows from its first word's start to its last word's end plus
 * LINGER_SEC, held until the next caption when less than HOLD_GAP_SEC of blank would remain;
 * with `highlight`, one state per word, lit from its start to its end or to the next word's
 * start when that is close (the last word through the linger).
 */
export function captionEvents(chunks: readonly CaptionChunk[], options: { highlight: boolean }): CaptionEvent[] {
  const events: CaptionEvent[] = [];
  chunks.forEach((lines, ci) => {
    const words = lines.flat();
    const first = words[0];
    if (!first) return;
    const nextStart = chunks[ci + 1]?.[0]?.[0]?.start;
    let endSec = Math.max(first.start, ...words.map((w) => w.end)) + LINGER_SEC;
    if (nextStart !== undefined && nextStart - endSec < HOLD_GAP_SEC) endSec = nextStart;
    const startCs = cs(first.start);
    const endCs = Math.max(startCs, cs(endSec));
    const texts = lines.map((l) => l.map((w) => w.text));
    const push = (from: number, to: number, highlight: number): void => {
      if (to > from) events.push({ startCs: from, endCs: to, lines: texts, highlight, first: from === startCs });
    };
    if (!options.highlight) return push(startCs, endCs, -1);
    let cursor = startCs;
    words.forEach((w, k) => {
      const from = Math.min(endCs, Math.max(cursor, cs(w.start)));
      push(cursor, from, -1);
      const next = words[k + 1];
      const untilSec = !next ? endSec : next.start - w.end < HOLD_GAP_SEC ? next.start : Math.min(w.end, next.start);
      const to = Math.min(endCs, Math.max(from, cs(untilSec)));
      push(from, to, k);
      cursor = Math.max(from, to);
    });
    push(cursor, endCs, -1);
  });
  return events;
}

/** Escapes text for an ASS Dialogue line: braces would open override blocks, a backslash could form \N, \h… */
export function escapeAssText(text: string): string {
  return text
    .replace(/[\r\n\t]+/g, ' ')
    // A word joiner after each backslash keeps it literal and is invisible (and needs no glyph).
    .replace(/\\/g, '\\\u2060')
    .replace(/\{/g, '\\{')
    .replace(/\}/g, '\\}');
}

/** ASS time: H:MM:SS.cc */
export function assTime(centiseconds: number): string {
  const total = Math.max(0, Math.round(centiseconds));
  const h = Math.floor(total / 360_000);
  const m = Math.floor((total % 360_000) / 6000);
  const s = Math.floor((total % 6000) / 100);
  const c = total % 100;
  return `${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}.${String(c).padStart(2, '0')}`;
}

function eventText(event: CaptionEvent, fontSize: number, layout: CaptionLayout): string {
  const look = STYLE_LOOKS[layout.style];
  const tags: string[] = [];
  if (layout.alignment === 5) tags.push(`\\an5\\pos(${layout.anchorX},${layout.anchorY})`);
  if (fontSize !== layout.fontSize) tags.push(`\\fs${fontSize}`);
  if (look.pop && event.first) tags.push(POP_TAGS);
  const lit = look.wordScale === 100 ? '' : `\\fscx${look.wordScale}\\fscy${look.wordScale}`;
  const unlit = look.wordScale === 100 ? '' : '\\fscx100\\fscy100';
  // A lone word of `single` is the spoken word by construction: white reads best at that size.
  const colourSpoken = look.accent !== undefined && !(layout.style === 'single' && event.lines.flat().length === 1);
  let index = 0;
  const body = event.lines.map((line) => line.map((word) => {
    const text = escapeAssText(look.uppercase ? word.toUpperCase() : word);
    const spoken = index++ === event.highlight;
    if (!spoken || !colourSpoken) return text;
    return `{\\1c${look.accent}${lit}}${text}{\\1c${WHITE}${unlit}}`;
  }).join(' ')).join('\\N');
  return (tags.length > 0 ? `{${tags.join('')}}` : '') + body;
}

export interface BuildCaptionsOptions {
  aspect: Aspect;
  size: FrameSize;
  style?: CaptionStyleName;
  /** The narration's language, for line breaks; guessed from the words when absent. */
  lang?: string;
}

const STYLE_FORMAT = 'Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding';

/** The whole ASS subtitle file (UTF-8) for the narration's words, sized for the output frame; `none` has no events. */
export function buildAssCaptions(words: readonly WordTiming[], options: BuildCaptionsOptions): string {
  const { size } = options;
  const style = options.style ?? 'highlight';
  const layout = captionLayout(options.aspect, size, style);
  const { safe } = layout;
  const marginV = layout.alignment === 2 ? size.height - layout.anchorY : 0;
  const header = [
    '[Script Info]',
    `; word-by-word captions (${style}) made by faceless video-assembler`,
    'ScriptType: v4.00+',
    `PlayResX: ${size.width}`,
    `PlayResY: ${size.height}`,
    // Lines are broken here, never by the renderer.
    'WrapStyle: 2',
    'ScaledBorderAndShadow: yes',
    '',
    '[V4+ Styles]',
    STYLE_FORMAT,
    `Style: Caption,${CAPTION_FONT},${layout.fontSize},&H00FFFFFF,&H00FFFFFF,&H00000000,&H80000000,-1,0,0,0,100,100,0,0,1,${layout.outline},${layout.shadow},${layout.alignment},${safe.left},${size.width - safe.right},${marginV},1`,
    '',
    '[Events]',
    'Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text',
  ];
  if (style === 'none') return `${header.join('\n')}\n`;
  const sorted = words
    .map((w) => ({ ...w, end: Math.max(w.start, w.end) }))
    .sort((a, b) => a.start - b.start);
  const chunks = chunkWords(sorted, layout, options.lang);
  const events = captionEvents(chunks, { highlight: STYLE_LOOKS[layout.style].accent !== undefined });
  const upper = STYLE_LOOKS[layout.style].uppercase;
  const lines = events.map((e) => {
    const fontSize = fittedFontSize(e.lines.map((l) => (upper ? l.map((w) => w.toUpperCase()) : l)), layout);
    return `Dialogue: 0,${assTime(e.startCs)},${assTime(e.endCs)},Caption,,0,0,0,,${eventText(e, fontSize, layout)}`;
  });
  return `${[...header, ...lines].join('\n')}\n`;
}
