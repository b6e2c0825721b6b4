import type { z } from 'zod';
import {
  AbTestCreateInput, AbTestCreateOutput, KeywordsFetchInput, KeywordsFetchOutput, MetadataGenerateInput, MetadataGenerateOutput,
  ScriptGenerateInput, ScriptGenerateOutput, ThumbnailGenerateInput, ThumbnailGenerateOutput, TtsRenderInput, TtsRenderOutput,
  UploadInput, UploadOutput, VideoAssembleInput, VideoAssembleOutput, stageInfo,
  type EventName, type PipelineState, type StageKey,
} from '@faceless/contracts';
import { buildStageInput, type StageInputContext, type StageOutputs } from './stage-inputs.ts';

/** How long a call may take: `long` for the stages whose work grows with the video's length. */
export type TimeoutClass = 'short' | 'long';

/**
 * One stage of the pipeline, declared once: where it is served, what it takes and gives, how its
 * input is built from the request and the earlier stages' outputs, and what its event says.
 * Every host (runner, both stage clients, status) reads the stage from here.
 */
export interface PipelineStage<K extends string = string> {
  key: K;
  service: string;
  /** Its port as a service, and `<SERVICE>_URL`'s default. */
  port: number;
  route: string;
  /** The pipeline's state while it runs (a stage outside the seed's state machine runs as Running). */
  state: PipelineState;
  /** The seed event published when it completes; a stage without one adds no event to the seed's sequence. */
  event?: EventName;
  timeout: TimeoutClass;
  /** A pipeline started with `review` waits in the Review state before this stage until it is approved. */
  awaitsReview?: true;
  input: z.ZodType;
  output: z.ZodType;
  /** What it does, in one line for people (CLI help, logs, docs). */
  summary: string;
  buildInput(context: StageInputContext): unknown;
  /** A small, byte-free summary of its output for its event. */
  eventData(output: unknown): Record<string, unknown>;
}

export type StageCatalog<K extends string = string> = readonly PipelineStage<K>[];

function pick(output: unknown, ...keys: string[]): Record<string, unknown> {
  const o = (output ?? {}) as Record<string, unknown>;
  return Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));
}

/** A seed stage: its wire facts (service, port, route, state, event) from the contract, the rest here. */
function seedStage<K extends StageKey>(
  key: K,
  rest: Pick<PipelineStage<K>, 'timeout' | 'awaitsReview' | 'input' | 'output' | 'summary'> & { eventData(output: StageOutputs[K]): Record<string, unknown> },
): PipelineStage<StageKey> {
  const { service, port, route, state, event } = stageInfo(key);
  return {
    key, service, port, route, state, event, ...rest,
    buildInput: (context) => buildStageInput(key, context),
    eventData: (output) => rest.eventData(output as StageOutputs[K]),
  };
}

/** The seed's eight stages, in the order a pipeline runs them. */
export const SEED_CATALOG: StageCatalog<StageKey> = [
  seedStage('keywords', {
    timeout: 'short', input: KeywordsFetchInput, output: KeywordsFetchOutput,
    summary: 'ranked keywords for the topic (search suggestions, YouTube, Trends)',
    eventData: (o) => ({ count: Array.isArray(o.keywords) ? o.keywords.length : 0 }),
  }),
  seedStage('script', {
    timeout: 'short', input: ScriptGenerateInput, output: ScriptGenerateOutput,
    summary: 'the script: title idea, hook, sections and call to action, sized to the duration',
    eventData: (o) => ({ title: o.script?.titleIdea }),
  }),
  seedStage('audio', {
    timeout: 'long', input: TtsRenderInput, output: TtsRenderOutput,
    summary: 'the voice-over with word timings',
    eventData: (o) => pick(o, 'audioPath', 'durationSec'),
  }),
  seedStage('video', {
    timeout: 'long', input: VideoAssembleInput, output: VideoAssembleOutput,
    summary: 'the captioned video over clips, photos or generated backgrounds, with music',
    eventData: (o) => pick(o, 'videoPath', 'durationSec'),
  }),
  seedStage('thumbnail', {
    timeout: 'short', input: ThumbnailGenerateInput, output: ThumbnailGenerateOutput,
    summary: 'the thumbnail and its A/B variants',
    eventData: (o) => pick(o, 'thumbnailPath'),
  }),
  seedStage('metadata', {
    timeout: 'short', input: MetadataGenerateInput, output: MetadataGenerateOutput,
    summary: 'title, description, tags and chapters within YouTube\'s limits',
    eventData: (o) => ({ title: o.metadata?.title }),
  }),
  seedStage('upload', {
    timeout: 'long', awaitsReview: true, input: UploadInput, output: UploadOutput,
    summary: 'the upload to YouTube (resumable) or to the local channel folder',
    eventData: (o) => pick(o, 'videoId', 'publishAt'),
  }),
  seedStage('abtest', {
    timeout: 'short', input: AbTestCreateInput, output: AbTestCreateOutput,
    summary: 'the A/B test of thumbnails and titles',
    eventData: (o) => pick(o, 'testId'),
  }),
];

/** A stage of a catalog by key; an unknown key is a bug in the caller, named in the message. */
export function catalogStage<K extends string>(catalog: StageCatalog<K>, key: K): PipelineStage<K> {
  const stage = catalog.find((s) => s.key === key);
  if (!stage) throw new Error(`stage "${key}" is not in the catalog (${catalog.map((s) => s.key).join(', ')})`);
  return stage;
}
