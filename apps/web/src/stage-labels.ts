import type { StageKey } from '@faceless/contracts';

/** What a person calls each stage; the progress bars' accessible names start with these (the browser tests rely on them). */
export const STAGE_LABELS = {
  keywords: 'Keywords',
  script: 'Script',
  audio: 'Voice-over',
  video: 'Video',
  thumbnail: 'Thumbnails',
  metadata: 'Metadata',
  upload: 'Publish',
  abtest: 'A/B test',
} as const satisfies Record<StageKey, string>;

/** The seed's order (packages/contracts STAGES); a test checks the two agree. */
export const STAGE_ORDER = Object.keys(STAGE_LABELS) as StageKey[];
