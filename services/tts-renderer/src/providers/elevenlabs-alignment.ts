import { FacelessError } from '@faceless/runtime';
import type { SegmentWord } from '../script-words.ts';

/** ElevenLabs' per-character timings, as in its with-timestamps response. */
export interface CharacterAlignment {
  characters: readonly string[];
  character_start_times_seconds: readonly number[];
  character_end_times_seconds: readonly number[];
}

export interface WordSpan {
  start: number;
  end: number;
}

/**
 * Times each word from the characters spoken in it. Characters are matched by position among
 * the non-space characters, so punctuation and accents stay with their word ("l'océan,"); if the
 * provider's character count differs from the text's, positions are scaled rather than lost.
 */
export function groupCharactersIntoWords(words: readonly string[], alignment: CharacterAlignment): WordSpan[] {
  const chars: WordSpan[] = [];
  alignment.characters.forEach((c, i) => {
    if (/^\s*$/u.test(c)) return;
    const start = alignment.character_start_times_seconds[i];
    const end = alignment.character_end_times_seconds[i];
    if (start === undefined || end === undefined) return;
    chars.push({ start, end: Math.max(start, end) });
  });
  if (words.length === 0) return [];
  if (chars.length === 0) throw new FacelessError('PROVIDER_BAD_RESPONSE', 'ElevenLabs returned no character timings for a text with words');
  const lengths = words.map((w) => [...w].filter((c) => !/\s/u.test(c)).length || 1);
  const total = lengths.reduce((a, b) => a + b, 0);
  const m = chars.length;
  let before = 0;
  return lengths.map((len) => {
    const from = Math.min(m - 1, Math.floor((before * m) / total));
    const to = Math.min(m, Math.max(from + 1, Math.floor(((before + len) * m) / total)));
    before += len;
    return { start: chars[from]!.start, end: chars[to - 1]!.end };
  });
}

export interface TextChunk {
  /** Words joined by spaces, segments by a blank line (a paragraph pause). */
  text: string;
  words: SegmentWord[];
}

const SENTENCE_END = /[.!?…]["'»”’)\]]*$/u;

export function chunkText(words: readonly SegmentWord[]): string {
  return words.map((w, i) => (i === 0 ? '' : words[i - 1]!.segment === w.segment ? ' ' : '\n\n') + w.text).join('');
}

/** Splits the script into requests below maxChars, at sentence or segment ends (at words only for a sentence that long). */
export function chunkWords(words: readonly SegmentWord[], maxChars = 9000): TextChunk[] {
  const sentences: SegmentWord[][] = [];
  let current: SegmentWord[] = [];
  words.forEach((w, i) => {
    current.push(w);
    const next = words[i + 1];
    if (!next || next.segment !== w.segment || SENTENCE_END.test(w.text)) {
      sentences.push(current);
      current = [];
    }
  });
  const units = sentences.flatMap((s) => (chunkText(s).length <= maxChars ? [s] : pack(s.map((w) => [w]), maxChars)));
  return pack(units, maxChars).map((c) => ({ text: chunkText(c), words: c }));
}

/** Greedily joins units while the joined text stays within maxChars. */
function pack(units: readonly SegmentWord[][], maxChars: number): SegmentWord[][] {
  const out: SegmentWord[][] = [];
  let open: SegmentWord[] = [];
  let length = 0;
  for (const unit of units) {
    const first = unit[0];
    const last = open.at(-1);
    const unitLength = chunkText(unit).length;
    const joined = last && first ? length + (last.segment === first.segment ? 1 : 2) + unitLength : unitLength;
    if (open.length > 0 && joined > maxChars) {
      out.push(open);
      open = [...unit];
      length = unitLength;
    } else {
      open.push(...unit);
      length = joined;
    }
  }
  if (open.length > 0) out.push(open);
  return out;
}
