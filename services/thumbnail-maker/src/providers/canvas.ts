import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createCanvas, GlobalFonts, Image, loadImage } from '@napi-rs/canvas';
import type { SKRSContext2D } from '@napi-rs/canvas';
import { FacelessError, seededRandom } from '@faceless/runtime';
import {
  MIN_CONTRAST, contrastRatio, luminancePercentile, parseHex, relativeLuminance, textOnSurface,
  veilAlphaFor,
} from '../contrast.ts';
import { LAYOUTS, THUMBNAIL_SIZE, coverCrop } from '../layouts.ts';
import type { LayoutName, Palette } from '../layouts.ts';
import { fitText } from '../text-fit.ts';
import type { Box, FittedText } from '../text-fit.ts';
import type { RenderedThumbnail, ThumbnailRenderer, ThumbnailSpec } from '../thumbnail-renderer.ts';

export const FONT_FAMILY = 'Faceless Montserrat';
const FONT = (size: number): string => `900 ${size}px "${FONT_FAMILY}"`;
const OUTLINE = '#0a0a0a';
const { width: W, height: H } = THUMBNAIL_SIZE;

let fontsRegistered = false;

/** Montserrat Black, Latin and Latin-extended files under one family so that É, Ç, Œ render. */
export function registerFonts(): void {
  if (fontsRegistered) return;
  const require = createRequire(import.meta.url);
  let dir: string;
  try {
    dir = join(dirname(require.resolve('@fontsource/montserrat/package.json')), 'files');
  } catch (cause) {
    throw new FacelessError('MISSING_DEPENDENCY', '@fontsource/montserrat is not installed: run "npm install" at the repository root', { cause });
  }
  for (const subset of ['latin', 'latin-ext']) {
    const file = join(dir, `montserrat-${subset}-900-normal.woff2`);
    if (!GlobalFonts.registerFromPath(file, FONT_FAMILY)) {
      throw new FacelessError('MISSING_DEPENDENCY', `could not load the font ${file}: reinstall @fontsource/montserrat`);
    }
  }
  fontsRegistered = true;
}

type Ctx = SKRSContext2D;

interface TextStyle {
  fill: string;
  accent?: string;
  highlight?: number;
  outline?: { color: string; widthEm: number };
  shadow?: boolean;
}

/** Thumbnails drawn with @napi-rs/canvas (Skia): about 50 ms each, no system libraries. */
export function createCanvasRenderer(): ThumbnailRenderer {
  return {
    name: 'canvas',
    async loadBackground(file) {
      try {
        const image = await loadImage(await readFile(file));
        if (!image.width || !image.height) throw new Error('image has no pixels');
        return image;
      } catch (cause) {
        throw new FacelessError('MEDIA_FAILED', `background ${file} is not a readable image (${(cause as Error).message}): pass a JPEG or PNG frame`, { cause, field: 'backgroundPath' });
      }
    },
    render: renderThumbnail,
  };
}

async function renderThumbnail(spec: ThumbnailSpec): Promise<RenderedThumbnail> {
  registerFonts();
  const canvas = createCanvas(W, H);
  const ctx = canvas.getContext('2d');
  const image = spec.background instanceof Image ? spec.background : undefined;
  const layout = LAYOUTS[spec.layout];
  const measure = (text: string, size: number): number => {
    ctx.font = FONT(size);
    return ctx.measureText(text).width;
  };
  const outlineEm = spec.layout === 'outline-center' ? 0.2 : 0.16;
  const padEm = layout.surface === 'outline' ? outlineEm : 0;
  const fitted = fitText({
    words: spec.words, box: layout.textBox, measure, maxLines: layout.maxLines, align: layout.align, padEm,
    maxSize: spec.layout === 'bottom-band' ? 150 : 230,
    ...(spec.keepWithNext ? { keepWithNext: spec.keepWithNext } : {}),
  });

  const contrast = drawLayout(ctx, { spec, image, fitted, outlineEm });

  let quality = spec.jpegQuality;
  let bytes = await canvas.encode('jpeg', quality);
  while (bytes.length > spec.maxBytes && quality > 30) {
    quality -= 8;
    bytes = await canvas.encode('jpeg', quality);
  }
  if (bytes.length > spec.maxBytes) {
    throw new FacelessError('LIMIT_EXCEEDED', `thumbnail is ${bytes.length} bytes even at JPEG quality ${quality}, over the ${spec.maxBytes}-byte limit`);
  }
  return {
    bytes, mime: 'image/jpeg', width: W, height: H, quality, contrast,
    fontSize: fitted.fontSize, lines: fitted.lines.map((l) => l.text),
  };
}

