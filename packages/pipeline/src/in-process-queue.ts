import type { PipelineReviewRequest, PipelineState } from '@faceless/contracts';
import type { CheckpointStore, EventBus, EventHistory } from '@faceless/infra';
import { FacelessError, createLogger, inSpan, withPipelineId, type Logger } from '@faceless/runtime';
import type { CancelOutcome, PipelineQueuePort } from './orchestrator-app.ts';
import { failQueuedPipeline, resumePipeline, type PipelineCheckpoint, type RunPipelineOptions } from './pipeline-runner.ts';
import { decideReview } from './review-decision.ts';
import type { StageClient } from './stage-client.ts';

export interface InProcessPipelineQueueOptions {
  client: StageClient;
  checkpoints: CheckpointStore<PipelineCheckpoint>;
  bus: EventBus;
  /** Where every event the pipelines publish is kept, for GET /pipelines/:id/events. */
  history: EventHistory;
  /** Pipelines run at once (default 1). */
  concurrency?: number;
  retry?: RunPipelineOptions['retry'];
  hooks?: RunPipelineOptions['hooks'];
  log?: Logger;
  now?: () => Date;
}

interface Running {
  controller: AbortController;
  done: Promise<void>;
}

/**
 * The BullMQ PipelineQueue's semantics without Redis, for `faceless serve`: pipelines run in this
 * process in the order they were queued, `concurrency` at a time; cancel aborts a running one or
 * takes a waiting one out and marks it Failed (CANCELLED). Either way it ends with one pipeline.failed.
 */
export class InProcessPipelineQueue implements PipelineQueuePort {
  private readonly waiting: string[] = [];
  private readonly running = new Map<string, Running>();
  private readonly idleWaiters: (() => void)[] = [];
  /** Pipelines a cancel or a review decision is changing outside a run: a second one meanwhile must not act again. */
  private readonly ending = new Set<string>();
  private readonly concurrency: number;
  private readonly log: Logger;
  private readonly now: () => Date;
  private closed = false;

  constructor(private readonly options: InProcessPipelineQueueOptions) {
    this.concurrency = Math.max(1, options.concurrency ?? 1);
    this.log = options.log ?? createLogger({ level: 'error' });
    this.now = options.now ?? (() => new Date());
  }

  /** Queues a pipeline whose checkpoint is saved; one already waiting is not queued twice. */
  enqueue(pipelineId: string): Promise<void> {
    if (this.closed) return Promise.reject(new FacelessError('STAGE_UNAVAILABLE', 'the server is stopping: start the pipeline again once it is back'));
    // A pipeline still finishing its last run waits here until that run ends.
    if (!this.waiting.includes(pipelineId)) this.waiting.push(pipelineId);
    this.pump();
    return Promise.resolve();
  }

  /** Pipelines waiting, in the order they will start. */
  queued(): string[] {
    return [...this.waiting];
  }

  /** Pipelines running now. */
  active(): string[] {
    return [...this.running.keys()];
  }

  async cancel(pipelineId: string): Promise<CancelOutcome> {
    const index = this.waiting.indexOf(pipelineId);
    if (index >= 0) this.waiting.splice(index, 1);
    const run = this.running.get(pipelineId);
    if (run) {
      run.controller.abort(new FacelessError('CANCELLED', `pipeline ${pipelineId} was cancelled`));
      return 'signalled';
    }
    if (this.ending.has(pipelineId)) return 'dequeued';
    this.ending.add(pipelineId);
    try {
      const cp = await this.options.checkpoints.load(pipelineId);
      // Started meanwhile (enqueued again and picked up while the checkpoint loaded): abort that run instead.
      const started = this.running.get(pipelineId);
      if (started) {
        started.controller.abort(new FacelessError('CANCELLED', `pipeline ${pipelineId} was cancelled`));
        return 'signalled';
      }
      if (cp && cp.state !== 'Completed' && cp.state !== 'Failed') {
        await failQueuedPipeline(cp, { ...this.options, now: this.now }, { code: 'CANCELLED', message: 'cancelled by the user' });
      }
    } finally {
      this.ending.delete(pipelineId);
    }
    return 'dequeued';
  }

