import type {
  AbTestCreateInput, KeywordsFetchInput, KeywordsFetchOutput, MetadataGenerateInput, MetadataGenerateOutput,
  PipelineRequest, ScriptGenerateInput, ScriptGenerateOutput, StageKey, ThumbnailGenerateInput,
  ThumbnailGenerateOutput, TtsRenderInput, TtsRenderOutput, UploadInput, UploadOutput, VideoAssembleInput,
  VideoAssembleOutput, AbTestCreateOutput,
} from '@faceless/contracts';

/** The output of each stage, by stage key. */
export interface StageOutputs {
  keywords: KeywordsFetchOutput;
  script: ScriptGenerateOutput;
  audio: TtsRenderOutput;
  video: VideoAssembleOutput;
  thumbnail: ThumbnailGenerateOutput;
  metadata: MetadataGenerateOutput;
  upload: UploadOutput;
  abtest: AbTestCreateOutput;
}

/** The input each stage receives, by stage key (before the stage's defaults apply). */
export interface StageInputs {
  keywords: Partial<KeywordsFetchInput>;
  script: Partial<ScriptGenerateInput>;
  audio: Partial<TtsRenderInput>;
  video: Partial<VideoAssembleInput>;
  thumbnail: Partial<ThumbnailGenerateInput>;
  metadata: Partial<MetadataGenerateInput>;
  upload: Partial<UploadInput>;
  abtest: Partial<AbTestCreateInput>;
}

export interface StageInputContext {
  pipelineId: string;
  request: PipelineRequest;
  /** Object-store prefix for this pipeline's artifacts ("" for a local run into its own folder). */
  outputPrefix: string;
  outputs: Partial<StageOutputs>;
}

function need<K extends StageKey>(outputs: Partial<StageOutputs>, key: K): StageOutputs[K] {
  const out = outputs[key];
  if (!out) throw new Error(`stage ${key} has no output yet`);
  return out;
}

/** How the pipeline feeds each stage from the request and the stages before it: the data flow, written once. */
export function buildStageInput<K extends StageKey>(key: K, c: StageInputContext): StageInputs[K] {
  const { request: r, outputs: o, outputPrefix } = c;
  const inputs: { [S in StageKey]: () => StageInputs[S] } = {
    keywords: () => ({ topic: r.topic, lang: r.lang }),
    script: () => ({
      topic: r.topic,
      lang: r.lang,
      durationSec: r.durationSec,
      keywords: need(o, 'keywords').keywords.slice(0, 12).map((k) => k.keyword),
      ...(r.scriptText ? { sourceText: r.scriptText } : {}),
      ...(r.voiceSpeed ? { voiceSpeed: r.voiceSpeed } : {}),
    }),
    audio: () => ({
      outputPrefix,
      script: need(o, 'script').script,
      lang: r.lang,
      ...(r.voice ? { voice: r.voice } : {}),
      ...(r.voiceSpeed ? { speed: r.voiceSpeed } : {}),
      // A generated script is paced to the length asked; the user's own text is read as written.
      ...(r.scriptText ? {} : { targetDurationSec: r.durationSec }),
    }),
    video: () => {
      const audio = need(o, 'audio');
      return {
        outputPrefix,
        audioPath: audio.audioPath,
        durationSec: audio.durationSec,
        words: audio.words,
        segments: audio.segments,
        sections: need(o, 'script').script.sections,
        aspect: r.aspect,
        captionStyle: r.captionStyle,
        lang: r.lang,
        music: r.music,
        ...(r.mediaDir ? { mediaDir: r.mediaDir } : {}),
        ...(r.musicDir ? { musicDir: r.musicDir } : {}),
        ...(r.mood ? { mood: r.mood } : {}),
        ...(r.captions ? { captions: r.captions } : {}),
      };
    },
    thumbnail: () => {
      const poster = need(o, 'video').posterPath;
      return {
        outputPrefix,
        title: need(o, 'script').script.titleIdea,
        lang: r.lang,
        ...(poster ? { backgroundPath: poster } : {}),
      };
    },
    metadata: () => ({
      outputPrefix,
      script: need(o, 'script').script,
      lang: r.lang,
      keywords: need(o, 'keywords').keywords.slice(0, 20).map((k) => k.keyword),
      segments: need(o, 'audio').segments,
      durationSec: need(o, 'video').durationSec,
      credits: need(o, 'video').credits,
    }),
    upload: () => ({
      outputPrefix,
      pipelineId: c.pipelineId,
      videoPath: need(o, 'video').videoPath,
      thumbnailPath: need(o, 'thumbnail').thumbnailPath,
      ...(o.video?.captionsSrtPath ? { captionsPath: o.video.captionsSrtPath } : {}),
      metadata: need(o, 'metadata').metadata,
      channel: r.channel,
    }),
    abtest: () => {
      const meta = need(o, 'metadata').metadata;
      const titles = [meta.title, ...meta.titleAlternatives];
      const upload = need(o, 'upload');
      return {
        pipelineId: c.pipelineId,
        videoId: upload.videoId,
        // Only a YouTube upload has a channel whose titles and thumbnails the ab-tester switches.
        ...(upload.target === 'youtube' ? { channel: upload.channel ?? r.channel } : {}),
        variants: need(o, 'thumbnail').variants.map((v, i) => ({
          label: v.id,
          thumbnailPath: v.path,
          title: titles[i % titles.length] ?? meta.title,
        })),
      };
    },
  };
  return inputs[key]();
}
