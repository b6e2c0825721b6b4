import { keywordTokens, matchMedia, scanMediaDir } from '../media-library.ts';
import type { SegmentVisual, VisualProvider } from '../visuals.ts';
import { generatedVisuals } from './generated.ts';

/**
 * The user's own images and clips, matched to segments by keyword; generated backgrounds when
 * the folder has nothing usable.
 */
export function createMediaFolderProvider(mediaDir: string): VisualProvider {
  return {
    name: 'media-folder',
    async plan(briefs, { signal, warn }) {
      const scan = await scanMediaDir(mediaDir, { signal });
      for (const w of scan.warnings) warn(`mediaDir: ${w}`);
      if (scan.items.length === 0) {
        warn(`mediaDir "${mediaDir}" has no usable image or clip: using generated backgrounds`);
        return generatedVisuals(briefs);
      }
      const picks = matchMedia(scan.items, briefs.map((b) => keywordTokens([b.heading, ...b.keywords].join(' '))));
      return briefs.map((brief, i): SegmentVisual => {
        const item = scan.items[picks[i] ?? 0];
        if (!item) return generatedVisuals([brief])[0] as SegmentVisual;
        return item.kind === 'clip'
          ? { kind: 'clip', path: item.path, durationSec: item.durationSec, source: item.name }
          : { kind: 'image', path: item.path, source: item.name };
      });
    },
  };
}
