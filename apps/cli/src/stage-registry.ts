import type { StageKey } from '@faceless/contracts';
import type { Stage, StageFactoryOptions } from '@faceless/runtime';

interface ServiceModule {
  createStage(options: StageFactoryOptions): Stage | Promise<Stage>;
}

/** Imported on first use, so `faceless --help` does not load ffmpeg builders, canvas or PGlite. */
const LOADERS: Record<StageKey, () => Promise<ServiceModule>> = {
  keywords: () => import('@faceless/keyword-fetcher'),
  script: () => import('@faceless/script-generator'),
  audio: () => import('@faceless/tts-renderer'),
  video: () => import('@faceless/video-assembler'),
  thumbnail: () => import('@faceless/thumbnail-maker'),
  metadata: () => import('@faceless/metadata-builder'),
  upload: () => import('@faceless/uploader'),
  abtest: () => import('@faceless/ab-tester'),
};

/** Builds each stage once, from the services' own packages. */
export function stageRegistry(options: StageFactoryOptions): (key: StageKey) => Promise<Stage> {
  const cache = new Map<StageKey, Promise<Stage>>();
  return (key) => {
    let stage = cache.get(key);
    if (!stage) {
      stage = LOADERS[key]().then((m) => m.createStage(options));
      cache.set(key, stage);
    }
    return stage;
  };
}
