/** Length of the transition into each section: short enough not to blur the words at a cut. */
export const TRANSITION_SEC = 0.4;

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
