import '@faceless/runtime/tracing-register'; // first: tracing patches the modules imported after it
import { pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import { z } from 'zod';
import { STAGES } from '@faceless/contracts';
import { RedisCheckpointStore, RedisEventHistory, createEventBus, createObjectStore } from '@faceless/infra';
import {
  FacelessError, createLogger, createMetrics, failStartup, flushTracing, readLogLevel, readServerAddress,
} from '@faceless/runtime';
import {
  DEFAULT_LONG_TIMEOUT_MS, DEFAULT_SHORT_TIMEOUT_MS, HttpStageClient, buildOrchestratorApp, createStagePools, parseMediaRoots,
  pipelineMetricsHooks, refreshStagePools, tracedStageClient, serviceUrlEnvName, type PipelineCheckpoint,
} from '@faceless/pipeline';
import { DEFAULT_QUEUE_NAME, PipelineQueue } from './pipeline-queue.ts';
import { registerOutboxMetrics } from './outbox-metrics.ts';

const blank = (v: unknown): unknown => (v === '' ? undefined : v);
const positiveInt = (fallback: number) => z.preprocess(blank, z.coerce.number().int().positive().default(fallback));

export const OrchestratorEnv = z.object({
  REDIS_URL: z.preprocess(blank, z.string().regex(/^rediss?:\/\//, 'must start with redis:// or rediss://').default('redis://127.0.0.1:6379')),
  PIPELINE_QUEUE: z.preprocess(blank, z.string().regex(/^[\w.-]+$/, 'letters, digits, ".", "_" and "-" only').default(DEFAULT_QUEUE_NAME)),
  CHECKPOINT_PREFIX: z.preprocess(blank, z.string().regex(/^[\w.:-]+$/).default('faceless')),
  ORCHESTRATOR_CONCURRENCY: positiveInt(2),
  /** Timeout of the long stage calls (audio, video, upload). */
  STAGE_TIMEOUT_MS: positiveInt(DEFAULT_LONG_TIMEOUT_MS),
  STAGE_SHORT_TIMEOUT_MS: positiveInt(DEFAULT_SHORT_TIMEOUT_MS),
  STAGE_RETRY_ATTEMPTS: positiveInt(4),
  STAGE_RETRY_BASE_MS: positiveInt(1_000),
  /** How often the stage services' host names are resolved again (replicas scaled or moved); 0 never. */
  STAGE_DNS_REFRESH_SEC: z.preprocess(blank, z.coerce.number().int().min(0).default(30)),
  /** "false" runs the API only (no worker in this process). */
  ORCHESTRATOR_WORKER: z.preprocess(blank, z.enum(['true', 'false']).default('true')),
  /** Absolute folders a pipeline started over the API may name as mediaDir/musicDir; none by default. */
  MEDIA_ROOTS: z.string().optional().transform((v, ctx) => {
    try {
      return parseMediaRoots(v);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: err instanceof Error ? err.message : String(err) });
      return z.NEVER;
    }
  }),
});
export type OrchestratorEnv = z.infer<typeof OrchestratorEnv>;

/** The orchestrator's settings, listing every bad variable at once. */
export function parseOrchestratorEnv(env: Record<string, string | undefined>): OrchestratorEnv {
  const r = OrchestratorEnv.safeParse(env);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new FacelessError('INVALID_OPTION', `invalid orchestrator configuration: ${lines.join('; ')}`, { field: String(r.error.issues[0]?.path[0] ?? '') });
  }
  return r.data;
}

/** The `<SERVICE>_URL` variables the orchestrator reads, one per stage service. */
export const STAGE_URL_ENV_NAMES = STAGES.map((s) => serviceUrlEnvName(s.service));

async function main(): Promise<void> {
  const env = process.env;
  const cfg = parseOrchestratorEnv(env);
  const address = readServerAddress(env, 3001);
  const level = readLogLevel(env);
  const log = createLogger({ level: level === 'fatal' || level === 'trace' || level === 'silent' ? 'info' : level, base: { service: 'orchestrator' } });

  const redis = new Redis(cfg.REDIS_URL, { maxRetriesPerRequest: null });
  const checkpoints = new RedisCheckpointStore<PipelineCheckpoint>({ redis, prefix: cfg.CHECKPOINT_PREFIX });
  const history = new RedisEventHistory({ redis, prefix: cfg.CHECKPOINT_PREFIX });
  const bus = createEventBus(env, { redis, name: 'orchestrator' });
  const pools = await createStagePools(env);
  const client = new HttpStageClient({
    pools, longTimeoutMs: cfg.STAGE_TIMEOUT_MS, shortTimeoutMs: cfg.STAGE_SHORT_TIMEOUT_MS, log,
  });
  // The app's registry, made first so the pipeline runner's metrics are on the /metrics it serves.
  const metrics = createMetrics({ labels: { service: 'orchestrator' } });
  const queue = new PipelineQueue({
    redis, queueName: cfg.PIPELINE_QUEUE, client: tracedStageClient(client), checkpoints, bus, history, log, hooks: pipelineMetricsHooks(metrics.registry),
    concurrency: cfg.ORCHESTRATOR_CONCURRENCY,
    retry: { attempts: cfg.STAGE_RETRY_ATTEMPTS, baseDelayMs: cfg.STAGE_RETRY_BASE_MS, maxDelayMs: 30_000 },
  });
  queue.registerMetrics(metrics.registry);
  registerOutboxMetrics(metrics.registry, bus);
  if (cfg.ORCHESTRATOR_WORKER === 'true') queue.startWorker();

  const app = buildOrchestratorApp({
    queue, checkpoints, history, mediaRoots: cfg.MEDIA_ROOTS, logger: { level }, store: createObjectStore(process.env), metrics,
  });
  const url = await app.listen({ port: address.port, host: address.host });
  log.info('orchestrator listening', {
    url, queue: cfg.PIPELINE_QUEUE, concurrency: cfg.ORCHESTRATOR_CONCURRENCY,
    stages: Object.fromEntries(Object.entries(pools).map(([k, p]) => [k, p.urls])),
  });

  const dnsRefresh = cfg.STAGE_DNS_REFRESH_SEC > 0
    ? setInterval(() => {
      void refreshStagePools(pools).then((changed) => {
        for (const key of changed) log.info('stage instances changed', { stage: key, urls: pools[key].urls });
      }, () => undefined);
    }, cfg.STAGE_DNS_REFRESH_SEC * 1000)
    : undefined;
  dnsRefresh?.unref();

  let closing = false;
  const shutdown = (signal: string): void => {
    if (closing) return;
    closing = true;
    log.info('shutting down', { signal });
    if (dnsRefresh) clearInterval(dnsRefresh);
    setTimeout(() => process.exit(1), 15_000).unref();
    // Running pipelines are left to another worker (or this one after a restart): they resume from their checkpoints.
    void (async () => {
      await app.close().catch(() => undefined);
      await queue.close({ force: true }).catch(() => undefined);
      await bus.close().catch(() => undefined);
      await redis.quit().catch(() => undefined);
      await flushTracing();
      process.exit(0);
    })();
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => failStartup('orchestrator', err));
}
