import type { Aspect } from '@faceless/contracts';

/** Colours of a generated background: a dark two-colour gradient lit by two saturated glows. */
export interface Palette {
  name: string;
  base: readonly [string, string];
  glows: readonly [string, string];
}

/**
 * What one segment shows. `source` is what the output's `visuals` reports; `credit` is the
 * attribution line a stock image or clip requires (it goes to the output's `credits`).
 */
export type SegmentVisual =
  | { kind: 'generated'; palette: Palette; seed: number; source: string }
  | { kind: 'image'; path: string; source: string; credit?: string }
  | { kind: 'clip'; path: string; durationSec: number; source: string; credit?: string };

export type VisualKind = SegmentVisual['kind'];

/** What a visual provider is told about each segment. */
export interface SegmentBrief {
  segment: number;
  heading: string;
  /** The section's visualKeywords (empty for the hook and the call to action). */
  keywords: readonly string[];
  /** How long the segment stays on screen, when known: clips shorter than this would loop. */
  durationSec?: number;
}

/** The finished video's frame: stock searches ask for its orientation and pick files near its size. */
export interface VideoFrame {
  aspect: Aspect;
  width: number;
  height: number;
}

export interface PlanOptions {
  signal: AbortSignal;
  warn: (message: string) => void;
  frame?: VideoFrame;
}

/** Chooses what each segment shows; one implementation per source of visuals (generated, a media folder…). */
export interface VisualProvider {
  readonly name: string;
  /** One visual per brief, in order; problems the user should hear about go to `warn`. */
  plan(briefs: readonly SegmentBrief[], options: PlanOptions): Promise<SegmentVisual[]>;
}

/**
 * Stock footage found by keywords (Pexels). A session serves one video, so that it never hands
 * out the same clip twice and stops asking once the service refused (bad key, quota spent).
 */
export interface StockSource {
  readonly name: string;
  session(options: { signal: AbortSignal; warn: (message: string) => void; frame: VideoFrame }): StockSession;
}

export interface StockSession {
  /** A clip for the brief searched by `keywords`, or undefined when there is none (the reason went to `warn`). */
  find(brief: SegmentBrief, keywords: readonly string[]): Promise<SegmentVisual | undefined>;
}
