/** Colours of a generated background: a dark two-colour gradient lit by two saturated glows. */
export interface Palette {
  name: string;
  base: readonly [string, string];
  glows: readonly [string, string];
}

/** What one segment shows. `source` is what the output's `visuals` reports. */
export type SegmentVisual =
  | { kind: 'generated'; palette: Palette; seed: number; source: string }
  | { kind: 'image'; path: string; source: string }
  | { kind: 'clip'; path: string; durationSec: number; source: string };

export type VisualKind = SegmentVisual['kind'];

/** What a visual provider is told about each segment. */
export interface SegmentBrief {
  segment: number;
  heading: string;
  /** The section's visualKeywords (empty for the hook and the call to action). */
  keywords: readonly string[];
}

/** Chooses what each segment shows; one implementation per source of visuals (generated, a media folder…). */
export interface VisualProvider {
  readonly name: string;
  /** One visual per brief, in order; problems the user should hear about go to `warn`. */
  plan(briefs: readonly SegmentBrief[], options: { signal: AbortSignal; warn: (message: string) => void }): Promise<SegmentVisual[]>;
}
