import type { Aspect, CaptionOptions, CaptionPosition, CaptionStyle, WordTiming } from '@faceless/contracts';
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
const BLACK = '&H000000&';

/** `#RRGGBB` as an ASS colour `&HBBGGRR&`. */
export function assColour(hex: string): string {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex.trim());
  if (!m) throw new Error(`"${hex}" is not a #RRGGBB colour`);
  return `&H${m[3]}${m[2]}${m[1]}&`.toUpperCase();
}

/** The named caption sizes, as scales of the style's own size. */
export const CAPTION_SIZE_SCALES = { small: 0.8, medium: 1, large: 1.25 } as const;

/**
 * What a run asks of the captions' look (CaptionOptions with the font resolved): `fontName` is the
 * name libass matches (a family or a face's full name), `bold` whether to ask for its bold weight.
 */
export type CaptionLook = Omit<CaptionOptions, 'font'> & {
  fontName?: string;
  bold?: boolean;
  /** How much wider than Montserrat ExtraBold the font draws (measured by measureFontWidthScale); 1 when absent. */
  widthScale?: number;
};

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
  /** ASS alignment: 2 bottom-centre (anchored at `anchorY`), 8 top-centre (from `anchorY` down), 5 centred on (`anchorX`, `anchorY`). */
  alignment: 2 | 5 | 8;
  position: CaptionPosition;
  anchorX: number;
  anchorY: number;
  /** Largest scale (percent) any word reaches: the highlight or the pop's peak. */
  peakScale: number;
  fontName: string;
  bold: boolean;
  /** Width estimates (calibrated on Montserrat) are multiplied by this for another font. */
  widthScale: number;
  /** ASS colours of the words, of the spoken word (undefined: not lit) and of the outline. */
  colours: { text: string; accent: string | undefined; outline: string };
}

const ALIGNMENT_OF = { top: 8, middle: 5, bottom: 2 } as const satisfies Record<CaptionPosition, CaptionLayout['alignment']>;

function sizeScale(size: CaptionLook['size']): number {
  if (size === undefined) return 1;
  return typeof size === 'number' ? size : CAPTION_SIZE_SCALES[size];
}

