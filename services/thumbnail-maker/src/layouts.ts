import type { Box } from './text-fit.ts';

export const THUMBNAIL_SIZE = { width: 1280, height: 720 } as const;

/**
 * Layout presets, one per variant (variant i uses layout i): each differs in where
 * the text sits and what it sits on, so an A/B test compares real alternatives.
 */
export const LAYOUTS = {
  /** Text in the left 60 % over a darkening gradient, a vertical accent bar beside it. */
  'bold-left': { textBox: { x: 110, y: 60, width: 680, height: 600 }, align: 'left', maxLines: 4, surface: 'outline' },
  /** Text on a solid, slightly tilted plate in the middle of a blurred, dimmed picture. */
  'plate-center': { textBox: { x: 150, y: 150, width: 980, height: 420 }, align: 'center', maxLines: 3, surface: 'plate' },
  /** A colour panel on the left with the text, the picture on the right half. */
  split: { textBox: { x: 48, y: 60, width: 545, height: 600 }, align: 'left', maxLines: 4, surface: 'panel' },
  /** The picture above, the text on a dark band across the bottom. */
  'bottom-band': { textBox: { x: 60, y: 452, width: 1160, height: 236 }, align: 'center', maxLines: 2, surface: 'band' },
  /** Huge outlined text across the middle of a vignetted picture. */
  'outline-center': { textBox: { x: 70, y: 90, width: 1140, height: 540 }, align: 'center', maxLines: 3, surface: 'outline' },
} as const satisfies Record<string, { textBox: Box; align: 'left' | 'center'; maxLines: number; surface: string }>;

export type LayoutName = keyof typeof LAYOUTS;
export const LAYOUT_ORDER = Object.keys(LAYOUTS) as LayoutName[];

export function layoutForVariant(index: number): LayoutName {
  return LAYOUT_ORDER[index % LAYOUT_ORDER.length] ?? 'bold-left';
}

/** Variant ids as YouTube's "Test & Compare" and the A/B tester label them: A, B, C… */
export function variantId(index: number): string {
  return String.fromCharCode(65 + index);
}

export interface Palette {
  name: string;
  /** Two dark colours for the generated gradient background. */
  background: readonly [string, string];
  accent: string;
  /** Plate and panel colours: saturated, so the text colour is picked by contrast. */
  plate: string;
  panel: string;
  band: string;
  shapes: readonly string[];
}

export const PALETTES: readonly Palette[] = [
  { name: 'midnight-gold', background: ['#0f1b3d', '#2b0f45'], accent: '#ffd23f', plate: '#ffd23f', panel: '#12204a', band: '#0b0f1e', shapes: ['#3a86ff', '#ffd23f', '#8338ec'] },
  { name: 'ember', background: ['#2a0a0a', '#5c1a0b'], accent: '#ffb703', plate: '#e63946', panel: '#1d0b0b', band: '#140606', shapes: ['#ff6b35', '#ffb703', '#e63946'] },
  { name: 'jungle', background: ['#04261c', '#0b3d2e'], accent: '#b8f227', plate: '#b8f227', panel: '#06392a', band: '#031a13', shapes: ['#2ec4b6', '#b8f227', '#1b998b'] },
  { name: 'electric', background: ['#10002b', '#240046'], accent: '#00f5d4', plate: '#f15bb5', panel: '#3c096c', band: '#0a0018', shapes: ['#00f5d4', '#f15bb5', '#9b5de5'] },
  { name: 'ocean', background: ['#03045e', '#023e8a'], accent: '#ffea00', plate: '#ffffff', panel: '#03045e', band: '#020330', shapes: ['#00b4d8', '#90e0ef', '#ffea00'] },
  { name: 'sunset', background: ['#3d0c11', '#6a1b4d'], accent: '#ffcf56', plate: '#ff6f3c', panel: '#2d0a1f', band: '#1a0612', shapes: ['#ff6f3c', '#ffcf56', '#c9184a'] },
];

/** FNV-1a: a stable 32-bit hash, so one title always gets the same palette and shapes. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (const ch of text.normalize('NFC')) {
    h ^= ch.codePointAt(0) ?? 0;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** The palette for a title's variant: chosen by the title's hash, shifted per variant for contrast between them. */
export function paletteFor(title: string, variant: number): Palette {
  const p = PALETTES[(hashString(title) + variant) % PALETTES.length];
  if (!p) throw new Error('no palettes defined');
  return p;
}


/**
 * The source rectangle that covers a destination box without distortion (CSS
 * object-fit: cover). `focusY` places the crop vertically: a portrait poster frame
 * keeps its upper-middle, where the subject usually is and the captions are not.
 */
export function coverCrop(
  source: { width: number; height: number },
  dest: { width: number; height: number },
  focusY = 0.4,
): Box {
  const scale = Math.max(dest.width / source.width, dest.height / source.height);
  const width = dest.width / scale;
  const height = dest.height / scale;
  return {
    x: (source.width - width) / 2,
    y: (source.height - height) * Math.min(1, Math.max(0, focusY)),
    width,
    height,
  };
}
