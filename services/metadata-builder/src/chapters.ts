import { YOUTUBE_LIMITS } from '@faceless/contracts';
import type { Chapter, SegmentTiming } from '@faceless/contracts';
import { cleanTitle, fitTitle } from './youtube-limits.ts';

export interface ChapterOptions {
  /** The video's length: the last chapter runs to it. */
  durationSec: number;
  minSec?: number;
  minCount?: number;
  /** Renames headings, e.g. the script's "Intro"/"Outro" in the video's language. */
  rename?: (heading: string) => string;
}

interface Span {
  start: number;
  end: number;
  title: string;
}

/**
 * Chapters from the spoken segments, as YouTube accepts them: the first at 0:00, each
 * at least 10 s, at least 3, else none. Starts are whole seconds (what the description
 * shows and YouTube reads), so lengths are measured between whole-second starts. A
 * segment too short to stand alone joins its neighbour (the one before it; the first
 * joins the next); the joined chapter keeps the title of the longer part.
 */
export function buildChapters(segments: readonly SegmentTiming[], options: ChapterOptions): Chapter[] {
  const minSec = options.minSec ?? YOUTUBE_LIMITS.chapterMinSec;
  const minCount = options.minCount ?? YOUTUBE_LIMITS.chapterMinCount;
  const end = Math.floor(options.durationSec);
  const rename = options.rename ?? ((h: string) => h);

  const ordered = [...segments].sort((a, b) => a.start - b.start);
  let spans: Span[] = [];
  for (const seg of ordered) {
    const start = spans.length === 0 ? 0 : Math.floor(seg.start);
    if (start >= end) break;
    const title = fitTitle(cleanTitle(rename(seg.heading)));
    const prev = spans[spans.length - 1];
    if (prev && start <= prev.start) {
      prev.title = prev.title || title;
      continue;
    }
    if (prev) prev.end = start;
    spans.push({ start, end, title });
  }

  const length = (s: Span): number => s.end - s.start;
  for (;;) {
    const shortIdx = spans.findIndex((s) => length(s) < minSec || s.title === '');
    if (shortIdx < 0 || spans.length < 2) break;
    const intoIdx = shortIdx === 0 ? 1 : shortIdx - 1;
    const [a, b] = shortIdx < intoIdx ? [spans[shortIdx], spans[intoIdx]] : [spans[intoIdx], spans[shortIdx]];
    if (!a || !b) break;
    const keepTitle = (length(b) > length(a) && b.title) || a.title || b.title;
    const merged: Span = { start: a.start, end: b.end, title: keepTitle };
    const first = Math.min(shortIdx, intoIdx);
    spans = [...spans.slice(0, first), merged, ...spans.slice(first + 2)];
  }

  if (spans.length < minCount || spans.some((s) => length(s) < minSec || s.title === '')) return [];
  return spans.map((s) => ({ start: s.start, title: s.title }));
}

/** "0:00", "4:05", "1:02:03": m:ss under an hour, h:mm:ss from an hour on. */
export function formatTimestamp(totalSeconds: number): string {
  const t = Math.max(0, Math.floor(totalSeconds));
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const s = t % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** The description lines YouTube turns into chapters: "0:00 Title". */
export function chapterLines(chapters: readonly Chapter[]): string[] {
  return chapters.map((c) => `${formatTimestamp(c.start)} ${c.title}`);
}