interface DrawArgs {
  spec: ThumbnailSpec;
  image: Image | undefined;
  fitted: FittedText;
  outlineEm: number;
}

/** Draws one layout; returns the lowest text/immediate-background contrast it ensured. */
function drawLayout(ctx: Ctx, args: DrawArgs): number {
  const { spec, fitted } = args;
  const p = spec.palette;
  const full: Box = { x: 0, y: 0, width: W, height: H };
  const name: LayoutName = spec.layout;
  switch (name) {
    case 'bold-left': {
      drawBackdrop(ctx, full, args, { blur: 0, dim: 0.1 });
      const g = ctx.createLinearGradient(0, 0, W, 0);
      g.addColorStop(0, 'rgba(0,0,0,0.88)');
      g.addColorStop(0.5, 'rgba(0,0,0,0.7)');
      g.addColorStop(0.85, 'rgba(0,0,0,0)');
      ctx.fillStyle = g;
      ctx.fillRect(0, 0, W, H);
      const bar = { x: 56, y: fitted.block.y + fitted.fontSize * 0.1, width: 18, height: fitted.block.height - fitted.fontSize * 0.2 };
      ctx.fillStyle = p.accent;
      ctx.fillRect(bar.x, bar.y, bar.width, bar.height);
      return drawOutlinedText(ctx, args, { widthEm: 0.16, veilFromLeft: true });
    }
    case 'outline-center': {
      drawBackdrop(ctx, full, args, { blur: 2, dim: 0.2 });
      const v = ctx.createRadialGradient(W / 2, H / 2, H * 0.2, W / 2, H / 2, W * 0.7);
      v.addColorStop(0, 'rgba(0,0,0,0.15)');
      v.addColorStop(1, 'rgba(0,0,0,0.75)');
      ctx.fillStyle = v;
      ctx.fillRect(0, 0, W, H);
      return drawOutlinedText(ctx, args, { widthEm: 0.2, veilFromLeft: false });
    }
    case 'plate-center': {
      drawBackdrop(ctx, full, args, { blur: 10, dim: 0.35 });
      const { surface, color, ratio } = textOnSurface(p.plate, ['#ffffff', '#111111']);
      const padX = fitted.fontSize * 0.4;
      const padY = fitted.fontSize * 0.22;
      const b = fitted.block;
      ctx.save();
      ctx.translate(W / 2, H / 2);
      ctx.rotate((-2 * Math.PI) / 180);
      ctx.translate(-W / 2, -H / 2);
      ctx.shadowColor = 'rgba(0,0,0,0.55)';
      ctx.shadowBlur = 30;
      ctx.shadowOffsetY = 10;
      ctx.fillStyle = surface;
      roundRect(ctx, { x: b.x - padX, y: b.y - padY, width: b.width + 2 * padX, height: b.height + 2 * padY }, 18);
      ctx.fill();
      ctx.shadowColor = 'transparent';
      drawText(ctx, fitted, { fill: color });
      ctx.restore();
      return ratio;
    }
    case 'split': {
      const imageBox: Box = { x: 560, y: 0, width: W - 560, height: H };
      drawBackdrop(ctx, imageBox, args, { blur: 0, dim: 0 });
      const edgeTop = 700;
      const edgeBottom = 600;
      const { surface, color, ratio } = textOnSurface(p.panel, ['#ffffff']);
      ctx.fillStyle = surface;
      polygon(ctx, [[0, 0], [edgeTop, 0], [edgeBottom, H], [0, H]]);
      ctx.fill();
      ctx.fillStyle = p.accent;
      polygon(ctx, [[edgeTop, 0], [edgeTop + 22, 0], [edgeBottom + 22, H], [edgeBottom, H]]);
      ctx.fill();
      const accent = contrastRatio(p.accent, surface) >= MIN_CONTRAST ? p.accent : undefined;
      drawText(ctx, fitted, { fill: color, ...(accent ? { accent } : {}), ...highlightOf(spec) });
      return accent ? Math.min(ratio, contrastRatio(accent, surface)) : ratio;
    }
    case 'bottom-band': {
      drawBackdrop(ctx, full, args, { blur: 0, dim: 0.1 });
      const top = fitted.block.y - fitted.fontSize * 0.3;
      const { surface, color, ratio } = textOnSurface(p.band, ['#ffffff']);
      ctx.fillStyle = surface;
      ctx.fillRect(0, top, W, H - top);
      ctx.fillStyle = p.accent;
      ctx.fillRect(0, top - 10, W, 10);
      const accent = contrastRatio(p.accent, surface) >= MIN_CONTRAST ? p.accent : undefined;
      drawText(ctx, fitted, { fill: color, ...(accent ? { accent } : {}), ...highlightOf(spec) });
      return accent ? Math.min(ratio, contrastRatio(accent, surface)) : ratio;
    }
    default: {
      const never: never = name;
      throw new FacelessError('INVALID_OPTION', `unknown thumbnail layout ${String(never)}`);
    }
  }
}

