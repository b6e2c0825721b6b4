import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { ErrorBody, STAGES, type StageKey } from '@faceless/contracts';
import { FolderEventHistory, FolderStore, MemoryEventBus, openDatabase, type Database } from '@faceless/infra';
import {
  buildGatewayApp, createArtifactLinkSigner, isBinaryAnswer, loadGatewayConfig, requestBody, type UpstreamAnswer, type UpstreamCall,
} from '@faceless/api-gateway';
import {
  FolderCheckpointStore, InProcessPipelineQueue, InProcessStageClient, buildOrchestratorApp, parseMediaRoots, pipelineMetricsHooks, tracedStageClient, type PipelineCheckpoint,
} from '@faceless/pipeline';
import { FacelessError, buildStageApp, createLogger, createMetrics, type Logger } from '@faceless/runtime';
import { readCliConfig } from './config.ts';
import { stageRegistry } from './stage-registry.ts';

export interface ServeOptions {
  /** Default 3000; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1: only this machine can reach the API. */
  host?: string;
  /** Default: FACELESS_DATA_DIR or ~/.faceless. */
  dataDir?: string;
  env?: Record<string, string | undefined>;
  log?: Logger;
}

export interface ServeHandle {
  /** e.g. http://127.0.0.1:3000 */
  url: string;
  port: number;
  /** Folder of the object store: a pipeline's files are under pipelines/<id>/. */
  storeDir: string;
  checkpointDir: string;
  /** Where the A/B tests are kept: "PostgreSQL (DATABASE_URL)" or the PGlite folder. */
  database: string;
  authDisabled: boolean;
  /** Pipelines left unfinished by the last run, queued again at start. */
  resumed: string[];
  gateway: FastifyInstance;
  orchestrator: FastifyInstance;
  queue: InProcessPipelineQueue;
  bus: MemoryEventBus;
  /** Stops listening, cancels running pipelines (a retry resumes them), closes the database. */
  close(): Promise<void>;
}

/** Pipeline states a stopped server may leave behind, worth queuing again at the next start. */
const UNFINISHED = new Set(['Queued', 'Running', 'Retry', ...STAGES.map((s) => s.state)]);

/** Like the gateway's HTTP upstream client, but through `app.inject`: same answers, same errors. */
export async function injectUpstream(app: FastifyInstance, call: UpstreamCall): Promise<UpstreamAnswer> {
  const res = await app.inject({
    method: call.method,
    url: call.path,
    headers: {
      accept: 'application/json',
      'x-request-id': call.requestId,
      ...(call.body !== undefined ? { 'content-type': call.contentType ?? 'application/json' } : {}),
    },
    ...(call.body !== undefined ? { payload: requestBody(call) } : {}),
  });
  const contentType = res.headers['content-type'];
  if (isBinaryAnswer(call, res.statusCode, typeof contentType === 'string' ? contentType : undefined)) {
    return { status: res.statusCode, body: undefined, bytes: res.rawPayload, ...(typeof contentType === 'string' ? { contentType } : {}) };
  }
  let body: unknown;
  if (res.body.length > 0) {
    try {
      body = JSON.parse(res.body);
    } catch {
      body = undefined;
    }
  }
  if (res.statusCode < 400) {
    if (res.body.length > 0 && body === undefined) throw new FacelessError('PROVIDER_BAD_RESPONSE', `${call.service} answered ${res.statusCode} with a body that is not JSON`);
    return { status: res.statusCode, body };
  }
  if (ErrorBody.safeParse(body).success) return { status: res.statusCode, body };
  if (res.statusCode >= 500) throw new FacelessError('STAGE_UNAVAILABLE', `${call.service} answered ${res.statusCode}: check the log`);
  throw new FacelessError('PROVIDER_BAD_RESPONSE', `${call.service} answered ${res.statusCode} without the error format`);
}

/**
 * `faceless serve`: the gateway's HTTP API in one process on the embedded defaults: folder store,
 * folder checkpoints, in-process queue and event bus, PGlite. Nothing else to install or run.
 */