  /** A pipeline waiting in Review is in neither list: approving it queues it again here. */
  async review(pipelineId: string, decision: PipelineReviewRequest): Promise<PipelineState> {
    if (this.ending.has(pipelineId)) {
      throw new FacelessError('NOT_IN_REVIEW', `pipeline ${pipelineId} is being cancelled or decided on already`, { field: 'id' });
    }
    this.ending.add(pipelineId);
    try {
      const cp = await this.options.checkpoints.load(pipelineId);
      if (!cp) throw new FacelessError('NOT_FOUND', `no pipeline with id "${pipelineId}"`, { field: 'id' });
      return await decideReview(cp, decision, { ...this.options, now: this.now, enqueue: (id) => this.enqueue(id) });
    } finally {
      this.ending.delete(pipelineId);
    }
  }

  /** Nothing outside this process to reach: always ready. */
  ping(): Promise<boolean> {
    return Promise.resolve(true);
  }

  /** Resolves once no pipeline is running or waiting. */
  idle(): Promise<void> {
    if (this.running.size === 0 && this.waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Stops taking pipelines. Waiting ones stay Queued in their checkpoints; running ones are waited
   * for, or with `abort` cancelled (they end Failed, CANCELLED, and a retry resumes them).
   */
  async close(options: { abort?: boolean } = {}): Promise<void> {
    this.closed = true;
    this.waiting.length = 0;
    if (options.abort) {
      for (const [id, run] of this.running) run.controller.abort(new FacelessError('CANCELLED', `pipeline ${id} was stopped with the server`));
    }
    await Promise.all([...this.running.values()].map((r) => r.done));
    this.notifyIdle();
  }

  private pump(): void {
    while (!this.closed && this.running.size < this.concurrency) {
      const index = this.waiting.findIndex((id) => !this.running.has(id));
      if (index < 0) break;
      const [pipelineId] = this.waiting.splice(index, 1);
      if (pipelineId !== undefined) this.start(pipelineId);
    }
    this.notifyIdle();
  }

  private start(pipelineId: string): void {
    const controller = new AbortController();
    const done = this.run(pipelineId, controller.signal)
      .catch((err: unknown) => {
        this.log.warn('pipeline failed', { pipelineId, error: err instanceof Error ? err.message : String(err) });
      })
      .finally(() => {
        this.running.delete(pipelineId);
        this.pump();
      });
    this.running.set(pipelineId, { controller, done });
  }

  private async run(pipelineId: string, signal: AbortSignal): Promise<void> {
    const cp = await this.options.checkpoints.load(pipelineId);
    if (!cp) throw new FacelessError('NOT_FOUND', `pipeline ${pipelineId} has no checkpoint`);
    // Failed: cancelled while it waited (a retry sets Retry before queuing it again).
    if (cp.state === 'Completed' || cp.state === 'Failed') return;
    this.log.info('pipeline run', { pipelineId, resumeFrom: cp.state });
    // As on BullMQ: one span per run, in the trace of the request that started the pipeline (kept in its checkpoint).
    await withPipelineId(pipelineId, () => inSpan('pipeline', { kind: 'consumer', parent: cp.trace, attributes: { 'faceless.pipeline.id': pipelineId } }, () => resumePipeline(cp, {
      client: this.options.client,
      checkpoints: this.options.checkpoints,
      bus: this.options.bus,
      history: this.options.history,
      signal,
      retry: this.options.retry,
      hooks: this.options.hooks,
      now: this.now,
    })));
  }

  private notifyIdle(): void {
    if (this.running.size > 0 || (this.waiting.length > 0 && !this.closed)) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