function highlightOf(spec: ThumbnailSpec): { highlight?: number } {
  return spec.highlight === undefined ? {} : { highlight: spec.highlight };
}

/**
 * White (and accent) text with a thick dark outline over a picture. The outline is the
 * text's immediate background; the picture behind is also veiled until the text reaches
 * the minimum contrast against its brighter pixels.
 */
function drawOutlinedText(ctx: Ctx, args: DrawArgs, look: { widthEm: number; veilFromLeft: boolean }): number {
  const { spec, fitted } = args;
  const fill = '#ffffff';
  const accentOk = contrastRatio(spec.palette.accent, OUTLINE) >= MIN_CONTRAST;
  const accent = accentOk ? spec.palette.accent : undefined;
  const fills = accent ? [fill, accent] : [fill];
  veilBehind(ctx, fitted, fills, look.veilFromLeft);
  drawText(ctx, fitted, {
    fill, ...(accent ? { accent } : {}), ...highlightOf(spec), outline: { color: OUTLINE, widthEm: look.widthEm }, shadow: true,
  });
  return Math.min(...fills.map((f) => contrastRatio(f, OUTLINE)));
}

/** Darkens the picture behind the text block until every text colour reaches MIN_CONTRAST on its 85th-percentile pixel. */
function veilBehind(ctx: Ctx, fitted: FittedText, fills: readonly string[], fromLeft: boolean): void {
  const b = fitted.block;
  const x = Math.max(0, Math.floor(b.x));
  const y = Math.max(0, Math.floor(b.y));
  const w = Math.min(W - x, Math.ceil(b.width));
  const h = Math.min(H - y, Math.ceil(b.height));
  if (w <= 0 || h <= 0) return;
  const darkest = Math.min(...fills.map((f) => relativeLuminance(parseHex(f))));
  for (let attempt = 0; attempt < 4; attempt++) {
    const backdrop = luminancePercentile(ctx.getImageData(x, y, w, h).data, 85, 7);
    const alpha = veilAlphaFor(backdrop, darkest);
    if (alpha <= 0) return;
    // A wide, heavily blurred veil reads as shade rather than as a box.
    const feather = Math.max(60, fitted.fontSize * 0.8);
    const left = fromLeft ? -feather : x - feather;
    ctx.save();
    ctx.filter = `blur(${Math.round(feather * 0.6)}px)`;
    ctx.fillStyle = `rgba(0,0,0,${Math.min(1, alpha + 0.05).toFixed(3)})`;
    ctx.fillRect(left, y - feather * 0.6, x + w + feather - left, h + feather * 1.2);
    ctx.restore();
  }
}

function drawText(ctx: Ctx, fitted: FittedText, style: TextStyle): void {
  const size = fitted.fontSize;
  ctx.font = FONT(size);
  ctx.textBaseline = 'alphabetic';
  ctx.textAlign = 'left';
  const space = ctx.measureText(' ').width;
  const placed: { word: string; x: number; y: number; index: number }[] = [];
  for (const line of fitted.lines) {
    let x = line.x;
    line.words.forEach((word, i) => {
      placed.push({ word, x, y: line.baseline, index: line.firstWord + i });
      x += ctx.measureText(word).width + space;
    });
  }
  if (style.outline) {
    ctx.save();
    ctx.lineJoin = 'round';
    ctx.miterLimit = 2;
    ctx.lineWidth = style.outline.widthEm * size;
    ctx.strokeStyle = style.outline.color;
    if (style.shadow) {
      ctx.shadowColor = 'rgba(0,0,0,0.6)';
      ctx.shadowBlur = size * 0.12;
      ctx.shadowOffsetY = size * 0.05;
    }
    for (const w of placed) ctx.strokeText(w.word, w.x, w.y);
    ctx.restore();
  } else if (style.shadow) {
    ctx.shadowColor = 'rgba(0,0,0,0.5)';
    ctx.shadowBlur = size * 0.1;
  }
  for (const w of placed) {
    ctx.fillStyle = style.accent && w.index === style.highlight ? style.accent : style.fill;
    ctx.fillText(w.word, w.x, w.y);
  }
  ctx.shadowColor = 'transparent';
}

