import { randomUUID } from 'node:crypto';
import type { EventName, PipelineEvent, PipelineRequest, PipelineState, StageKey } from '@faceless/contracts';
import type { CheckpointStore, EventBus, EventHistory } from '@faceless/infra';
import { FacelessError, toFacelessError, withRetry, type ErrorCode } from '@faceless/runtime';
import { reviewedOutputs, type ReviewRecord } from './pipeline-review.ts';
import { SEED_CATALOG, type StageCatalog } from './stage-catalog.ts';
import type { StageOutputs } from './stage-inputs.ts';
import type { StageClient } from './stage-client.ts';

export interface StageRecord {
  status: 'completed';
  output: unknown;
  startedAt: string;
  finishedAt: string;
  attempts: number;
}

export interface StageProgress<K extends string = StageKey> {
  stage: K;
  /** Fraction done, in [0, 1]. */
  fraction: number;
  note?: string;
  at: string;
}

/** A running stage's progress is saved at most this often: a live percent without a write per frame. */
export const PROGRESS_SAVE_INTERVAL_MS = 500;

/** What survives a crash: enough to resume at the first unfinished stage. */
export interface PipelineCheckpoint<K extends string = StageKey> {
  version: 1;
  pipelineId: string;
  request: PipelineRequest;
  outputPrefix: string;
  state: PipelineState;
  currentStage?: K;
  stages: Partial<Record<K, StageRecord>>;
  error?: { stage: K; code: ErrorCode; message: string; attempts: number };
  /** The running stage's last progress report, for the status; dropped when the stage ends. */
  progress?: StageProgress<K>;
  /** When the running stage started, and when it ended once it failed: a completed stage's times are in its record. */
  stageRun?: { stage: K; startedAt: string; endedAt?: string };
  /** The review's decision, once taken: an approval's edits reach the stages after it. */
  review?: ReviewRecord;
  /** The trace of the request that started it (W3C headers): every run, a resume after a restart too, continues it. */
  trace?: Record<string, string>;
  /** Runs of the pipeline so far; a run after a failure is a retry. */
  runs: number;
  eventSeq: number;
  startedPublished: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface RunnerHooks<K extends string = StageKey> {
  onStageStart?(stage: K, info: { resumed: boolean }): void;
  onStageSkipped?(stage: K, record: StageRecord): void;
  onStageProgress?(stage: K, fraction: number, note?: string): void;
  onStageDone?(stage: K, record: StageRecord): void;
  onRetry?(stage: K, info: { attempt: number; delayMs: number; error: Error }): void;
  /** pipeline.started went out: once per pipeline, on its first run. */
  onPipelineStarted?(): void;
  /**
   * The pipeline ended (pipeline.completed or pipeline.failed went out). `seconds` runs from when it
   * was queued, or from the retry's start for a retry; a failure names the stage and error code.
   */
  onPipelineEnded?(outcome: 'completed' | 'failed', info: { seconds: number; stage?: K; code?: ErrorCode }): void;
}

export interface RunPipelineOptions<K extends string = StageKey> {
  pipelineId: string;
  request: PipelineRequest;
  outputPrefix?: string;
  /** The stages to run, in order (default the seed's). */
  catalog?: StageCatalog<K>;
  client: StageClient<K>;
  checkpoints: CheckpointStore<PipelineCheckpoint<K>>;
  bus: EventBus;
  /** Where every event is kept for late subscribers; unset in `faceless make`, which has none. */
  history?: EventHistory | undefined;
  signal?: AbortSignal;
  retry?: { attempts: number; baseDelayMs: number; maxDelayMs?: number };
  hooks?: RunnerHooks<K>;
  now?: () => Date;
}

export function newCheckpoint<K extends string = StageKey>(pipelineId: string, request: PipelineRequest, outputPrefix: string, at: string): PipelineCheckpoint<K> {
  return {
    version: 1, pipelineId, request, outputPrefix, state: 'Queued', stages: {}, runs: 0, eventSeq: 0,
    startedPublished: false, createdAt: at, updatedAt: at,
  };
}

/** What a queue hands the runner besides the checkpoint; optional settings may be absent. */
export interface ResumeDeps {
  client: StageClient;
  checkpoints: CheckpointStore<PipelineCheckpoint>;
  bus: EventBus;
  history?: EventHistory | undefined;
  signal: AbortSignal;
  retry?: RunPipelineOptions['retry'] | undefined;
  hooks?: RunnerHooks | undefined;
  now?: (() => Date) | undefined;
}

/** Runs (or resumes) the pipeline a stored checkpoint describes: the one call both queues make. */
export function resumePipeline(cp: PipelineCheckpoint, deps: ResumeDeps): Promise<PipelineCheckpoint> {
  return runPipeline({
    pipelineId: cp.pipelineId,
    request: cp.request,
    outputPrefix: cp.outputPrefix,
    client: deps.client,
    checkpoints: deps.checkpoints,
    bus: deps.bus,
    history: deps.history,
    signal: deps.signal,
    ...(deps.retry ? { retry: deps.retry } : {}),
    ...(deps.hooks ? { hooks: deps.hooks } : {}),
    ...(deps.now ? { now: deps.now } : {}),
  });
}

/** The event that follows the checkpoint's last one. */
function nextEvent(cp: { pipelineId: string; eventSeq: number }, name: EventName, at: string, stage: string | undefined, data: Record<string, unknown>): PipelineEvent {
  return { id: randomUUID(), name, pipelineId: cp.pipelineId, seq: cp.eventSeq + 1, at, ...(stage ? { stage } : {}), data };
}

export interface FailQueuedDeps {
  checkpoints: CheckpointStore<PipelineCheckpoint>;
  bus: EventBus;
  history?: EventHistory | undefined;
  hooks?: RunnerHooks | undefined;
  now?: (() => Date) | undefined;
}

/**
 * Ends a pipeline that is not running (taken off its queue) as a run would end: Failed with the
 * reason, and its pipeline.failed event, in the runner's order (history, checkpoint, bus). The
 * caller makes sure only one caller ends a given pipeline.
 */
export async function failQueuedPipeline(
  cp: PipelineCheckpoint, deps: FailQueuedDeps, reason: { code: ErrorCode; message: string },
): Promise<PipelineCheckpoint> {
  const at = (deps.now ?? (() => new Date()))().toISOString();
  const stage = cp.currentStage ?? 'keywords';
  const event = nextEvent(cp, 'pipeline.failed', at, stage, { code: reason.code, message: reason.message });
  const failed: PipelineCheckpoint = {
    ...cp, state: 'Failed', error: { stage, code: reason.code, message: reason.message, attempts: 0 }, eventSeq: event.seq, updatedAt: at,
  };
  await deps.history?.append(event);
  await deps.checkpoints.save(cp.pipelineId, failed);
  await deps.bus.publish(event);
  deps.hooks?.onPipelineEnded?.('failed', { seconds: secondsBetween(cp.createdAt, at), stage, code: reason.code });
  return failed;
}

function secondsBetween(from: string, to: string): number {
  return Math.max(0, (Date.parse(to) - Date.parse(from)) / 1000);
}

/** The stage outputs recorded in a checkpoint, typed by stage (a catalog's other stages are there too). */
export function checkpointOutputs<K extends string>(cp: PipelineCheckpoint<K>): Partial<StageOutputs> {
  const out: Record<string, unknown> = {};
  for (const [key, record] of Object.entries<StageRecord | undefined>(cp.stages)) if (record) out[key] = record.output;
  return out as Partial<StageOutputs>;
}

/**
 * Runs a pipeline through the seed's stages, checkpointing after each one. Running it again
 * resumes at the first unfinished stage; retryable errors are retried with backoff; any other
 * error fails the pipeline, naming the stage and the reason.
 */
export function runPipeline(options: RunPipelineOptions): Promise<PipelineCheckpoint>;
export function runPipeline<K extends string>(options: RunPipelineOptions<K> & { catalog: StageCatalog<K> }): Promise<PipelineCheckpoint<K>>;
export async function runPipeline<K extends string>(options: RunPipelineOptions<K>): Promise<PipelineCheckpoint<K>> {
  const catalog = options.catalog ?? (SEED_CATALOG as unknown as StageCatalog<K>);
  const now = options.now ?? (() => new Date());
  const signal = options.signal ?? new AbortController().signal;
  const retry = options.retry ?? { attempts: 3, baseDelayMs: 500 };
  const hooks = options.hooks ?? {};
  let cp = (await options.checkpoints.load(options.pipelineId))
    ?? newCheckpoint<K>(options.pipelineId, options.request, options.outputPrefix ?? '', now().toISOString());
  // Review: waits for a decision, which queues it again (as Queued) once approved.
  if (cp.state === 'Completed' || cp.state === 'Review') return cp;

  // Saves go out one after another in call order: a progress save still in flight must not land
  // after (and undo) the save that ends its stage.
  let lastSave: Promise<void> = Promise.resolve();
  const save = (patch: Partial<PipelineCheckpoint<K>>): Promise<void> => {
    cp = { ...cp, ...patch, updatedAt: now().toISOString() };
    const snapshot = cp;
    const saved = lastSave.then(() => options.checkpoints.save(snapshot.pipelineId, snapshot));
    lastSave = saved.catch(() => undefined);
    return saved;
  };
  const withoutProgress = (): void => {
    const { progress: _p, stageRun: _r, ...rest } = cp;
    cp = rest;
  };
  /**
   * History first, then the checkpoint (the patch and the new eventSeq in one save), then the bus:
   * once a checkpoint says Completed or Failed, the history already holds the event that ended it.
   */
  const publish = async (
    name: EventName, stage: K | undefined, data: Record<string, unknown>, patch: Partial<PipelineCheckpoint<K>> = {},
  ): Promise<void> => {
    const event = nextEvent(cp, name, now().toISOString(), stage, data);
    await options.history?.append(event);
    await save({ ...patch, eventSeq: event.seq });
    await options.bus.publish(event);
  };

  const wasFailed = cp.state === 'Failed';
  // A retry is timed from its own start; a first run (or one resumed after a crash) from when it was queued.
  const timedFrom = wasFailed ? now().toISOString() : cp.createdAt;
  const ended = (outcome: 'completed' | 'failed', failure: { stage?: K; code?: ErrorCode } = {}): void => {
    hooks.onPipelineEnded?.(outcome, { seconds: secondsBetween(timedFrom, now().toISOString()), ...failure });
  };
  if (wasFailed) await save({ state: 'Retry' });
  const { error: _previousError, ...rest } = cp;
  cp = rest;
  await save({ state: 'Running', runs: cp.runs + 1 });
  if (!cp.startedPublished) {
    await publish('pipeline.started', undefined, { topic: cp.request.topic }, { startedPublished: true });
    hooks.onPipelineStarted?.();
  }

  for (const info of catalog) {
    const done = cp.stages[info.key];
    if (done) {
      hooks.onStageSkipped?.(info.key, done);
      continue;
    }
    withoutProgress();
    if (info.awaitsReview && cp.request.review && cp.review?.decision !== 'approve') {
      // No event: the seed's sequence stays as it is. The queue's slot is freed when this run returns.
      const { review: _rejectedBefore, ...waiting } = cp;
      cp = waiting;
      await save({ state: 'Review', currentStage: info.key });
      return cp;
    }
    const startedAt = now().toISOString();
    await save({ state: info.state, currentStage: info.key, stageRun: { stage: info.key, startedAt } });
    hooks.onStageStart?.(info.key, { resumed: cp.runs > 1 });
    let attempts = 0;
    let stageRunning = true;
    let lastProgressAt = -Infinity;
    const onProgress = (fraction: number, note?: string): void => {
      hooks.onStageProgress?.(info.key, fraction, note);
      const at = Date.now();
      if (!stageRunning || at - lastProgressAt < PROGRESS_SAVE_INTERVAL_MS || !Number.isFinite(fraction)) return;
      lastProgressAt = at;
      const progress: StageProgress<K> = { stage: info.key, fraction: Math.min(1, Math.max(0, fraction)), ...(note ? { note } : {}), at: now().toISOString() };
      // Progress is shown, not relied on: a failed save of it must not fail the stage.
      save({ progress }).catch(() => undefined);
    };
    try {
      const input = info.buildInput({
        pipelineId: cp.pipelineId, request: cp.request, outputPrefix: cp.outputPrefix, outputs: reviewedOutputs(checkpointOutputs(cp), cp.review),
      });
      const output = await withRetry(async (attempt) => {
        attempts = attempt;
        return options.client.call(info.key, input, {
          pipelineId: cp.pipelineId,
          signal,
          onProgress,
        });
      }, { ...retry, signal, onRetry: (r) => hooks.onRetry?.(info.key, r) });
      stageRunning = false;
      withoutProgress();
      const record: StageRecord = { status: 'completed', output, startedAt, finishedAt: now().toISOString(), attempts };
      // The record and its event in one save: a crash cannot keep the stage and lose its event. The
      // last stage's event is pipeline.completed: the same save makes the pipeline Completed.
      const last = info.event === 'pipeline.completed';
      if (last) {
        const { currentStage: _c, ...rest } = cp;
        cp = rest;
      }
      const patch = { stages: { ...cp.stages, [info.key]: record }, ...(last ? { state: 'Completed' as const } : {}) };
      if (info.event) await publish(info.event, info.key, info.eventData(output), patch);
      else await save(patch);
      hooks.onStageDone?.(info.key, record);
    } catch (err) {
      stageRunning = false;
      withoutProgress();
      const stageRun = { stage: info.key, startedAt, endedAt: now().toISOString() };
      const error = toFacelessError(err);
      if (error.code === 'CANCELLED' || signal.aborted) {
        const message = 'cancelled by the user';
        await publish('pipeline.failed', info.key, { code: 'CANCELLED', message }, { state: 'Failed', error: { stage: info.key, code: 'CANCELLED', message, attempts }, stageRun });
        ended('failed', { stage: info.key, code: 'CANCELLED' });
        throw new FacelessError('CANCELLED', `cancelled during the ${info.key} stage`, { cause: error });
      }
      const failure = { stage: info.key, code: error.code, message: error.message, attempts };
      await publish('pipeline.failed', info.key, { code: error.code, message: error.message }, { state: 'Failed', error: failure, stageRun });
      ended('failed', { stage: info.key, code: error.code });
      throw new FacelessError(error.code, `the ${info.key} stage (${info.service}) failed after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${error.message}`, {
        cause: error, retryable: false, ...(error.field ? { field: error.field } : {}),
      });
    }
  }
  if (cp.state !== 'Completed') {
    const { currentStage: _c, ...finished } = cp;
    cp = finished;
    await save({ state: 'Completed' });
  }
  ended('completed');
  return cp;
}
