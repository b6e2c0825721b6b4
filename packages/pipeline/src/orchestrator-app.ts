import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import Fastify, { type FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  PipelineRequest, PipelineReviewRequest, type PipelineEvent, type PipelineState, type StartPipelineResponse,
} from '@faceless/contracts';
import type { CheckpointStore, EventHistory, ObjectStore } from '@faceless/infra';
import {
  FacelessError, createMetrics, fastifyLoggerOptions, registerErrorHandler, registerMetrics, traceCarrier, validateBody, type AppMetrics, type LogLevel,
} from '@faceless/runtime';
import { confineServerPaths } from './media-roots.ts';
import { newCheckpoint, type PipelineCheckpoint } from './pipeline-runner.ts';
import { artifactKeys, toPipelineStatus, toPipelineSummary, type PipelineSummary } from './pipeline-status.ts';
import { SEED_CATALOG, type StageCatalog } from './stage-catalog.ts';

/** A checkpoint store that can also list pipeline ids, most recent first (RedisCheckpointStore does). */
export interface ListableCheckpointStore<T> extends CheckpointStore<T> {
  list(options: { limit: number; offset: number }): Promise<string[]>;
}

/** What a cancel did: took a waiting pipeline off the queue, or signalled the run that has it. */
export type CancelOutcome = 'dequeued' | 'signalled';

/**
 * The queue the API hands pipelines to: BullMQ on Redis in the orchestrator, in process in
 * `faceless serve`. The API does not care which.
 */
export interface PipelineQueuePort {
  /** Queues a pipeline whose checkpoint is saved; one already waiting is not queued twice. */
  enqueue(pipelineId: string): Promise<void>;
  cancel(pipelineId: string): Promise<CancelOutcome>;
  /**
   * Takes the decision on a pipeline waiting in Review (decideReview), one decision at a time
   * across every process on the queue's backend: approved, it is queued again; rejected, it ends
   * Failed with one pipeline.failed. Answers the state it is left in.
   */
  review(pipelineId: string, decision: PipelineReviewRequest): Promise<PipelineState>;
  /** Whether the queue's backend answers: for /ready. */
  ping(): Promise<boolean>;
}

export interface OrchestratorAppOptions {
  queue: PipelineQueuePort;
  checkpoints: ListableCheckpointStore<PipelineCheckpoint>;
  /** The events the queue's runs keep, for GET /pipelines/:id/events. */
  history: Pick<EventHistory, 'read'>;
  /** The stages the status lists, in order (default the seed's). */
  catalog?: StageCatalog;
  /** Absolute folders a request's mediaDir/musicDir must be inside (MEDIA_ROOTS); none by default, so none is accepted. */
  mediaRoots?: readonly string[];
  metrics?: AppMetrics;
  /** false for silence; default JSON lines on stdout. */
  logger?: false | { level?: LogLevel; stream?: { write(line: string): void } };
  bodyLimit?: number;
  now?: () => Date;
  newId?: () => string;
  /** Where the stages write; when it can sign URLs (S3), /pipelines/:id/artifacts offers short-lived downloads. */
  store?: Pick<ObjectStore, 'describe' | 'signedUrl'>;
  /** Lifetime of a signed download URL. */
  downloadUrlSec?: number;
}

export interface PipelineArtifacts {
  pipelineId: string;
  expiresInSec: number;
  /** `location` is the object key: never a path on the server. */
  artifacts: { name: string; key: string; url?: string; location: string }[];
}

/** What GET /pipelines/:id/events answers: the pipeline's stored events after a seq, ascending. */
export interface PipelineEventHistory {
  pipelineId: string;
  state: PipelineState;
  events: PipelineEvent[];
}

export interface PipelineList {
  pipelines: PipelineSummary[];
  limit: number;
  offset: number;
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;

const EventsQuery = z.object({
  after: z.string().regex(/^\d{1,15}$/, 'must be a whole number ≥ 0').transform(Number).default(0),
});

const ListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).default(0),
});

/**
 * The orchestrator's HTTP API (not yet listening), over either queue: start, status, list, retry and cancel
 * pipelines, plus /health, /ready (Redis answers) and /metrics. Errors answer with ErrorBody.
 */