export async function startServe(options: ServeOptions = {}): Promise<ServeHandle> {
  const env = options.env ?? process.env;
  const config = readCliConfig(env);
  const dataDir = options.dataDir ?? config.dataDir;
  const log = options.log ?? createLogger({ level: config.logLevel, base: { service: 'faceless-serve' } });
  const storeDir = join(dataDir, 'store');
  const checkpointDir = join(dataDir, 'pipelines');
  const dbDir = join(dataDir, 'db');

  // Local and keyless until a key exists: API_KEYS, API_KEYS_FILE, or one made with `faceless keys create`.
  const gatewayEnv = { ...env, FACELESS_DATA_DIR: dataDir };
  const keyed = Boolean(env.API_KEYS?.trim() || env.API_KEYS_FILE?.trim()) || hasKeysFile(join(dataDir, 'api-keys.json'));
  const gatewayConfig = loadGatewayConfig({ ...gatewayEnv, ...(keyed ? {} : { AUTH_DISABLED: 'true' }) });

  let db: Promise<Database> | undefined;
  const openDb = (): Promise<Database> => {
    db ??= openDatabase(config.databaseUrl ? { url: config.databaseUrl } : { dataDir: dbDir });
    return db;
  };
  const stages = stageRegistry({ env, openDatabase: openDb });
  const store = new FolderStore(storeDir);
  const checkpoints = new FolderCheckpointStore<PipelineCheckpoint>(checkpointDir);
  const bus = new MemoryEventBus();
  // Beside the checkpoints (<id>.events.jsonl next to <id>.json), so a restart keeps it.
  const history = new FolderEventHistory(checkpointDir);
  const metrics = createMetrics({ labels: { service: 'orchestrator' } });
  const queue = new InProcessPipelineQueue({
    client: tracedStageClient(new InProcessStageClient({ stages, store, log })),
    checkpoints, bus, history, log, hooks: pipelineMetricsHooks(metrics.registry),
    concurrency: positiveInt(env.SERVE_CONCURRENCY, 1, 'SERVE_CONCURRENCY'),
    retry: { attempts: config.retryAttempts, baseDelayMs: 1000, maxDelayMs: 30_000 },
  });
  const orchestrator = buildOrchestratorApp({ queue, checkpoints, history, mediaRoots: parseMediaRoots(env.MEDIA_ROOTS), logger: false, store, metrics });

  const stageApps = new Map<StageKey, Promise<FastifyInstance>>();
  const stageApp = (key: StageKey): Promise<FastifyInstance> => {
    let app = stageApps.get(key);
    if (!app) {
      const info = STAGES.find((s) => s.key === key);
      app = stages(key).then(async (stage) => {
        const built = buildStageApp({ stage, route: info?.route ?? '/', service: info?.service ?? key, createContext: () => ({ store }), logger: false });
        if (key === 'abtest') await addExperimentRoutes(built);
        if (key === 'upload') (await import('@faceless/uploader')).registerChannelRoutes(built, { env: gatewayEnv, openDatabase: openDb });
        if (key === 'audio') {
          const tts = await import('@faceless/tts-renderer');
          tts.registerVoiceRoutes(built, tts.createProvider(tts.parseTtsConfig(env)));
        }
        return built;
      });
      stageApps.set(key, app);
    }
    return app;
  };
  // The ab-tester's experiment routes (list, show, import, evaluate, stop, rotate) beside its stage, on the same database.
  const addExperimentRoutes = async (app: FastifyInstance): Promise<void> => {
    const [ab, { readYouTubeConfig }] = await Promise.all([import('@faceless/ab-tester'), import('@faceless/youtube')]);
    const abLog = log.child({ component: 'abtest' });
    const service = ab.createAbTestService({
      database: openDb,
      publisher: ab.createYouTubeVariantPublisher({ config: readYouTubeConfig(gatewayEnv), store, fallback: ab.createRecordingPublisher(abLog), log: abLog }),
      thumbnailExists: (key) => store.exists(key).catch(() => false),
      log: abLog,
    });
    ab.registerAbTestRoutes(app, service);
  };
  const callUpstream = async (call: UpstreamCall): Promise<UpstreamAnswer> => {
    // A stage service's own routes (keywords, voices, channels, experiments) are on its stage's app; the rest is the orchestrator's.
    const stage = STAGES.find((s) => s.service === call.service)?.key;
    return injectUpstream(stage ? await stageApp(stage) : orchestrator, call);
  };

  // The folder store cannot sign links: the gateway does, so the dashboard's <video> plays and seeks (Range).
  const artifactLinks = { signer: createArtifactLinkSigner({ secret: randomBytes(32) }), store };
  const gateway = buildGatewayApp({ config: gatewayConfig, events: bus, logger: log, callUpstream, artifactLinks });
  const closeAll = async (): Promise<void> => {
    await gateway.close().catch(() => undefined);
    await queue.close({ abort: true }).catch(() => undefined);
    await orchestrator.close().catch(() => undefined);
    for (const app of stageApps.values()) await (await app).close().catch(() => undefined);
    await bus.close();
    if (db) await (await db).close().catch(() => undefined);
  };

  let url: string;
  try {
    await orchestrator.ready();
    url = await gateway.listen({ port: options.port ?? 3000, host: options.host ?? '127.0.0.1' });
  } catch (err) {
    await closeAll();
    throw err;
  }
  const address = gateway.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port ?? 3000;

  const resumed: string[] = [];
  for (const id of (await checkpoints.ids()).reverse()) {
    const cp = await checkpoints.load(id).catch(() => undefined);
    if (cp && UNFINISHED.has(cp.state)) {
      await queue.enqueue(id);
      resumed.push(id);
    }
  }

  let closing: Promise<void> | undefined;
  return {
    url, port, storeDir, checkpointDir, resumed, gateway, orchestrator, queue, bus,
    database: config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : dbDir,
    authDisabled: gatewayConfig.authDisabled,
    close: () => {
      closing ??= closeAll();
      return closing;
    },
  };
}

/** A keys file with at least one key in it (an empty list, after the last revoke, leaves serve open again). */
function hasKeysFile(path: string): boolean {
  try {
    const keys = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    return Array.isArray(keys) && keys.length > 0;
  } catch {
    return false;
  }
}

function positiveInt(raw: string | undefined, fallback: number, name: string): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 16) {
    throw new FacelessError('INVALID_OPTION', `${name} "${raw}" must be an integer from 1 to 16; unset it for ${fallback}`, { field: name });
  }
  return n;
}

/** The lines a person reads once the server listens. */
export function serveBanner(h: ServeHandle): string {
  const lines = [
    `faceless is serving the API on ${h.url}  (docs: ${h.url}/docs)`,
    `  start a video  curl -X POST ${h.url}/api/pipelines/start -H 'content-type: application/json' -d '{"topic":"why octopuses have three hearts"}'`,
    `  artifacts      ${join(h.storeDir, 'pipelines')}/<pipelineId>/`,
    `  pipelines      ${h.checkpointDir}`,
    `  A/B tests      ${h.database}`,
    h.authDisabled ? '  auth           none (local use; set API_KEYS to require keys)' : '  auth           API keys required (Authorization: Bearer <key>)',
  ];
  if (h.resumed.length > 0) lines.push(`  resuming       ${h.resumed.length} unfinished pipeline${h.resumed.length === 1 ? '' : 's'}`);
  lines.push('Press Ctrl-C to stop.');
  return `${lines.join('\n')}\n`;
}
