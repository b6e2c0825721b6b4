/** Length of the transition into each section: short enough not to blur the words at a cut. */
export const TRANSITION_SEC = 0.4;

/**
 * How sections change: `fade` fades each section in from black (free: the fade filter touches only
 * its frames), `crossfade` blends from the previous section with xfade kinds in turn (measured: about
 * 2 CPU-s more per section on this machine, because ffmpeg 5.1 slows the whole chunk once xfade is in
 * its graph), `cut` changes at once.
 */
export const TRANSITION_STYLES = ['fade', 'crossfade', 'cut'] as const;
export type TransitionStyle = (typeof TRANSITION_STYLES)[number];

/** xfade transitions, one per section in turn. */
export const TRANSITIONS = ['fade', 'smoothleft', 'smoothup', 'fadeblack'] as const;
export type TransitionKind = (typeof TRANSITIONS)[number];

export function transitionFrames(fps: number): number {
  return Math.round(TRANSITION_SEC * fps);
}

/** The transition into `segment` (the hook has none; it is the caller's job not to ask for it). */
export function transitionKind(segment: number): TransitionKind {
  return TRANSITIONS[(((segment - 1) % TRANSITIONS.length) + TRANSITIONS.length) % TRANSITIONS.length] ?? 'fade';
}
