import type { StageKey } from '@faceless/contracts';

/** Canned outputs shaped like the contracts, enough for buildStageInput to chain the stages. */
export const FAKE_STAGE_OUTPUTS: Record<StageKey, unknown> = {
  keywords: { topic: 't', provider: 'fake', keywords: [{ keyword: 'k', score: 1, reason: 'r', source: 's' }] },
  script: { provider: 'fake', script: { lang: 'en', titleIdea: 'T', hook: 'h', sections: [{ heading: 'A', narration: 'a', visualKeywords: [] }], callToAction: 'c', wordCount: 3, estimatedDurationSec: 1 } },
  audio: { provider: 'fake', voice: 'v', audioPath: 'voice.wav', durationSec: 3, words: [{ text: 'h', start: 0, end: 1, segment: 0 }], segments: [{ heading: 'Intro', start: 0, end: 1 }] },
  video: { videoPath: 'video.mp4', durationSec: 3, width: 1080, height: 1920, visuals: [], posterPath: 'poster.jpg' },
  thumbnail: { thumbnailPath: 'thumbnails/thumb-1.jpg', variants: [{ id: 'A', path: 'thumbnails/thumb-1.jpg' }, { id: 'B', path: 'thumbnails/thumb-2.jpg' }] },
  metadata: { provider: 'fake', metadataPath: 'metadata.json', metadata: { title: 'T', titleAlternatives: ['T2'], description: '', tags: [], hashtags: [], chapters: [], categoryId: '27', defaultLanguage: 'en' } },
  upload: { target: 'local', videoId: 'vid', publishAt: '2026-01-01T00:00:00Z', privacyStatus: 'private' },
  abtest: { testId: 'test', status: 'running', variants: [{ id: '1', label: 'A' }, { id: '2', label: 'B' }] },
};
