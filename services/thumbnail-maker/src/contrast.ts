/** WCAG 2.x contrast: relative luminance and the (L1 + 0.05) / (L2 + 0.05) ratio. */

export type Rgb = readonly [number, number, number];

/** The ratio body text needs at WCAG AA; thumbnails are tiny on phones, so big text gets no discount. */
export const MIN_CONTRAST = 4.5;

export function parseHex(hex: string): Rgb {
  const m = /^#?([0-9a-f]{6}|[0-9a-f]{3})$/i.exec(hex.trim());
  if (!m?.[1]) throw new Error(`"${hex}" is not a #rgb or #rrggbb colour`);
  const h = m[1].length === 3 ? [...m[1]].map((c) => c + c).join('') : m[1];
  return [parseInt(h.slice(0, 2), 16), parseInt(h.slice(2, 4), 16), parseInt(h.slice(4, 6), 16)];
}

export function toHex(rgb: Rgb): string {
  return `#${rgb.map((c) => Math.round(Math.min(255, Math.max(0, c))).toString(16).padStart(2, '0')).join('')}`;
}

function channel(c: number): number {
  const s = c / 255;
  return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
}

export function relativeLuminance(rgb: Rgb): number {
  return 0.2126 * channel(rgb[0]) + 0.7152 * channel(rgb[1]) + 0.0722 * channel(rgb[2]);
}

export function contrastRatioOfLuminances(a: number, b: number): number {
  const [hi, lo] = a >= b ? [a, b] : [b, a];
  return (hi + 0.05) / (lo + 0.05);
}

export function contrastRatio(a: Rgb | string, b: Rgb | string): number {
  const la = relativeLuminance(typeof a === 'string' ? parseHex(a) : a);
  const lb = relativeLuminance(typeof b === 'string' ? parseHex(b) : b);
  return contrastRatioOfLuminances(la, lb);
}

/**
 * The first candidate (in order of taste) that reaches `min` against the background;
 * when none does, the one with the highest ratio, so the caller can darken and retry.
 */
export function pickTextColor(
  background: Rgb | string,
  candidates: readonly string[],
  min: number = MIN_CONTRAST,
): { color: string; ratio: number } {
  let best = { color: candidates[0] ?? '#ffffff', ratio: 0 };
  for (const color of candidates) {
    const ratio = contrastRatio(color, background);
    if (ratio >= min) return { color, ratio };
    if (ratio > best.ratio) best = { color, ratio };
  }
  return best;
}

/**
 * The luminance that matters for light text over a photo: a high percentile of the
 * pixels behind it (the bright spots are where it would get lost), from RGBA bytes.
 */
export function luminancePercentile(rgba: Uint8ClampedArray | Uint8Array, percentile: number, step = 1): number {
  const lums: number[] = [];
  for (let i = 0; i + 3 < rgba.length; i += 4 * step) {
    lums.push(relativeLuminance([rgba[i] ?? 0, rgba[i + 1] ?? 0, rgba[i + 2] ?? 0]));
  }
  if (lums.length === 0) return 0;
  lums.sort((a, b) => a - b);
  const idx = Math.min(lums.length - 1, Math.max(0, Math.round((percentile / 100) * (lums.length - 1))));
  return lums[idx] ?? 0;
}

/** Mixes two colours: t = 0 gives a, t = 1 gives b. */
export function mix(a: Rgb | string, b: Rgb | string, t: number): string {
  const pa = typeof a === 'string' ? parseHex(a) : a;
  const pb = typeof b === 'string' ? parseHex(b) : b;
  return toHex([pa[0] + (pb[0] - pa[0]) * t, pa[1] + (pb[1] - pa[1]) * t, pa[2] + (pb[2] - pa[2]) * t]);
}

/**
 * A surface colour and a text colour on it that reach `min`: the surface as given when
 * a candidate already works, else the surface darkened step by step until white does.
 */
export function textOnSurface(
  surface: string,
  candidates: readonly string[],
  min: number = MIN_CONTRAST,
): { surface: string; color: string; ratio: number } {
  for (let t = 0; t <= 1.0001; t += 0.1) {
    const bg = t === 0 ? surface : mix(surface, '#000000', t);
    const pick = pickTextColor(bg, [...candidates, '#ffffff'], min);
    if (pick.ratio >= min) return { surface: bg, color: pick.color, ratio: pick.ratio };
  }
  return { surface: '#000000', color: '#ffffff', ratio: 21 };
}

/**
 * How opaque a black veil over a backdrop of luminance `backdrop` must be for text of
 * luminance `text` to reach `min` (0 when it already does). Multiplying sRGB values by
 * (1 - a) scales luminance by about (1 - a)^2.2; `margin` covers that approximation.
 */
export function veilAlphaFor(backdrop: number, text: number, min: number = MIN_CONTRAST, margin = 0.85): number {
  const target = ((text + 0.05) / min - 0.05) * margin;
  if (contrastRatioOfLuminances(text, backdrop) >= min || backdrop <= 0) return 0;
  if (target <= 0) return 1;
  return Math.min(1, Math.max(0, 1 - (target / backdrop) ** (1 / 2.2)));
}
