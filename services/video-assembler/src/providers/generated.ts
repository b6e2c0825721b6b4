import type { Palette, SegmentBrief, SegmentVisual, VisualProvider } from '../visuals.ts';

/** Dark, saturated palettes: white captions with a black outline stay readable on all of them. */
export const PALETTES: readonly Palette[] = [
  { name: 'aurora', base: ['#0b1d3a', '#16123f'], glows: ['#2ec4b6', '#7b2cbf'] },
  { name: 'ember', base: ['#1a0a0a', '#3d0c1e'], glows: ['#ff7b00', '#e0457b'] },
  { name: 'violet', base: ['#14102e', '#2a0c4e'], glows: ['#c77dff', '#4361ee'] },
  { name: 'ocean', base: ['#031a2e', '#0a2e4d'], glows: ['#00b4d8', '#3a86ff'] },
  { name: 'forest', base: ['#071a12', '#0f2f26'], glows: ['#52b788', '#2a9d8f'] },
  { name: 'magenta', base: ['#1b0624', '#3b0a3f'], glows: ['#ff4d8d', '#7209b7'] },
  { name: 'sunset', base: ['#1d0b2b', '#3a0f2e'], glows: ['#ff6b35', '#c9184a'] },
  { name: 'midnight', base: ['#0d1321', '#1d2d44'], glows: ['#5e60ce', '#48bfe3'] },
];

/** FNV-1a: a stable 32-bit hash, so that a heading always gets the same background. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Segments in a row that never share a palette (when there are enough palettes). */
const DISTINCT_RUN = 3;

/** A palette per segment chosen by its heading's hash, different from the last few segments'. */
export function generatedVisuals(briefs: readonly SegmentBrief[]): SegmentVisual[] {
  const recent: number[] = [];
  return briefs.map((brief) => {
    const seed = hashString(`${brief.segment}:${brief.heading}`);
    let index = hashString(brief.heading.trim().toLowerCase()) % PALETTES.length;
    while (recent.includes(index)) index = (index + 1) % PALETTES.length;
    recent.push(index);
    if (recent.length >= Math.min(DISTINCT_RUN, PALETTES.length)) recent.shift();
    const palette = PALETTES[index] ?? (PALETTES[0] as Palette);
    return { kind: 'generated', palette, seed, source: `gradient:${palette.name}` };
  });
}

/** The offline default: generated moving gradients, no files needed. */
export function createGeneratedProvider(): VisualProvider {
  return {
    name: 'generated',
    plan: (briefs) => Promise.resolve(generatedVisuals(briefs)),
  };
}
