import { fillRoundRobin, keywordTokens, matchByKeyword, matchScore, scanMediaDir } from '../media-library.ts';
import type { MediaItem } from '../media-library.ts';
import type { SegmentBrief, SegmentVisual, StockSource, VisualProvider } from '../visuals.ts';
import { generatedVisuals } from './generated.ts';

export interface VisualChainOptions {
  /** The user's folder of images and clips. */
  mediaDir?: string;
  /** Stock footage (Pexels) when configured. */
  stock?: StockSource;
}

/** A clip may be this much shorter than its segment (the renderer loops the rest). */
const CLIP_SLACK_SEC = 0.1;

const seconds = (n: number): string => `${Math.round(n * 10) / 10} s`;

/** The keywords of the nearest segment that has some, for the hook and the call to action. */
function nearestKeywords(briefs: readonly SegmentBrief[], index: number): readonly string[] {
  for (let d = 1; d < briefs.length; d++) {
    for (const i of [index + d, index - d]) {
      const keywords = briefs[i]?.keywords;
      if (keywords && keywords.length > 0) return keywords;
    }
  }
  return [];
}

function itemVisual(item: MediaItem): SegmentVisual {
  return item.kind === 'clip'
    ? { kind: 'clip', path: item.path, durationSec: item.durationSec, source: item.name }
    : { kind: 'image', path: item.path, source: item.name };
}

/**
 * Visuals per segment, in order of preference:
 * 1. a file of the media folder matching the segment's heading or keywords;
 * 2. a stock clip searched by the section's keywords;
 * 3. any other file of the media folder, round-robin (the hook and the call to action start here);
 * 4. a stock clip searched by the nearest section's keywords;
 * 5. a generated background.
 * A clip shorter than its segment is not used there, with a warning naming it.
 */
export function createVisualChain(options: VisualChainOptions): VisualProvider {
  const { mediaDir, stock } = options;
  return {
    name: [mediaDir ? 'media-folder' : undefined, stock?.name, 'generated'].filter(Boolean).join('+'),
    async plan(briefs, { signal, warn, frame }) {
      const slots: (SegmentVisual | undefined)[] = briefs.map(() => undefined);
      const wanted = briefs.map((b) => keywordTokens([b.heading, ...b.keywords].join(' ')));
      let items: MediaItem[] = [];
      if (mediaDir) {
        const scan = await scanMediaDir(mediaDir, { signal });
        for (const w of scan.warnings) warn(`mediaDir: ${w}`);
        items = scan.items;
      }
      const fits = (i: number, segment: number): boolean => {
        const item = items[i];
        return item?.kind === 'image' || (item?.durationSec ?? 0) + CLIP_SLACK_SEC >= (briefs[segment]?.durationSec ?? 0);
      };
      if (mediaDir) {
        warnShortClips(items, briefs, wanted, fits, warn);
        if (!items.some((_, i) => briefs.some((b) => fits(i, b.segment)))) {
          warn(`mediaDir "${mediaDir}" has no usable image or clip: using ${stock && frame ? `${stock.name} clips or ` : ''}generated backgrounds`);
        }
      }

      let picks = matchByKeyword(items, wanted, fits);
      const place = (): void => picks.forEach((pick, segment) => {
        const item = items[pick];
        if (item && !slots[segment]) slots[segment] = itemVisual(item);
      });
      place();

      const session = stock && frame ? stock.session({ signal, warn, frame }) : undefined;
      if (session) {
        for (const [segment, brief] of briefs.entries()) {
          if (!slots[segment] && brief.keywords.length > 0) slots[segment] = await session.find(brief, brief.keywords);
        }
      }
      picks = fillRoundRobin(items.length, picks, { fits, skip: (segment) => slots[segment] !== undefined });
      place();
      if (session) {
        for (const [segment, brief] of briefs.entries()) {
          if (slots[segment]) continue;
          const keywords = brief.keywords.length > 0 ? [] : nearestKeywords(briefs, segment);
          if (keywords.length > 0) slots[segment] = await session.find(brief, keywords);
        }
      }
      const generated = generatedVisuals(briefs);
      return slots.map((slot, segment) => slot ?? (generated[segment] as SegmentVisual));
    },
  };
}

function warnShortClips(
  items: readonly MediaItem[],
  briefs: readonly SegmentBrief[],
  wanted: readonly (readonly string[])[],
  fits: (item: number, segment: number) => boolean,
  warn: (message: string) => void,
): void {
  items.forEach((item, i) => {
    if (item.kind !== 'clip') return;
    const tooShort = briefs.filter((b) => !fits(i, b.segment));
    if (tooShort.length === 0) return;
    if (tooShort.length === briefs.length) {
      const shortest = Math.min(...briefs.map((b) => b.durationSec ?? 0));
      warn(`mediaDir: skipped "${item.name}": the clip lasts ${seconds(item.durationSec)}, less than every segment (the shortest lasts ${seconds(shortest)}); use a longer clip or a still image`);
      return;
    }
    const matched = tooShort.filter((b) => matchScore(item.tokens, wanted[b.segment] ?? []) > 0);
    if (matched.length === 0) return;
    const list = matched.map((b) => `${b.segment} (${seconds(b.durationSec ?? 0)})`).join(', ');
    warn(`mediaDir: "${item.name}" lasts ${seconds(item.durationSec)}, less than the segment${matched.length > 1 ? 's' : ''} it matches: ${list}; not used there`);
  });
}
