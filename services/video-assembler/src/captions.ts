import type { Aspect, CaptionStyle, WordTiming } from '@faceless/contracts';
import type { FrameSize } from './video-format.ts';

/**
 * The family name libass sees in @fontsource/montserrat's 800-weight subset files (fontsource
 * names them "Montserrat Thin ExtraBold"; asking for plain "Montserrat" falls back to DejaVu).
 */
export const CAPTION_FONT = 'Montserrat Thin ExtraBold';

export { CAPTION_STYLES } from '@faceless/contracts';
export type CaptionStyleName = CaptionStyle;

export interface CaptionLayout {
  maxWords: number;
  maxChars: number;
  fontSize: number;
  outline: number;
  shadow: number;
  marginH: number;
  /** Distance from the bottom edge to the baseline of the (bottom-aligned) line. */
  marginV: number;
}

/**
 * Where and how big captions are for each aspect. Shorts: lines of a few words, bottom of the
 * text at 65% of the height, clear of the bottom 20% (title, channel) and the right-side buttons.
 */
const LAYOUT_RATIOS = {
  '9:16': { maxWords: 3, maxChars: 18, font: 0.085, marginH: 120 / 1080, marginV: 0.35 },
  '1:1': { maxWords: 4, maxChars: 20, font: 0.075, marginH: 0.1, marginV: 0.2 },
  '16:9': { maxWords: 6, maxChars: 32, font: 0.04, marginH: 0.1, marginV: 0.1 },
} as const satisfies Record<Aspect, { maxWords: number; maxChars: number; font: number; marginH: number; marginV: number }>;

export function captionLayout(aspect: Aspect, size: FrameSize): CaptionLayout {
  const r = LAYOUT_RATIOS[aspect];
  const fontSize = Math.round(size.width * r.font);
  return {
    maxWords: r.maxWords,
    maxChars: r.maxChars,
    fontSize,
    outline: Math.max(1, Math.round(fontSize * 0.09)),
    shadow: Math.max(1, Math.round(fontSize * 0.04)),
    marginH: Math.round(size.width * r.marginH),
    marginV: Math.round(size.height * r.marginV),
  };
}

/** A new line starts after a pause this long, even if the current one has room. */
const PAUSE_BREAK_SEC = 0.6;
/** A line stays up until the next one when the silence between them is shorter than this (no flicker). */
const HOLD_GAP_SEC = 0.6;
/** After a longer silence, a line lingers this long before it disappears. */
const LINGER_SEC = 0.25;
/** The spoken word is drawn this much larger (percent). */
const HIGHLIGHT_SCALE = 112;
const TEXT_COLOUR = '&H00FFFFFF';
/** #FFD60A; ASS colours are BGR (styles &HAABBGGRR, override tags &HBBGGRR&). */
const HIGHLIGHT_TAG = '\\1c&H0AD6FF&';
const TEXT_TAG = '\\1c&HFFFFFF&';
const OUTLINE_COLOUR = '&H00000000';
const SHADOW_COLOUR = '&H80000000';

const TRAILING_PUNCTUATION = /[.,!?;:…)\]»"”]+$/u;

function letters(text: string): string {
  return text.replace(/[^\p{L}\p{N}]/gu, '');
}

function endsClause(word: WordTiming): boolean {
  return TRAILING_PUNCTUATION.test(word.text) && /[.,!?;:…]/u.test(word.text);
}

/** A one-letter word ("a", "à", "I", "y") would dangle at the end of a line. */
function dangles(word: WordTiming): boolean {
  return letters(word.text).length === 1 && !endsClause(word);
}

function lineChars(words: readonly WordTiming[]): number {
  return words.reduce((n, w, i) => n + w.text.length + (i > 0 ? 1 : 0), 0);
}

/**
 * Groups words into short caption lines: at most `maxWords` words and `maxChars` characters,
 * breaking after punctuation, at pauses and at segment changes, and moving a one-letter word
 * that would end a line onto the next one.
 */
