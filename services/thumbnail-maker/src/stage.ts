import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ThumbnailGenerateInput, ThumbnailGenerateOutput } from '@faceless/contracts';
import type { ThumbnailVariant } from '@faceless/contracts';
import { FacelessError, defineStage } from '@faceless/runtime';
import type { StageContext } from '@faceless/runtime';
import { MIN_CONTRAST } from './contrast.ts';
import { hashString, layoutForVariant, paletteFor, variantId } from './layouts.ts';
import { isGlueWord, pickThumbnailWords, toThumbnailCase } from './thumbnail-text.ts';
import type { BackgroundImage, ThumbnailRenderer } from './thumbnail-renderer.ts';

/** YouTube's thumbnails.set limit. */
export const MAX_THUMBNAIL_BYTES = 2 * 1024 * 1024;

export interface ThumbnailStageDeps {
  renderer: ThumbnailRenderer;
  jpegQuality: number;
}

/** The word drawn in the accent colour: a number if there is one ("10 FACTS"), else the last word. */
export function highlightIndex(words: readonly string[]): number {
  const number = words.findIndex((w) => /^\p{N}/u.test(w));
  return number >= 0 ? number : words.length - 1;
}

async function loadBackground(
  renderer: ThumbnailRenderer,
  key: string,
  ctx: StageContext,
): Promise<BackgroundImage | undefined> {
  try {
    const local = ctx.store.localPath?.(key);
    const file = local ?? join(ctx.workDir, `background-${key.split('/').pop() ?? 'image'}`);
    if (!local) await ctx.store.getFile(key, file);
    return await renderer.loadBackground(file);
  } catch (err) {
    ctx.log.warn('background image unreadable, using a generated background', {
      backgroundPath: key, error: (err as Error).message,
    });
    return undefined;
  }
}

export function createThumbnailStage(deps: ThumbnailStageDeps) {
  return defineStage({
    name: 'thumbnail-maker',
    input: ThumbnailGenerateInput,
    output: ThumbnailGenerateOutput,
    async run(input, ctx) {
      const words = toThumbnailCase(pickThumbnailWords(input.title, input.lang), input.lang);
      const text = words.join(' ');
      const background = input.backgroundPath ? await loadBackground(deps.renderer, input.backgroundPath, ctx) : undefined;
      const seed = hashString(input.title);
      const variants: ThumbnailVariant[] = [];
      for (let i = 0; i < input.variants; i++) {
        if (ctx.signal.aborted) throw new FacelessError('CANCELLED', 'thumbnail rendering was cancelled');
        const layout = layoutForVariant(i);
        const rendered = await deps.renderer.render({
          layout, words, highlight: highlightIndex(words), keepWithNext: (w) => isGlueWord(w, input.lang), palette: paletteFor(input.title, i),
          ...(background ? { background } : {}), seed: seed + i, question: /[?？]\s*$/u.test(input.title),
          jpegQuality: deps.jpegQuality, maxBytes: MAX_THUMBNAIL_BYTES,
        });
        if (rendered.contrast < MIN_CONTRAST) {
          throw new FacelessError('INTERNAL', `layout ${layout} reached only ${rendered.contrast.toFixed(2)}:1 text contrast (needs ${MIN_CONTRAST}:1)`);
        }
        const file = join(ctx.workDir, `thumb-${i + 1}.jpg`);
        await writeFile(file, rendered.bytes);
        const key = `${input.outputPrefix}thumbnails/thumb-${i + 1}.jpg`;
        await ctx.store.putFile(key, file, rendered.mime);
        variants.push({
          id: variantId(i), path: key, layout, text, width: 1280, height: 720, bytes: rendered.bytes.length, mime: rendered.mime,
        });
        ctx.log.debug('thumbnail rendered', { layout, bytes: rendered.bytes.length, quality: rendered.quality, fontSize: rendered.fontSize, contrast: Number(rendered.contrast.toFixed(2)) });
        ctx.progress((i + 1) / input.variants, `thumbnail ${variantId(i)} (${layout})`);
      }
      const first = variants[0];
      if (!first) throw new FacelessError('INTERNAL', 'no thumbnail was rendered');
      return { thumbnailPath: first.path, variants };
    },
  });
}

export type ThumbnailStage = ReturnType<typeof createThumbnailStage>;
