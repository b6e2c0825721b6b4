import type { LayoutName, Palette } from './layouts.ts';

/** A decoded background picture, opaque to the stage: only the renderer that loaded it draws it. */
export interface BackgroundImage {
  readonly width: number;
  readonly height: number;
}

export interface ThumbnailSpec {
  layout: LayoutName;
  /** The words to show, already in display case. */
  words: readonly string[];
  /** True for a word a line should not end on. */
  keepWithNext?: (word: string) => boolean;
  /** Index of a word drawn in the accent colour, when its contrast allows. */
  highlight?: number;
  palette: Palette;
  background?: BackgroundImage;
  /** Seeds the generated shapes when there is no background. */
  seed: number;
  /** The title asks a question: the generated art may show a "?". */
  question: boolean;
  jpegQuality: number;
  maxBytes: number;
}

export interface RenderedThumbnail {
  bytes: Buffer;
  mime: 'image/jpeg';
  width: number;
  height: number;
  /** JPEG quality actually used (lowered when the first encode was over maxBytes). */
  quality: number;
  /** The lowest WCAG contrast ratio between a text colour and what is directly behind it. */
  contrast: number;
  fontSize: number;
  lines: string[];
}

/** Draws thumbnails; one implementation per drawing library, so the stage stays free of canvas calls. */
export interface ThumbnailRenderer {
  readonly name: string;
  /** Decodes a picture file; throws when it is not a readable image. */
  loadBackground(file: string): Promise<BackgroundImage>;
  render(spec: ThumbnailSpec): Promise<RenderedThumbnail>;
}
