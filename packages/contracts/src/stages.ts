/** The seed's stage order, written once: every host walks this list. */
export const STAGES = [
  { key: 'keywords', service: 'keyword-fetcher', route: '/keywords/fetch', state: 'Keywords', port: 3002, event: 'pipeline.keywords.completed' },
  { key: 'script', service: 'script-generator', route: '/scripts/generate', state: 'Script', port: 3003, event: 'pipeline.script.completed' },
  { key: 'audio', service: 'tts-renderer', route: '/tts/render', state: 'Audio', port: 3004, event: 'pipeline.audio.completed' },
  { key: 'video', service: 'video-assembler', route: '/videos/assemble', state: 'Video', port: 3005, event: 'pipeline.video.completed' },
  { key: 'thumbnail', service: 'thumbnail-maker', route: '/thumbnails/generate', state: 'Thumbnail', port: 3006, event: 'pipeline.thumbnail.completed' },
  { key: 'metadata', service: 'metadata-builder', route: '/metadata/generate', state: 'Metadata', port: 3007, event: 'pipeline.metadata.completed' },
  { key: 'upload', service: 'uploader', route: '/upload/youtube', state: 'Upload', port: 3008, event: 'pipeline.upload.completed' },
  // The seed publishes pipeline.completed (not pipeline.abtest.completed) once the A/B test exists.
  { key: 'abtest', service: 'ab-tester', route: '/abtests/create', state: 'ABTest', port: 3009, event: 'pipeline.completed' },
] as const;

export type StageInfo = (typeof STAGES)[number];
export type StageKey = StageInfo['key'];
export type ServiceName = StageInfo['service'];

export const STAGE_KEYS = STAGES.map((s) => s.key) as readonly StageKey[];

export function stageInfo(key: StageKey): StageInfo {
  const info = STAGES.find((s) => s.key === key);
  if (!info) throw new Error(`unknown stage ${key}`);
  return info;
}