export function groupWords(words: readonly WordTiming[], limits: { maxWords: number; maxChars: number }): WordTiming[][] {
  const groups: WordTiming[][] = [];
  let current: WordTiming[] = [];
  for (const word of words) {
    const prev = current[current.length - 1];
    if (prev) {
      const hardBreak = word.segment !== prev.segment || word.start - prev.end >= PAUSE_BREAK_SEC;
      const full = current.length >= limits.maxWords || lineChars([...current, word]) > limits.maxChars;
      if (hardBreak || full) {
        const carried = !hardBreak && current.length > 1 && dangles(prev) && lineChars([prev, word]) <= limits.maxChars;
        if (carried) current.pop();
        groups.push(current);
        current = carried ? [prev] : [];
      }
    }
    current.push(word);
    if (endsClause(word)) {
      groups.push(current);
      current = [];
    }
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

/** One state of a caption line: the whole line on screen, with `highlight` the word being spoken (-1: none). */
export interface CaptionEvent {
  startCs: number;
  endCs: number;
  words: string[];
  highlight: number;
}

const cs = (sec: number): number => Math.round(sec * 100);

/**
 * Timed caption states. A line shows from its first word's start to its last word's end, held
 * until the next line when the gap is short; with `highlight`, one state per word, from the
 * word's start to the next word's start, so exactly one word is lit at any time.
 */
export function captionEvents(groups: readonly WordTiming[][], options: { highlight: boolean }): CaptionEvent[] {
  const events: CaptionEvent[] = [];
  groups.forEach((group, gi) => {
    const first = group[0];
    const last = group[group.length - 1];
    if (!first || !last) return;
    const nextStart = groups[gi + 1]?.[0]?.start;
    let end = Math.max(last.end, first.start);
    if (nextStart !== undefined) {
      end = nextStart - end < HOLD_GAP_SEC ? nextStart : Math.min(end + LINGER_SEC, nextStart);
    } else {
      end += LINGER_SEC;
    }
    const startCs = cs(first.start);
    const endCs = Math.max(startCs, cs(end));
    const texts = group.map((w) => w.text);
    if (!options.highlight) {
      if (endCs > startCs) events.push({ startCs, endCs, words: texts, highlight: -1 });
      return;
    }
    const bounds = [startCs];
    for (let k = 1; k < group.length; k++) {
      const w = group[k];
      const prevBound = bounds[k - 1] ?? startCs;
      bounds.push(Math.min(endCs, Math.max(prevBound, cs(w?.start ?? 0))));
    }
    bounds.push(endCs);
    for (let k = 0; k < group.length; k++) {
      const from = bounds[k] ?? startCs;
      const to = bounds[k + 1] ?? endCs;
      if (to > from) events.push({ startCs: from, endCs: to, words: texts, highlight: k });
    }
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

/** Approximate advance width of Montserrat ExtraBold, in em, used to shrink lines that would not fit. */
export function estimateTextWidthEm(text: string): number {
  let em = 0;
  for (const ch of text) {
    if (ch === ' ') em += 0.28;
    else if (/[iljtf.,;:!'|]/.test(ch)) em += 0.36;
    else if (/[mwMW]/.test(ch)) em += 0.95;
    else if (/[\p{Lu}\p{N}]/u.test(ch)) em += 0.74;
    else em += 0.62;
  }
  return em;
}

/** The font size that lets the line fit between the margins, even with its longest word enlarged. */
export function fittedFontSize(words: readonly string[], layout: CaptionLayout, width: number): number {
  const longest = Math.max(0, ...words.map(estimateTextWidthEm));
  const em = estimateTextWidthEm(words.join(' ')) + (longest * (HIGHLIGHT_SCALE - 100)) / 100;
  const available = width - 2 * layout.marginH - 2 * layout.outline;
  if (em * layout.fontSize <= available) return layout.fontSize;
  return Math.max(8, Math.floor(available / em));
}

function eventText(event: CaptionEvent, fontSize: number, layout: CaptionLayout): string {
  const prefix = fontSize === layout.fontSize ? '' : `{\\fs${fontSize}}`;
  const body = event.words
    .map((w, i) => {
      const text = escapeAssText(w);
      if (i !== event.highlight) return text;
      return `{${HIGHLIGHT_TAG}\\fscx${HIGHLIGHT_SCALE}\\fscy${HIGHLIGHT_SCALE}}${text}{${TEXT_TAG}\\fscx100\\fscy100}`;
    })
    .join(' ');
  return prefix + body;
}

export interface BuildCaptionsOptions {
  aspect: Aspect;
  size: FrameSize;
  style?: CaptionStyleName;
}

/** The whole ASS subtitle file (UTF-8) for the narration's words, sized for the output frame. */
export function buildAssCaptions(words: readonly WordTiming[], options: BuildCaptionsOptions): string {
  const { size } = options;
  const style = options.style ?? 'highlight';
  const layout = captionLayout(options.aspect, size);
  const header = [
    '[Script Info]',
    '; word-by-word captions made by faceless video-assembler',
    'ScriptType: v4.00+',
    `PlayResX: ${size.width}`,
    `PlayResY: ${size.height}`,
    'WrapStyle: 0',
    'ScaledBorderAndShadow: yes',
    '',
    '[V4+ Styles]',
    'Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding',
    `Style: Caption,${CAPTION_FONT},${layout.fontSize},${TEXT_COLOUR},${TEXT_COLOUR},${OUTLINE_COLOUR},${SHADOW_COLOUR},-1,0,0,0,100,100,0,0,1,${layout.outline},${layout.shadow},2,${layout.marginH},${layout.marginH},${layout.marginV},1`,
    '',
    '[Events]',
    'Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text',
  ];
  if (style === 'none') return `${header.join('\n')}\n`;
  const sorted = [...words].sort((a, b) => a.start - b.start);
  const groups = groupWords(sorted, layout);
  const events = captionEvents(groups, { highlight: style === 'highlight' });
  const lines = events.map((e) => {
    const fontSize = fittedFontSize(e.words, layout, size.width);
    return `Dialogue: 0,${assTime(e.startCs)},${assTime(e.endCs)},Caption,,0,0,0,,${eventText(e, fontSize, layout)}`;
  });
  return `${[...header, ...lines].join('\n')}\n`;
}
