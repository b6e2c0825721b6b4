/** A script's words as captions show them: split on whitespace, punctuation kept ("l'océan,", "déçu."). */
export function splitWords(text: string): string[] {
  return text.split(/\s+/u).filter((w) => w.length > 0);
}

export interface SegmentWord {
  text: string;
  segment: number;
}

/** Every word of every segment, in order, with its segment index. */
export function segmentWords(segments: readonly string[]): SegmentWord[] {
  return segments.flatMap((text, segment) => splitWords(text).map((w) => ({ text: w, segment })));
}