export function buildOrchestratorApp(options: OrchestratorAppOptions): FastifyInstance {
  const now = options.now ?? (() => new Date());
  const newId = options.newId ?? randomUUID;
  const { queue, checkpoints } = options;
  const catalog = options.catalog ?? SEED_CATALOG;
  const app = Fastify({
    logger: options.logger === false ? false : fastifyLoggerOptions({
      level: options.logger?.level ?? 'info',
      base: { service: 'orchestrator' },
      ...(options.logger?.stream ? { stream: options.logger.stream } : {}),
    }),
    bodyLimit: options.bodyLimit ?? 256 * 1024,
    genReqId: (req: IncomingMessage) => {
      const v = req.headers['x-request-id'];
      return typeof v === 'string' && REQUEST_ID.test(v) ? v : randomUUID();
    },
  });
  registerErrorHandler(app);
  registerMetrics(app, options.metrics ?? createMetrics({ labels: { service: 'orchestrator' } }));
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  const load = async (id: string): Promise<PipelineCheckpoint> => {
    const cp = await checkpoints.load(id);
    if (!cp) throw new FacelessError('NOT_FOUND', `no pipeline with id "${id}": start one with POST /pipelines/start`, { field: 'id' });
    return cp;
  };

  app.get('/health', async () => ({ status: 'ok', service: 'orchestrator' }));

  app.get('/ready', async (_request, reply) => {
    const redis = await queue.ping();
    return reply.status(redis ? 200 : 503).send({ status: redis ? 'ready' : 'not ready', checks: { redis } });
  });

  app.post('/pipelines/start', async (request, reply) => {
    validateBody(PipelineRequest, request.body, 'pipeline request');
    const pipelineRequest = await confineServerPaths(PipelineRequest.parse(request.body), options.mediaRoots ?? []);
    const pipelineId = newId();
    const trace = traceCarrier();
    const cp = { ...newCheckpoint(pipelineId, pipelineRequest, `pipelines/${pipelineId}/`, now().toISOString()), ...(trace.traceparent ? { trace } : {}) };
    await checkpoints.save(pipelineId, cp);
    await queue.enqueue(pipelineId);
    request.log.info({ pipelineId, topic: pipelineRequest.topic }, 'pipeline queued');
    const body: StartPipelineResponse = { pipelineId, state: 'Queued' };
    return reply.status(202).send(body);
  });

  app.get<{ Params: { id: string } }>('/pipelines/status/:id', async (request) => toPipelineStatus(await load(request.params.id), catalog));

  app.get<{ Params: { id: string } }>('/pipelines/:id/artifacts', async (request): Promise<PipelineArtifacts> => {
    const cp = await load(request.params.id);
    const expiresInSec = options.downloadUrlSec ?? 900;
    const store = options.store;
    const artifacts = await Promise.all(artifactKeys(cp).map(async ({ name, key }) => ({
      name,
      key,
      location: key,
      ...(store?.signedUrl ? { url: await store.signedUrl(key, expiresInSec) } : {}),
    })));
    return { pipelineId: cp.pipelineId, expiresInSec, artifacts };
  });

  app.get<{ Params: { id: string } }>('/pipelines/:id/events', async (request): Promise<PipelineEventHistory> => {
    const parsed = EventsQuery.safeParse(request.query);
    if (!parsed.success) {
      throw new FacelessError('INVALID_INPUT', `invalid after: ${parsed.error.issues[0]?.message ?? 'bad query'} (the seq of the last event you have; 0 or leave it out for all)`, { field: 'after' });
    }
    // The checkpoint first: once it says Completed or Failed, the history already holds the event that ended it.
    const cp = await load(request.params.id);
    const events = await options.history.read(cp.pipelineId, parsed.data.after);
    return { pipelineId: cp.pipelineId, state: cp.state, events };
  });

  app.get('/pipelines', async (request): Promise<PipelineList> => {
    const parsed = ListQuery.safeParse(request.query);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue?.path.join('.') || 'query';
      throw new FacelessError('INVALID_INPUT', `invalid ${field}: ${issue?.message ?? 'bad query'} (limit 1–100, offset ≥ 0)`, { field });
    }
    const { limit, offset } = parsed.data;
    const ids = await checkpoints.list({ limit, offset });
    const cps = await Promise.all(ids.map((id) => checkpoints.load(id)));
    return { pipelines: cps.filter((cp) => cp !== undefined).map((cp) => toPipelineSummary(cp, catalog)), limit, offset };
  });

  app.post<{ Params: { id: string } }>('/pipelines/:id/retry', async (request, reply) => {
    const cp = await load(request.params.id);
    if (cp.state !== 'Failed') {
      throw new FacelessError('CONFLICT', `pipeline ${cp.pipelineId} is ${cp.state}: only a Failed pipeline can be retried`, { field: 'id' });
    }
    // Retry first, so a second retry request meets a conflict instead of queuing the pipeline twice.
    await checkpoints.save(cp.pipelineId, { ...cp, state: 'Retry', updatedAt: now().toISOString() });
    await queue.enqueue(cp.pipelineId);
    request.log.info({ pipelineId: cp.pipelineId, failedStage: cp.error?.stage }, 'pipeline retry queued');
    const body: StartPipelineResponse = { pipelineId: cp.pipelineId, state: 'Retry' };
    return reply.status(202).send(body);
  });

  app.post<{ Params: { id: string } }>('/pipelines/:id/review', async (request, reply) => {
    validateBody(PipelineReviewRequest, request.body, 'review decision');
    const decision = PipelineReviewRequest.parse(request.body);
    const cp = await load(request.params.id);
    const state = await queue.review(cp.pipelineId, decision);
    request.log.info({ pipelineId: cp.pipelineId, decision: decision.decision, state }, 'pipeline review decided');
    const body: StartPipelineResponse = { pipelineId: cp.pipelineId, state };
    return reply.status(202).send(body);
  });

  app.post<{ Params: { id: string } }>('/pipelines/:id/cancel', async (request, reply) => {
    const cp = await load(request.params.id);
    if (cp.state === 'Completed') {
      throw new FacelessError('CONFLICT', `pipeline ${cp.pipelineId} is already Completed: there is nothing to cancel`, { field: 'id' });
    }
    if (cp.state !== 'Failed') await queue.cancel(cp.pipelineId);
    const after = (await checkpoints.load(cp.pipelineId)) ?? cp;
    request.log.info({ pipelineId: cp.pipelineId, state: after.state }, 'pipeline cancel requested');
    const body: StartPipelineResponse = { pipelineId: cp.pipelineId, state: after.state };
    return reply.status(202).send(body);
  });

  return app;
}
