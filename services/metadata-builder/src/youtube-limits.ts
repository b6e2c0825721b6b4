import { YOUTUBE_LIMITS } from '@faceless/contracts';
import type { VideoMetadata } from '@faceless/contracts';

/*
 * YouTube's metadata limits (Data API v3, videos resource) and the functions that keep
 * metadata inside them.
 *
 * How characters are counted: titles and tags count Unicode code points ([...s].length),
 * not UTF-16 units (JS .length), so "é" is 1 and "🐙" is 1 (JS says 2). An emoji built
 * from several code points (👨‍👩‍👧 is 5) counts as all of them, which errs on the safe
 * side of a grapheme count. Cuts never split a grapheme (Intl.Segmenter). The
 * description limit is 5000 bytes of UTF-8, so there "é" costs 2 and "🐙" 4.
 */

export const YOUTUBE_TITLE_CHARS: number = YOUTUBE_LIMITS.titleChars;

/** The longest single tag accepted here; YouTube documents only the 500-character total. */
export const MAX_TAG_CHARS = 100;

export interface MetadataProblem {
  field: 'title' | 'titleAlternatives' | 'description' | 'tags' | 'hashtags' | 'chapters' | 'categoryId';
  message: string;
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

export function codePointLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

export function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** The tags' length as YouTube counts it: the tags, the commas between them, and two quotes around any tag with a space. */
export function tagsLength(tags: readonly string[]): number {
  if (tags.length === 0) return 0;
  const chars = tags.reduce((n, t) => n + codePointLength(t) + (/\s/u.test(t) ? 2 : 0), 0);
  return chars + tags.length - 1;
}

/** YouTube refuses < and > in titles and descriptions: they become the look-alike ‹ and ›. */
export function replaceAngleBrackets(text: string): string {
  return text.replace(/</g, '‹').replace(/>/g, '›');
}

/** One line of text: NFC, no control characters, single spaces, no angle brackets. */
export function cleanTitle(text: string): string {
  return replaceAngleBrackets(text.normalize('NFC').replace(/[\p{Cc}\p{Zl}\p{Zp}]+/gu, ' ').replace(/\s+/gu, ' ').trim());
}

/** Multi-line text: NFC, \n line ends, no trailing spaces, at most one blank line in a row, no angle brackets. */
export function cleanDescription(text: string): string {
  return replaceAngleBrackets(
    text.normalize('NFC')
      .replace(/\r\n?/g, '\n')
      .replace(/[^\S\n]+$/gmu, '')
      .replace(/\n{3,}/g, '\n\n')
      .trim(),
  );
}

/** Punctuation a cut title must not end on: separators and opening marks. */
const DANGLING = /[\s,;:\-–—/\\|&+([{«“‘·•]+$/u;

/** The longest prefix of whole graphemes within `fits`, as a string. */
function takeGraphemes(text: string, fits: (candidate: string) => boolean): string {
  let out = '';
  for (const { segment } of graphemes.segment(text)) {
    if (!fits(out + segment)) break;
    out += segment;
  }
  return out;
}

/**
 * A title within the limit: cleaned, then, when too long, cut at the last word boundary
 * that fits, with trailing separators removed ("Octopuses: the" → "Octopuses" is up to
 * the caller's words; this never leaves "Octopuses:"). A single word longer than the
 * limit is cut between graphemes.
 */
export function fitTitle(title: string, maxChars: number = YOUTUBE_LIMITS.titleChars): string {
  const clean = cleanTitle(title);
  if (codePointLength(clean) <= maxChars) return clean.replace(DANGLING, '') || clean;
  const prefix = takeGraphemes(clean, (s) => codePointLength(s) <= maxChars);
  const cutInWord = /\S$/u.test(prefix) && /^\S/u.test(clean.slice(prefix.length));
  const lastSpace = prefix.search(/\s\S*$/u);
  const atWord = cutInWord && lastSpace > 0 ? prefix.slice(0, lastSpace) : prefix;
  return atWord.replace(DANGLING, '').trim() || prefix.trim();
}

/**
 * A description within the byte limit: cleaned, then, when too long, cut between
 * graphemes (never inside a multi-byte character), preferably at a line or word end.
 */
export function fitDescription(description: string, maxBytes: number = YOUTUBE_LIMITS.descriptionBytes): string {
  const clean = cleanDescription(description);
  if (utf8Length(clean) <= maxBytes) return clean;
  const prefix = takeGraphemes(clean, (s) => utf8Length(s) <= maxBytes);
  const lineEnd = prefix.lastIndexOf('\n');
  if (lineEnd > prefix.length * 0.8) return prefix.slice(0, lineEnd).trimEnd();
  const wordEnd = prefix.search(/\s\S*$/u);
  if (wordEnd > prefix.length * 0.9 && /\S/u.test(clean.charAt(prefix.length))) return prefix.slice(0, wordEnd).trimEnd();
  return prefix.trimEnd();
}

/** A tag as YouTube keeps it: one line, single spaces, no commas (they separate tags), no angle brackets. */
export function cleanTag(tag: string): string {
  return tag.normalize('NFC').replace(/[<>,"\p{Cc}]+/gu, ' ').replace(/\s+/gu, ' ').trim();
}

/**
 * Tags within the limits. `tags` is in priority order, first = most important: empty,
 * over-long and duplicate (case-insensitive) tags go, then each tag is kept if it still
 * fits the total, so a long low-priority tag gives way to shorter ones after it.
 */
export function fitTags(tags: readonly string[], maxTotal: number = YOUTUBE_LIMITS.tagsChars): string[] {
  const seen = new Set<string>();
  const kept: string[] = [];
  let total = 0;
  for (const raw of tags) {
    const tag = cleanTag(raw);
    const key = tag.toLocaleLowerCase();
    if (!tag || seen.has(key) || codePointLength(tag) > MAX_TAG_CHARS) continue;
    const cost = codePointLength(tag) + (/\s/u.test(tag) ? 2 : 0) + (kept.length > 0 ? 1 : 0);
    if (total + cost > maxTotal) continue;
    seen.add(key);
    kept.push(tag);
    total += cost;
  }
  return kept;
}

/** Every way the metadata breaks YouTube's rules; empty when it is safe to send. */
export function validateMetadata(meta: VideoMetadata): MetadataProblem[] {
  const problems: MetadataProblem[] = [];
  const titleLen = codePointLength(meta.title);
  if (meta.title.trim() === '') problems.push({ field: 'title', message: 'title is empty' });
  if (titleLen > YOUTUBE_LIMITS.titleChars) {
    problems.push({ field: 'title', message: `title is ${titleLen} characters, over YouTube's ${YOUTUBE_LIMITS.titleChars}: shorten it` });
  }
  if (/[<>]/.test(meta.title)) problems.push({ field: 'title', message: 'title contains < or >, which YouTube rejects' });
  meta.titleAlternatives.forEach((alt, i) => {
    if (alt.trim() === '' || codePointLength(alt) > YOUTUBE_LIMITS.titleChars || /[<>]/.test(alt)) {
      problems.push({ field: 'titleAlternatives', message: `alternative title ${i + 1} "${alt}" is empty, over ${YOUTUBE_LIMITS.titleChars} characters or contains < or >` });
    }
  });

  const bytes = utf8Length(meta.description);
  if (bytes > YOUTUBE_LIMITS.descriptionBytes) {
    problems.push({ field: 'description', message: `description is ${bytes} bytes of UTF-8, over YouTube's ${YOUTUBE_LIMITS.descriptionBytes}: shorten it` });
  }
  if (/[<>]/.test(meta.description)) problems.push({ field: 'description', message: 'description contains < or >, which YouTube rejects' });

  const total = tagsLength(meta.tags);
  if (total > YOUTUBE_LIMITS.tagsChars) {
    problems.push({ field: 'tags', message: `tags take ${total} characters (commas and quotes included), over YouTube's ${YOUTUBE_LIMITS.tagsChars}: drop some` });
  }
  const seen = new Set<string>();
  for (const tag of meta.tags) {
    if (tag.trim() === '') problems.push({ field: 'tags', message: 'a tag is empty' });
    if (/[<>,]/.test(tag)) problems.push({ field: 'tags', message: `tag "${tag}" contains < > or a comma` });
    if (codePointLength(tag) > MAX_TAG_CHARS) problems.push({ field: 'tags', message: `tag "${tag.slice(0, 30)}…" is over ${MAX_TAG_CHARS} characters` });
    const key = tag.toLocaleLowerCase();
    if (seen.has(key)) problems.push({ field: 'tags', message: `tag "${tag}" appears twice` });
    seen.add(key);
  }

  for (const h of meta.hashtags) {
    if (!/^#[\p{L}\p{N}_]+$/u.test(h)) problems.push({ field: 'hashtags', message: `hashtag "${h}" must be # followed by letters and digits only` });
  }
  // More than 15 hashtags and YouTube ignores them all.
  if (meta.hashtags.length > 15) problems.push({ field: 'hashtags', message: `${meta.hashtags.length} hashtags: YouTube ignores all of them past 15` });

  if (meta.chapters.length > 0) {
    const c = meta.chapters;
    if (c.length < YOUTUBE_LIMITS.chapterMinCount) {
      problems.push({ field: 'chapters', message: `${c.length} chapters: YouTube needs at least ${YOUTUBE_LIMITS.chapterMinCount} (or none)` });
    }
    if (c[0]?.start !== 0) problems.push({ field: 'chapters', message: 'the first chapter must start at 0:00' });
    for (let i = 1; i < c.length; i++) {
      const gap = (c[i]?.start ?? 0) - (c[i - 1]?.start ?? 0);
      if (gap < YOUTUBE_LIMITS.chapterMinSec) {
        problems.push({ field: 'chapters', message: `chapter ${i} "${c[i - 1]?.title}" lasts ${gap} s, under YouTube's ${YOUTUBE_LIMITS.chapterMinSec} s` });
      }
    }
  }
  if (!/^\d+$/.test(meta.categoryId)) problems.push({ field: 'categoryId', message: `categoryId "${meta.categoryId}" must be a number such as 27 (Education)` });
  return problems;
}

/** The metadata cut to fit every limit: titles at word ends, description by bytes, tags by priority. */
export function fitMetadata(meta: VideoMetadata): VideoMetadata {
  const title = fitTitle(meta.title);
  const seen = new Set([title.toLocaleLowerCase()]);
  const titleAlternatives = meta.titleAlternatives.map((t) => fitTitle(t)).filter((t) => {
    const key = t.toLocaleLowerCase();
    if (t === '' || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return {
    ...meta,
    title,
    titleAlternatives,
    description: fitDescription(meta.description),
    tags: fitTags(meta.tags),
    hashtags: [...new Set(meta.hashtags.filter((h) => /^#[\p{L}\p{N}_]+$/u.test(h)))].slice(0, 15),
  };
}
