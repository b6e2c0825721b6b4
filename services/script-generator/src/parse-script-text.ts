import type { Language, Script, ScriptSection } from '@faceless/contracts';
import { FacelessError } from '@faceless/runtime';
import { salientWords } from './salient-words.ts';
import { finalizeScript } from './script-stats.ts';
import { EN } from './templates/en.ts';
import { FR } from './templates/fr.ts';
import { capitalize, truncateAtWord } from './template-writer.ts';

/** Headings that mark the last section as the call to action, in the languages faceless speaks. */
export const CLOSING_HEADING = /^(conclusions?|call to action|cta|outro|wrap[- ]?up|final thoughts|in conclusion|en conclusion|pour conclure|pour finir|le mot de la fin|appel à l'action|fazit|schluss|conclusión|para terminar|conclusione|conclusão)\b/i;

const MAX_SECTIONS = 20;
const MAX_PARAGRAPH_SECTIONS = 7;
const HEADING_MAX = 100;

type Block = { kind: 'heading'; level: number; text: string } | { kind: 'paragraph'; text: string };

/** Removes inline Markdown (emphasis, code, links → their text, images, HTML tags) and keeps the words. */
export function stripInlineMarkdown(text: string): string {
  return text
    .replace(/!\[[^\]]*\]\([^)]*\)/g, '')
    .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]+)\]\[[^\]]*\]/g, '$1')
    .replace(/<(https?:\/\/[^>\s]+)>/g, '$1')
    .replace(/`([^`]+)`/g, '$1')
    .replace(/(\*\*|__)(?=\S)(.+?)(?<=\S)\1/g, '$2')
    .replace(/(^|[^\w*\\])\*(?=\S)([^*]+?)(?<=\S)\*(?!\w)/g, '$1$2')
    .replace(/(^|[^\p{L}\p{N}_\\])_(?=\S)([^_]+?)(?<=\S)_(?![\p{L}\p{N}])/gu, '$1$2')
    .replace(/~~(?=\S)(.+?)(?<=\S)~~/g, '$1')
    .replace(/<\/?[a-z][^>]*>/gi, '')
    .replace(/\\([\\`*_{}[\]()#+\-.!>~|])/g, '$1')
    .replace(/\s+/g, ' ')
    .trim();
}

