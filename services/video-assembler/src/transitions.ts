/** Length of the transition into each section: short enough not to blur the words at a cut. */
export const TRANSITION_SEC = 0.4;

/**
 * How sections change: `crossfade` (the default) blends from the previous section with xfade kinds
 * in turn, each transition rendered as its own short chunk so that the long chunks stay simple
 * (xfade slows every frame of a graph it is in, in ffmpeg 5.1); `fade` fades each section in from
 * black (the fade filter touches only its frames); `cut` changes at once.
 */
export const TRANSITION_STYLES = ['crossfade', 'fade', 'cut'] as const;
export type TransitionStyle = (typeof TRANSITION_STYLES)[number];

/** xfade transitions, one per section in turn: a dissolve and two soft pushes, none through black. */
export const TRANSITIONS = ['fade', 'smoothleft', 'smoothup'] as const;
export type TransitionKind = (typeof TRANSITIONS)[number];

export function transitionFrames(fps: number): number {
  return Math.round(TRANSITION_SEC * fps);
}

/** The transition into `segment` (the hook has none; it is the caller's job not to ask for it). */
export function transitionKind(segment: number): TransitionKind {
  return TRANSITIONS[(((segment - 1) % TRANSITIONS.length) + TRANSITIONS.length) % TRANSITIONS.length] ?? 'fade';
}