export function captionLayout(aspect: Aspect, size: FrameSize, style: CaptionStyle = 'highlight', options: CaptionLook = {}): CaptionLayout {
  const visible: VisibleStyle = style === 'none' ? 'highlight' : style;
  const a = ASPECT_LAYOUT[aspect];
  const look = STYLE_LOOKS[visible];
  const safe = captionSafeArea(aspect, size);
  const fontSize = Math.round(size.width * a.font * look.fontScale * sizeScale(options.size));
  const single = visible === 'single';
  const position = options.position ?? (single ? 'middle' : 'bottom');
  const outline = Math.max(1, Math.round(fontSize * 0.1));
  const shadow = Math.max(1, Math.round(fontSize * 0.05));
  const anchorY = {
    // The outline is drawn outside the glyphs: it must stay below the safe area's top too.
    top: safe.top + outline,
    middle: Math.round((safe.top + safe.bottom) / 2),
    bottom: Math.round(safe.top + (safe.bottom - safe.top) * a.anchor),
  }[position];
  return {
    style: visible,
    safe,
    fontSize,
    minFontSize: Math.max(8, Math.round(fontSize * 0.25)),
    outline,
    shadow,
    maxLines: look.lines,
    maxWords: single ? 1 : look.lines > 1 ? a.blockWords : a.words,
    maxChars: look.lines > 1 ? a.blockChars : a.chars,
    alignment: ALIGNMENT_OF[position],
    position,
    anchorX: Math.round((safe.left + safe.right) / 2),
    anchorY,
    peakScale: look.pop ? POP_PEAK : look.wordScale,
    fontName: options.fontName ?? CAPTION_FONT,
    bold: options.bold ?? true,
    widthScale: Math.max(1, options.widthScale ?? 1),
    colours: {
      text: options.color ? assColour(options.color) : WHITE,
      accent: look.accent === undefined ? undefined : options.highlightColor ? assColour(options.highlightColor) : look.accent,
      outline: options.outlineColor ? assColour(options.outlineColor) : BLACK,
    },
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
  return em * layout.widthScale * fontSize + 2 * layout.outline + layout.shadow;
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
  const { accent, text: fill } = layout.colours;
  const colourSpoken = accent !== undefined && !(layout.style === 'single' && event.lines.flat().length === 1);
  let index = 0;
  const body = event.lines.map((line) => line.map((word) => {
    const text = escapeAssText(look.uppercase ? word.toUpperCase() : word);
    const spoken = index++ === event.highlight;
    if (!spoken || !colourSpoken) return text;
    return `{\\1c${accent}${lit}}${text}{\\1c${fill}${unlit}}`;
  }).join(' ')).join('\\N');
  return (tags.length > 0 ? `{${tags.join('')}}` : '') + body;
}

export interface BuildCaptionsOptions {
  aspect: Aspect;
  size: FrameSize;
  style?: CaptionStyleName;
  /** The narration's language, for line breaks; guessed from the words when absent. */
  lang?: string;
  /** Size, position, colours and font; the style's look where absent. */
  look?: CaptionLook;
}

/** An override colour `&HBBGGRR&` as a style field `&H00BBGGRR` (opaque). */
const styleColour = (colour: string): string => `&H00${colour.slice(2, 8)}`;

/**
 * The captions as the viewer reads them: each one's lines and its time on screen, from its first word
 * to the end of its last state. The ASS script and the SRT/WebVTT files are all built from these.
 */
function captionChunks(words: readonly WordTiming[], layout: CaptionLayout, lang: string | undefined): CaptionChunk[] {
  const sorted = words
    .map((w) => ({ ...w, end: Math.max(w.start, w.end) }))
    .sort((a, b) => a.start - b.start);
  return chunkWords(sorted, layout, lang);
}

/** A caption on screen with its lines as text, for subtitle files. */
export interface CaptionCue {
  startCs: number;
  endCs: number;
  lines: string[];
}

/**
 * The captions of `buildAssCaptions` as cues: the same lines and the same start and end (in
 * centiseconds) as the burned-in states of each caption; `none` lays them out as `highlight`.
 */
export function captionCues(words: readonly WordTiming[], options: BuildCaptionsOptions): CaptionCue[] {
  const layout = captionLayout(options.aspect, options.size, options.style ?? 'highlight', options.look);
  return captionEvents(captionChunks(words, layout, options.lang), { highlight: false })
    .map((e) => ({ startCs: e.startCs, endCs: e.endCs, lines: e.lines.map((l) => l.join(' ')) }));
}

const STYLE_FORMAT = 'Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding';

/** The whole ASS subtitle file (UTF-8) for the narration's words, sized for the output frame; `none` has no events. */
export function buildAssCaptions(words: readonly WordTiming[], options: BuildCaptionsOptions): string {
  const { size } = options;
  const style = options.style ?? 'highlight';
  const layout = captionLayout(options.aspect, size, style, options.look);
  const { safe, colours } = layout;
  const marginV = layout.alignment === 2 ? size.height - layout.anchorY : layout.alignment === 8 ? layout.anchorY : 0;
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
    `Style: Caption,${layout.fontName},${layout.fontSize},${styleColour(colours.text)},${styleColour(colours.text)},${styleColour(colours.outline)},&H80000000,${layout.bold ? -1 : 0},0,0,0,100,100,0,0,1,${layout.outline},${layout.shadow},${layout.alignment},${safe.left},${size.width - safe.right},${marginV},1`,
    '',
    '[Events]',
    'Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text',
  ];
  if (style === 'none') return `${header.join('\n')}\n`;
  const chunks = captionChunks(words, layout, options.lang);
  const events = captionEvents(chunks, { highlight: colours.accent !== undefined });
  const upper = STYLE_LOOKS[layout.style].uppercase;
  const lines = events.map((e) => {
    const fontSize = fittedFontSize(e.lines.map((l) => (upper ? l.map((w) => w.toUpperCase()) : l)), layout);
    return `Dialogue: 0,${assTime(e.startCs)},${assTime(e.endCs)},Caption,,0,0,0,,${eventText(e, fontSize, layout)}`;
  });
  return `${[...header, ...lines].join('\n')}\n`;
}
