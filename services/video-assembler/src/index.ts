import type { StageFactoryOptions } from '@faceless/runtime';
import { parseVideoAssemblerConfig, pexelsCacheDir } from './config.ts';
import { createPexelsSource } from './providers/pexels.ts';
import { createVideoAssemblerStage } from './stage.ts';
import type { VideoAssemblerDeps, VideoAssemblerStage } from './stage.ts';

export { createVideoAssemblerStage, DEFAULT_ENCODE, montserratFontFiles, segmentBriefs } from './stage.ts';
export type { VideoAssemblerStage, VideoAssemblerDeps, RenderReport } from './stage.ts';
export { parseVideoAssemblerConfig, pexelsCacheDir, VideoAssemblerConfig, X264_PRESETS } from './config.ts';
export { buildAssCaptions, captionEvents, captionLayout, captionSafeArea, chunkWords, groupWords, escapeAssText, CAPTION_FONT, CAPTION_STYLES } from './captions.ts';
export type { CaptionStyleName } from './captions.ts';
export { scanMediaDir, matchMedia, matchByKeyword, fillRoundRobin, keywordTokens, probeMedia } from './media-library.ts';
export type { MediaItem, MediaScan, MediaProbe } from './media-library.ts';
export { createGeneratedProvider, generatedVisuals, PALETTES } from './providers/generated.ts';
export { createMediaFolderProvider } from './providers/media-folder.ts';
export { createVisualChain } from './providers/visual-chain.ts';
export type { VisualChainOptions } from './providers/visual-chain.ts';
export { createPexelsSource, chooseVideoFile, searchQueries, pexelsCredit, PEXELS_API_URL } from './providers/pexels.ts';
export type { PexelsOptions } from './providers/pexels.ts';
export type { SegmentVisual, VisualProvider, SegmentBrief, Palette, PlanOptions, StockSource, StockSession, VideoFrame } from './visuals.ts';
export { FPS, OUTPUT_SIZES, outputSize } from './video-format.ts';
export { syntheticNarration, writeToneWav } from './synthetic-narration.ts';

/**
 * The video-assembler stage with the settings the environment chooses (all optional); Pexels only with PEXELS_API_KEY.
 * `hooks` are the host's (the service records render speed with onRendered).
 */
export function createStage(options: StageFactoryOptions, hooks: Pick<VideoAssemblerDeps, 'onRendered'> = {}): VideoAssemblerStage {
  const config = parseVideoAssemblerConfig(options.env);
  const apiKey = config.PEXELS_API_KEY;
  return createVideoAssemblerStage({
    encode: { preset: config.VIDEO_ASSEMBLER_X264_PRESET, crf: config.VIDEO_ASSEMBLER_CRF, x264Params: config.VIDEO_ASSEMBLER_X264_PARAMS },
    concurrency: config.VIDEO_ASSEMBLER_CONCURRENCY,
    chunkSec: config.VIDEO_ASSEMBLER_CHUNK_SEC,
    musicDb: config.VIDEO_ASSEMBLER_MUSIC_DB,
    transitionStyle: config.VIDEO_ASSEMBLER_TRANSITIONS,
    ...(config.VIDEO_ASSEMBLER_MUSIC_DIR ? { musicDir: config.VIDEO_ASSEMBLER_MUSIC_DIR } : {}),
    ...(apiKey ? { stock: createPexelsSource({ apiKey, baseUrl: config.PEXELS_API_URL, cacheDir: pexelsCacheDir(config) }) } : {}),
    ...hooks,
  });
}
