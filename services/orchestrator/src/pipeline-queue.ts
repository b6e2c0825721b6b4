import { Queue, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { CheckpointStore, EventBus, EventHistory } from '@faceless/infra';
import {
  FacelessError, createLogger, createOperatorMetrics, inSpan, sleep, traceCarrier, withPipelineId, type Logger, type MetricsRegistry, type TraceCarrier,
} from '@faceless/runtime';
import {
  decideReview, failQueuedPipeline, resumePipeline, type CancelOutcome, type PipelineCheckpoint, type PipelineQueuePort, type RunPipelineOptions,
  type StageClient,
} from '@faceless/pipeline';
import type { PipelineReviewRequest, PipelineState } from '@faceless/contracts';

export const DEFAULT_QUEUE_NAME = 'faceless-pipelines';

export interface PipelineJobData {
  pipelineId: string;
  /** The trace of the request that queued it: a run, or a resume after a restart, continues it. */
  trace?: TraceCarrier;
}

export interface PipelineQueueOptions {
  /** An ioredis connection created with `maxRetriesPerRequest: null` (BullMQ needs it); not closed here. */
  redis: Redis;
  queueName?: string;
  client: StageClient;
  checkpoints: CheckpointStore<PipelineCheckpoint>;
  bus: EventBus;
  /** Where every event the pipelines publish is kept, for GET /pipelines/:id/events. */
  history: EventHistory;
  /** Pipelines run at once by this process's worker (default 2). */
  concurrency?: number;
  /** How long a job's lock lasts without renewal; BullMQ renews it at half this while the job runs. */
  lockDurationMs?: number;
  /** How often a running pipeline looks for a cancel request made on another machine. */
  cancelPollMs?: number;
  retry?: RunPipelineOptions['retry'];
  hooks?: RunPipelineOptions['hooks'];
  log?: Logger;
  now?: () => Date;
}

/**
 * Pipelines as BullMQ jobs on Redis: enqueue, a worker that runs each through the stages, and
 * cancellation that reaches a pipeline running in any process on the same Redis.
 */
export class PipelineQueue implements PipelineQueuePort {
  readonly queue: Queue<PipelineJobData>;
  readonly name: string;
  private worker: Worker<PipelineJobData> | undefined;
  private readonly active = new Map<string, AbortController>();
  private readonly log: Logger;
  private readonly now: () => Date;

  constructor(private readonly options: PipelineQueueOptions) {
    this.name = options.queueName ?? DEFAULT_QUEUE_NAME;
    this.queue = new Queue<PipelineJobData>(this.name, { connection: options.redis });
    this.log = options.log ?? createLogger({ level: 'error' });
    this.now = options.now ?? (() => new Date());
  }

  private cancelKey(pipelineId: string): string {
    return `${this.name}:cancel:${pipelineId}`;
  }

  /** Queues a pipeline whose checkpoint is saved; a pipeline already waiting is not queued twice. */
  async enqueue(pipelineId: string): Promise<void> {
    await this.options.redis.del(this.cancelKey(pipelineId));
    // A job id is reusable once its job is gone; a run that just failed may still be finishing.
    for (let i = 0; ; i++) {
      const job = await this.queue.getJob(jobIdFor(pipelineId));
      if (!job) break;
      const state = await job.getState();
      if (state === 'completed' || state === 'failed') {
        await job.remove().catch(() => undefined);
        continue;
      }
      if (state !== 'active' && state !== 'unknown') return;
      if (i >= 100) throw new FacelessError('CONFLICT', `pipeline ${pipelineId} is still running: wait for it to stop, then retry`);
      await sleep(50);
    }
    await this.queue.add('pipeline', { pipelineId, trace: traceCarrier() }, {
      jobId: jobIdFor(pipelineId),
      attempts: 1,
      removeOnComplete: true,
      removeOnFail: true,
    });
  }

  /** Starts this process's worker. */
  startWorker(): Worker<PipelineJobData> {
    if (this.worker) return this.worker;
    this.worker = new Worker<PipelineJobData>(this.name, (job) => this.process(job), {
      connection: this.options.redis,
      concurrency: this.options.concurrency ?? 2,
      lockDuration: this.options.lockDurationMs ?? 60_000,
      // A worker that died mid-pipeline: another one takes the job over and the runner resumes it.
      maxStalledCount: 3,
    });
    this.worker.on('failed', (job, err) => {
      this.log.warn('pipeline failed', { pipelineId: job?.data.pipelineId, error: err.message });
    });
    this.worker.on('error', (err) => this.log.error('worker error', { error: err.message }));
    return this.worker;
  }

  private process(job: Job<PipelineJobData>): Promise<string> {
    const { pipelineId, trace } = job.data;
    return withPipelineId(pipelineId, () => inSpan('pipeline', {
      kind: 'consumer', parent: trace, attributes: { 'faceless.pipeline.id': pipelineId, 'messaging.destination.name': this.name },
    }, () => this.run(pipelineId)));
  }

  private async run(pipelineId: string): Promise<string> {
    const cp = await this.options.checkpoints.load(pipelineId);
    if (!cp) throw new FacelessError('NOT_FOUND', `pipeline ${pipelineId} has no checkpoint`);
    // Failed: cancelled while it waited, or a run that failed and died before its job did (a retry sets Retry first).
    if (cp.state === 'Completed' || cp.state === 'Failed') return cp.state;
    const controller = new AbortController();
    const abort = (): void => controller.abort(new FacelessError('CANCELLED', `pipeline ${pipelineId} was cancelled`));
    this.active.set(pipelineId, controller);
    const timer = setInterval(() => {
      this.options.redis.exists(this.cancelKey(pipelineId))
        .then((n) => { if (n > 0) abort(); })
        .catch(() => { /* Redis away: the next poll tries again */ });
    }, this.options.cancelPollMs ?? 1_000);
    try {
      if (await this.options.redis.exists(this.cancelKey(pipelineId))) abort();
      this.log.info('pipeline run', { pipelineId, resumeFrom: cp.state });
      const done = await resumePipeline(cp, {
        client: this.options.client,
        checkpoints: this.options.checkpoints,
        bus: this.options.bus,
        history: this.options.history,
        signal: controller.signal,
        retry: this.options.retry,
        hooks: this.options.hooks,
        now: this.now,
      });
      return done.state;
    } finally {
      clearInterval(timer);
      this.active.delete(pipelineId);
    }
  }

  /**
   * Cancels a pipeline: a waiting job leaves the queue and its checkpoint is marked Failed
   * (CANCELLED); a running one is aborted here or, through a Redis key, on whichever machine runs it.
   * Either way one pipeline.failed goes out: the run publishes it, or the cancel that took the job
   * off the queue. The cancel key is set only if absent (enqueue clears it), so of two cancels of
   * one run, in any processes, only the first acts.
   */
  async cancel(pipelineId: string): Promise<CancelOutcome> {
    this.active.get(pipelineId)?.abort(new FacelessError('CANCELLED', `pipeline ${pipelineId} was cancelled`));
    const first = await this.options.redis.set(this.cancelKey(pipelineId), '1', 'EX', 3600, 'NX');
    if (first === null) return 'signalled';
    const job = await this.queue.getJob(jobIdFor(pipelineId));
    const state = job ? await job.getState() : 'unknown';
    let dequeued = false;
    if (job && (state === 'waiting' || state === 'delayed' || state === 'prioritized' || state === 'waiting-children')) {
      try {
        await job.remove();
        dequeued = true;
      } catch {
        // Taken by a worker meanwhile: the cancel key stops it.
      }
    }
    if (!job || dequeued) {
      // No job: the checkpoint was saved but never queued (or its job is gone); a worker that picks
      // a job up meanwhile sees the cancel key, or the Failed checkpoint, and does not run it.
      const cp = await this.options.checkpoints.load(pipelineId);
      if (cp && cp.state !== 'Completed' && cp.state !== 'Failed') {
        await failQueuedPipeline(cp, { ...this.options, now: this.now }, { code: 'CANCELLED', message: 'cancelled by the user' });
      }
      return 'dequeued';
    }
    return 'signalled';
  }

  /**
   * Takes a review decision under a Redis lock, so that of two decisions on one pipeline, from any
   * processes, only the first acts. A pipeline in Review has no job: approving it adds one.
   */
  async review(pipelineId: string, decision: PipelineReviewRequest): Promise<PipelineState> {
    const lock = `${this.name}:review:${pipelineId}`;
    if (await this.options.redis.set(lock, '1', 'EX', 60, 'NX') === null) {
      throw new FacelessError('NOT_IN_REVIEW', `a decision on pipeline ${pipelineId} is being taken already`, { field: 'id' });
    }
    try {
      const cp = await this.options.checkpoints.load(pipelineId);
      if (!cp) throw new FacelessError('NOT_FOUND', `no pipeline with id "${pipelineId}"`, { field: 'id' });
      return await decideReview(cp, decision, { ...this.options, now: this.now, enqueue: (id) => this.enqueue(id) });
    } finally {
      await this.options.redis.del(lock);
    }
  }

  /**
   * Adds the queue's gauges to an app registry, read from Redis at each scrape: jobs by state, the
   * oldest waiting job's age, and unfinished pipelines by state (waiting or delayed jobs are Queued;
   * a running one is in its checkpoint's state). While Redis does not answer, the series disappear
   * rather than failing the whole /metrics.
   */
  registerMetrics(registry: MetricsRegistry): void {
    const queue = this.name;
    createOperatorMetrics(registry, ['queueJobs', 'queueOldestWaiting', 'pipelinesByState'], {
      collect: {
        queueJobs: async (gauge) => {
          gauge.reset();
          const counts = await this.queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'failed').catch(() => undefined);
          if (!counts) return;
          for (const state of ['waiting', 'active', 'delayed', 'failed'] as const) {
            gauge.set({ queue, state }, (counts[state] ?? 0) + (state === 'waiting' ? counts.prioritized ?? 0 : 0));
          }
        },
        queueOldestWaiting: async (gauge) => {
          gauge.reset();
          // The wait list is pushed on the left: ascending order starts at the oldest job.
          const oldest = await this.queue.getJobs(['wait'], 0, 0, true).then((jobs) => ({ job: jobs[0] }), () => undefined);
          if (!oldest) return;
          gauge.set({ queue }, oldest.job ? Math.max(0, (this.now().getTime() - oldest.job.timestamp) / 1000) : 0);
        },
        pipelinesByState: async (gauge) => {
          gauge.reset();
          try {
            const counts = await this.queue.getJobCounts('waiting', 'prioritized', 'delayed');
            const byState = new Map<string, number>([['Queued', Object.values(counts).reduce((a, b) => a + b, 0)]]);
            for (const job of await this.queue.getJobs(['active'])) {
              const cp = job.data.pipelineId ? await this.options.checkpoints.load(job.data.pipelineId) : undefined;
              if (!cp || cp.state === 'Completed' || cp.state === 'Failed') continue;
              byState.set(cp.state, (byState.get(cp.state) ?? 0) + 1);
            }
            for (const [state, n] of byState) gauge.set({ state }, n);
          } catch {
            gauge.reset();
          }
        },
      },
    });
  }

  /** Redis answers: for /ready. */
  async ping(): Promise<boolean> {
    try {
      return (await this.options.redis.ping()) === 'PONG';
    } catch {
      return false;
    }
  }

  /** Stops taking jobs and waits for the running ones (which checkpoint as they go), then closes the queue. */
  async close(options: { force?: boolean } = {}): Promise<void> {
    // force: leave running pipelines to another worker, which resumes them from their checkpoints.
    await this.worker?.close(options.force ?? false);
    await this.queue.close();
  }
}

function jobIdFor(pipelineId: string): string {
  return pipelineId.replace(/:/g, '_');
}