/** A list item becomes a sentence of its own: it gets a full stop when it has no closing punctuation. */
function asSentence(text: string): string {
  return /[.!?…:;]["»”')\]]*$/u.test(text) ? text : `${text}.`;
}

/** Headings and paragraphs of a Markdown text; code blocks, HTML comments, front matter and link definitions are dropped. */
export function markdownBlocks(text: string): Block[] {
  const clean = text
    .replace(/\r\n?/g, '\n')
    .replace(/^---\n[\s\S]*?\n---\n/, '')
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/^\s*(```|~~~)[^\n]*\n[\s\S]*?^\s*\1\s*$/gm, '');
  const blocks: Block[] = [];
  let lines: string[] = [];
  const flush = (): void => {
    const para = lines.map(stripInlineMarkdown).filter(Boolean).join(' ').trim();
    if (para) blocks.push({ kind: 'paragraph', text: para });
    lines = [];
  };
  for (const raw of clean.split('\n')) {
    const line = raw.replace(/^\s{0,3}>\s?/, '');
    const heading = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      flush();
      const t = stripInlineMarkdown(heading[2] ?? '');
      if (t) blocks.push({ kind: 'heading', level: heading[1]?.length ?? 1, text: t });
      continue;
    }
    if (/^\s*$/.test(line) || /^\s*([-*_])(\s*\1){2,}\s*$/.test(line)) {
      flush();
      continue;
    }
    if (/^\s*\[[^\]]+\]:\s*\S+/.test(line)) continue;
    const item = /^\s*(?:[-*+]|\d+[.)])\s+(.*)$/.exec(line);
    if (item) {
      const t = stripInlineMarkdown(item[1] ?? '');
      if (t) lines.push(asSentence(t));
      continue;
    }
    lines.push(line);
  }
  flush();
  return blocks;
}

export function splitSentences(text: string): string[] {
  return text.split(/(?<=[.!?…]["»”')\]]*)\s+(?=[\p{Lu}\p{N}"«“(¿¡])/u).map((s) => s.trim()).filter(Boolean);
}

function headingFrom(text: string): string {
  const first = splitSentences(text)[0] ?? text;
  return truncateAtWord(first.replace(/[.!?…:;,]+$/u, ''), 40) || 'Part';
}

interface RawSection {
  heading: string;
  paragraphs: string[];
}

/** Takes the last paragraph, else the last sentence, of a section that keeps something to say. */
function takeLast(section: RawSection): string | undefined {
  if (section.paragraphs.length >= 2) return section.paragraphs.pop();
  const only = section.paragraphs[0];
  const sentences = only ? splitSentences(only) : [];
  if (sentences.length < 2) return undefined;
  section.paragraphs[0] = sentences.slice(0, -1).join(' ');
  return sentences.at(-1);
}

function takeFirst(section: RawSection): string | undefined {
  if (section.paragraphs.length >= 2) return section.paragraphs.shift();
  const only = section.paragraphs[0];
  const sentences = only ? splitSentences(only) : [];
  if (sentences.length < 2) return undefined;
  section.paragraphs[0] = sentences.slice(1).join(' ');
  return sentences[0];
}

/** Splits paragraphs into at most `max` runs of about equal length, in order. */
function groupParagraphs(paragraphs: string[], max: number): string[][] {
  const groups = Math.min(max, paragraphs.length);
  const out: string[][] = Array.from({ length: groups }, () => []);
  paragraphs.forEach((p, i) => out[Math.floor((i * groups) / paragraphs.length)]?.push(p));
  return out;
}

/**
 * The user's own text as a script, narrated as written. Rules, in order:
 * - A first heading that no later heading outranks (a lone `#` above `##`s) is the title, not a section.
 * - Text before the first section heading is the hook; without any, the first paragraph (or first sentence)
 *   of the first section is.
 * - Every other heading starts a section; a heading with no text under it is dropped (headings are not spoken).
 * - A last section headed "Conclusion", "Call to action", "Outro", "En conclusion"… is the call to action;
 *   otherwise the last paragraph (or last sentence) of the last section is.
 * - Without headings, the first paragraph is the hook, the last the call to action, and the paragraphs between
 *   become up to 7 sections headed by their first words (a text of fewer than three paragraphs is cut into sentences).
 * - Markdown syntax is removed (emphasis, code, links keep their text, images and code blocks go, list items
 *   become sentences); the words are kept as written. Only a text too short to hold a hook or a call to action
 *   gets the language's short stock line for the missing part.
 * - The title is the title heading, else the first heading, else the first sentence (at most 100 characters).
 * - Visual keywords are each section's most repeated content words.
 */
export function parseScriptText(text: string, lang: Language): Script {
  const fallback = (lang === 'fr' ? FR : EN).sourceFallback;
  const blocks = markdownBlocks(text);
  if (!blocks.some((b) => b.kind === 'paragraph')) {
    throw new FacelessError('INVALID_INPUT', 'the script text has nothing to narrate once Markdown is removed: write paragraphs under the headings', { field: 'sourceText' });
  }
  const headings = blocks.filter((b): b is Extract<Block, { kind: 'heading' }> => b.kind === 'heading');
  const first = blocks[0];
  const titleBlock = first?.kind === 'heading' && headings.slice(1).every((h) => h.level > first.level) ? first : undefined;

  let preamble: string[] = [];
  let sections: RawSection[] = [];
  for (const b of blocks) {
    if (b === titleBlock) continue;
    if (b.kind === 'heading') sections.push({ heading: truncateAtWord(b.text, HEADING_MAX), paragraphs: [] });
    else if (sections.length === 0) preamble.push(b.text);
    else sections.at(-1)?.paragraphs.push(b.text);
  }
  sections = sections.filter((s) => s.paragraphs.length > 0);

  let hook: string | undefined;
  let callToAction: string | undefined;
  if (sections.length === 0) {
    // No section headings: paragraphs (or, for a short text, sentences) make the structure.
    let units = preamble;
    if (units.length < 3) units = units.flatMap(splitSentences);
    preamble = [];
    if (units.length >= 3) {
      hook = units.shift();
      callToAction = units.pop();
    } else if (units.length === 2) {
      hook = units.shift();
    }
    sections = groupParagraphs(units, MAX_PARAGRAPH_SECTIONS).map((g) => ({ heading: headingFrom(g[0] ?? ''), paragraphs: g }));
  } else {
    const last = sections.at(-1);
    if (last && sections.length > 1 && CLOSING_HEADING.test(last.heading)) {
      sections.pop();
      callToAction = last.paragraphs.join(' ');
    } else if (last) {
      callToAction = takeLast(last);
    }
    hook = preamble.length > 0 ? preamble.join(' ') : sections[0] && takeFirst(sections[0]);
  }
  if (sections.length > MAX_SECTIONS) {
    throw new FacelessError('LIMIT_EXCEEDED', `the script text has ${sections.length} sections; at most ${MAX_SECTIONS} are supported: merge some headings`, { field: 'sourceText' });
  }

  const title = titleBlock?.text ?? headings[0]?.text ?? splitSentences(blocks.find((b) => b.kind === 'paragraph')?.text ?? '')[0] ?? '';
  return finalizeScript({
    titleIdea: truncateAtWord(capitalize(title.replace(/[.:;,]+$/u, '')), 100) || fallback.hook,
    hook: hook ?? fallback.hook,
    sections: sections.map((s): ScriptSection => ({ heading: s.heading, narration: s.paragraphs.join('\n\n'), visualKeywords: salientWords(`${s.heading} ${s.paragraphs.join(' ')}`, lang) })),
    callToAction: callToAction ?? fallback.callToAction,
  }, lang);
}
