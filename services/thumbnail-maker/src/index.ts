import type { StageFactoryOptions } from '@faceless/runtime';
import { parseThumbnailConfig } from './config.ts';
import { createCanvasRenderer } from './providers/canvas.ts';
import { createThumbnailStage } from './stage.ts';
import type { ThumbnailStage } from './stage.ts';

export { createThumbnailStage, highlightIndex, MAX_THUMBNAIL_BYTES } from './stage.ts';
export type { ThumbnailStage, ThumbnailStageDeps } from './stage.ts';
export { parseThumbnailConfig, ThumbnailConfig } from './config.ts';
export { createCanvasRenderer } from './providers/canvas.ts';
export type { ThumbnailRenderer, ThumbnailSpec, RenderedThumbnail, BackgroundImage } from './thumbnail-renderer.ts';
export { pickThumbnailWords, toThumbnailCase } from './thumbnail-text.ts';
export { contrastRatio, pickTextColor, MIN_CONTRAST } from './contrast.ts';
export { fitText } from './text-fit.ts';
export { LAYOUTS, LAYOUT_ORDER, PALETTES } from './layouts.ts';
export type { LayoutName } from './layouts.ts';

const RENDERERS = { canvas: createCanvasRenderer } as const;

/** The thumbnail-maker stage with the renderer the environment chooses (canvas by default). */
export function createStage(options: StageFactoryOptions): ThumbnailStage {
  const config = parseThumbnailConfig(options.env);
  const renderer = RENDERERS[config.THUMBNAIL_RENDERER]();
  return createThumbnailStage({ renderer, jpegQuality: config.THUMBNAIL_JPEG_QUALITY });
}