/** The picture cover-cropped into `box`, or generated art when there is none. */
function drawBackdrop(ctx: Ctx, box: Box, args: DrawArgs, look: { blur: number; dim: number }): void {
  ctx.save();
  ctx.beginPath();
  ctx.rect(box.x, box.y, box.width, box.height);
  ctx.clip();
  if (args.image) {
    // Blur pulls in transparent pixels at the edges: draw past the box so none show.
    const grow = look.blur * 3;
    const dest = { x: box.x - grow, y: box.y - grow, width: box.width + 2 * grow, height: box.height + 2 * grow };
    const src = coverCrop(args.image, dest);
    if (look.blur > 0) ctx.filter = `blur(${look.blur}px)`;
    ctx.drawImage(args.image, src.x, src.y, src.width, src.height, dest.x, dest.y, dest.width, dest.height);
    ctx.filter = 'none';
  } else {
    drawGeneratedArt(ctx, box, args.spec);
  }
  if (look.dim > 0) {
    ctx.fillStyle = `rgba(0,0,0,${look.dim})`;
    ctx.fillRect(box.x, box.y, box.width, box.height);
  }
  ctx.restore();
}

/** A diagonal gradient with soft circles, stripes and dots from the palette, placed by a seeded PRNG. */
function drawGeneratedArt(ctx: Ctx, box: Box, spec: ThumbnailSpec): void {
  const p: Palette = spec.palette;
  const rand = seededRandom(spec.seed);
  const g = ctx.createLinearGradient(box.x, box.y, box.x + box.width, box.y + box.height);
  g.addColorStop(0, p.background[0]);
  g.addColorStop(1, p.background[1]);
  ctx.fillStyle = g;
  ctx.fillRect(box.x, box.y, box.width, box.height);

  for (let i = 0; i < 4; i++) {
    const color = p.shapes[i % p.shapes.length] ?? p.accent;
    const r = 120 + rand() * 260;
    const cx = box.x + box.width * (0.3 + rand() * 0.8);
    const cy = box.y + box.height * rand();
    const radial = ctx.createRadialGradient(cx, cy, 0, cx, cy, r);
    radial.addColorStop(0, withAlpha(color, 0.55));
    radial.addColorStop(1, withAlpha(color, 0));
    ctx.fillStyle = radial;
    ctx.fillRect(cx - r, cy - r, 2 * r, 2 * r);
  }

  ctx.save();
  ctx.globalAlpha = 0.1;
  ctx.strokeStyle = p.shapes[0] ?? p.accent;
  ctx.lineWidth = 28;
  const offset = rand() * 120;
  for (let x = box.x - box.height + offset; x < box.x + box.width; x += 90) {
    ctx.beginPath();
    ctx.moveTo(x, box.y + box.height);
    ctx.lineTo(x + box.height, box.y);
    ctx.stroke();
  }
  ctx.restore();

  ctx.fillStyle = withAlpha(p.shapes[1] ?? p.accent, 0.35);
  const dotsX = box.x + box.width * (0.55 + rand() * 0.3);
  const dotsY = box.y + box.height * (0.1 + rand() * 0.5);
  for (let row = 0; row < 6; row++) {
    for (let col = 0; col < 8; col++) {
      ctx.beginPath();
      ctx.arc(dotsX + col * 24, dotsY + row * 24, 4, 0, Math.PI * 2);
      ctx.fill();
    }
  }

  if (spec.question) {
    ctx.save();
    ctx.font = FONT(Math.round(box.height * 0.95));
    ctx.fillStyle = withAlpha(p.accent, 0.22);
    ctx.translate(box.x + box.width * 0.78, box.y + box.height * 0.86);
    ctx.rotate((12 * Math.PI) / 180);
    ctx.textAlign = 'center';
    ctx.fillText('?', 0, 0);
    ctx.restore();
  }
}

function withAlpha(hex: string, alpha: number): string {
  const [r, g, b] = parseHex(hex);
  return `rgba(${r},${g},${b},${alpha})`;
}

function roundRect(ctx: Ctx, b: Box, r: number): void {
  ctx.beginPath();
  ctx.moveTo(b.x + r, b.y);
  ctx.arcTo(b.x + b.width, b.y, b.x + b.width, b.y + b.height, r);
  ctx.arcTo(b.x + b.width, b.y + b.height, b.x, b.y + b.height, r);
  ctx.arcTo(b.x, b.y + b.height, b.x, b.y, r);
  ctx.arcTo(b.x, b.y, b.x + b.width, b.y, r);
  ctx.closePath();
}

function polygon(ctx: Ctx, points: readonly (readonly [number, number])[]): void {
  ctx.beginPath();
  points.forEach(([x, y], i) => (i === 0 ? ctx.moveTo(x, y) : ctx.lineTo(x, y)));
  ctx.closePath();
}

