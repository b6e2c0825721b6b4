import { randomUUID } from 'node:crypto';
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { LogController } from 'fastify';
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { stageInfo, type StageKey } from '@faceless/contracts';
import type { Database, ObjectStore } from './ports.ts';
import { FacelessError } from './errors.ts';
import { flushTracing } from './tracing.ts';
import { errorBody, logRequestError, registerErrorHandler } from './http-errors.ts';
import { fastifyLoggerOptions, redactFields, type Logger } from './logger.ts';
import { createMetrics, registerMetrics, type StageOutcome } from './metrics.ts';
import {
  PROGRESS_STREAM_TYPE, acceptsProgressStream, progressThrottle, type ProgressStreamLine, type ProgressThrottle,
} from './progress-stream.ts';
import type { Stage, StageFactoryOptions } from './stage.ts';

/** The Fastify app a stage service serves; re-exported so services need not depend on fastify. */
export type StageApp = FastifyInstance;

/** Outcome of a readiness check: true, false, or false with the reason shown on /ready. */
export type ReadyResult = boolean | { ready: boolean; reason?: string };

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface StageAppLoggerOptions {
  level?: LogLevel;
  /** Where JSON lines go (stdout by default); tests pass a collecting stream. */
  stream?: { write(line: string): void };
}

export interface StageAppOptions {
  stage: Stage;
  /** The seed route, e.g. "/keywords/fetch". */
  route: string;
  /** The service name, e.g. "keyword-fetcher": in /health, logs and metric labels. */
  service: string;
  /** What each request's StageContext is built on. */
  createContext: (request: FastifyRequest) => { store: ObjectStore } | Promise<{ store: ObjectStore }>;
  /** Whether the service's dependencies answer (object store, database); /ready is 200 only when true. */
  ready?: () => Promise<ReadyResult>;
  /** Largest accepted request body in bytes (default 1 MiB). */
  bodyLimit?: number;
  /** false for silence; default JSON lines on stdout at LOG_LEVEL (info). */
  logger?: false | StageAppLoggerOptions;
  readyTimeoutMs?: number;
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;
const PROBE_PATHS = new Set(['/health', '/ready', '/metrics']);

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return typeof v === 'string' && REQUEST_ID.test(v) ? v : undefined;
}

/** LOG_LEVEL from the environment, rejected with the accepted values when it is not one. */
export function readLogLevel(env: Record<string, string | undefined>, fallback: LogLevel = 'info'): LogLevel {
  const raw = env.LOG_LEVEL?.trim().toLowerCase();
  if (!raw) return fallback;
  const level = LOG_LEVELS.find((l) => l === raw);
  if (!level) throw new FacelessError('INVALID_OPTION', `LOG_LEVEL "${env.LOG_LEVEL}" is not one of ${LOG_LEVELS.join(', ')}`, { field: 'LOG_LEVEL' });
  return level;
}

/** Adapts Fastify's pino logger to the runtime Logger stages use, redacting secret-looking fields. */
export function loggerFromPino(log: FastifyBaseLogger): Logger {
  const clean = (fields?: Record<string, unknown>): Record<string, unknown> => redactFields(fields ?? {});
  return {
    debug: (msg, fields) => log.debug(clean(fields), msg),
    info: (msg, fields) => log.info(clean(fields), msg),
    warn: (msg, fields) => log.warn(clean(fields), msg),
    error: (msg, fields) => log.error(clean(fields), msg),
    child: (fields) => loggerFromPino(log.child(clean(fields))),
  };
}

function issueField(issue: z.core.$ZodIssue): string | undefined {
  const path = issue.path.map(String);
  // strictObject reports unknown keys on the parent: name the key itself.
  if (issue.code === 'unrecognized_keys' && issue.keys[0]) path.push(issue.keys[0]);
  return path.length > 0 ? path.join('.') : undefined;
}

/** Validates a request body against a stage's input schema; INVALID_INPUT names the first bad field. */
export function validateBody(schema: z.ZodType, body: unknown, what: string): void {
  const result = schema.safeParse(body);
  if (result.success) return;
  const problems = result.error.issues.map((i) => `${issueField(i) ?? 'body'}: ${i.message}`);
  const first = result.error.issues[0];
  const field = first ? issueField(first) : undefined;
  throw new FacelessError('INVALID_INPUT', `invalid ${what}: ${problems.join('; ')}`, field ? { field } : {});
}

async function checkReady(ready: () => Promise<ReadyResult>, timeoutMs: number): Promise<{ ready: boolean; reason?: string }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<{ ready: boolean; reason: string }>((resolve) => {
    timer = setTimeout(() => resolve({ ready: false, reason: `readiness check did not answer within ${timeoutMs} ms` }), timeoutMs);
  });
  try {
    const r = await Promise.race([
      ready().then((v) => (typeof v === 'boolean' ? { ready: v } : v)),
      timeout,
    ]);
    return r.ready ? r : { ready: false, reason: r.reason ?? 'a dependency is not ready' };
  } catch (err) {
    // Only our own errors carry messages meant for people; others could hold connection strings.
    const reason = err instanceof FacelessError ? err.message : `readiness check failed (${err instanceof Error ? err.name : 'error'})`;
    return { ready: false, reason };
  } finally {
    clearTimeout(timer);
  }
}

/** A readiness check for an object store: one existence query (a bucket HEAD for S3) must answer. */
export function storeReady(store: ObjectStore): () => Promise<ReadyResult> {
  return async () => {
    await store.exists('.faceless/ready-probe');
    return true;
  };
}

/**
 * One stage as an HTTP service (not yet listening): POST <route> runs the stage on the JSON body
 * (answering JSON, or a progress stream to a client that accepts application/x-ndjson), plus
 * GET /health, /ready and /metrics, JSON logs with request and pipeline ids, ErrorBody on every error.
 */
export function buildStageApp(options: StageAppOptions): FastifyInstance {
  const { stage, route, service } = options;
  const loggerOptions = options.logger === false
    ? false
    : fastifyLoggerOptions({
      level: options.logger?.level ?? readLogLevel(process.env),
      base: { service },
      ...(options.logger?.stream ? { stream: options.logger.stream } : {}),
    });
  const app = Fastify({
    logger: loggerOptions,
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    requestIdHeader: false,
    logController: new LogController({
      requestIdLogLabel: 'requestId',
      // Probes arrive every few seconds: logging each would drown the stage lines.
      disableRequestLogging: (req: { url?: string }) => PROBE_PATHS.has((req.url ?? '').split('?')[0] ?? ''),
    }),
    genReqId: (req) => header(req, 'x-request-id') ?? randomUUID(),
    childLoggerFactory(logger, bindings, childOptions, rawReq) {
      const pipelineId = header(rawReq as IncomingMessage, 'x-pipeline-id');
      return logger.child(pipelineId ? { ...bindings, pipelineId } : bindings, childOptions);
    },
  });
  // Only JSON is accepted: text/plain would otherwise reach the stage as a string.
  app.removeContentTypeParser('text/plain');

  const metrics = createMetrics({ labels: { service } });
  registerErrorHandler(app);
  registerMetrics(app, metrics);
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  app.get('/health', async () => ({ status: 'ok', service }));
  app.get('/ready', async (request, reply) => {
    if (!options.ready) return { status: 'ready', service };
    const r = await checkReady(options.ready, options.readyTimeoutMs ?? 3000);
    if (r.ready) return { status: 'ready', service };
    request.log.warn({ reason: r.reason }, 'not ready');
    return reply.status(503).send({ status: 'unavailable', service, reason: r.reason });
  });

  app.post(route, async (request, reply) => {
    validateBody(stage.input, request.body, `${service} request body`);
    const { store } = await options.createContext(request);
    const controller = new AbortController();
    const onClose = (): void => {
      if (!reply.raw.writableFinished) controller.abort(new FacelessError('CANCELLED', 'the client disconnected before the stage finished'));
    };
    reply.raw.once('close', onClose);
    const workDir = await mkdtemp(join(tmpdir(), `faceless-${service}-`));
    const log = request.log.child({ stage: stage.name });
    const stream = acceptsProgressStream(request.headers.accept) ? openProgressStream(reply, request.id) : undefined;
    const started = process.hrtime.bigint();
    let outcome: StageOutcome = 'error';
    try {
      const output: unknown = await stage.execute(request.body, {
        store,
        log: loggerFromPino(log),
        signal: controller.signal,
        workDir,
        progress: (fraction, note) => {
          log.debug({ fraction, note }, 'progress');
          stream?.progress.report(fraction, note);
        },
      });
      outcome = 'ok';
      if (!stream) return output;
      stream.end({ result: output });
      return reply;
    } catch (err) {
      if (controller.signal.aborted) outcome = 'cancelled';
      if (!stream) throw err;
      // The 200 and its headers are sent: the error travels as the stream's last line.
      logRequestError(log, err);
      stream.end(errorBody(err, request.id));
      return reply;
    } finally {
      stream?.progress.stop();
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.stageDuration.observe({ stage: stage.name, outcome }, seconds);
      log.info({ outcome, durationMs: Math.round(seconds * 1000) }, 'stage finished');
      reply.raw.off('close', onClose);
      await rm(workDir, { recursive: true, force: true }).catch((err: unknown) => log.warn({ err, workDir }, 'could not remove the work folder'));
    }
  });
  return app;
}

/**
 * Answers a stage request as a progress stream: 200 with NDJSON headers now, progress lines while
 * the stage runs, and one final line. Errors found before the stage starts (a bad body) still
 * answer with their status and ErrorBody, since they are thrown before this is opened.
 */
function openProgressStream(reply: FastifyReply, requestId: string): { progress: ProgressThrottle; end(line: ProgressStreamLine): void } {
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, {
    ...(reply.getHeaders() as OutgoingHttpHeaders),
    'content-type': `${PROGRESS_STREAM_TYPE}; charset=utf-8`,
    'cache-control': 'no-cache, no-transform',
    'x-accel-buffering': 'no',
    'x-request-id': requestId,
  });
  const write = (line: ProgressStreamLine): void => {
    if (!raw.writableEnded && !raw.destroyed) raw.write(`${JSON.stringify(line)}\n`);
  };
  return {
    progress: progressThrottle(write),
    end(line) {
      write(line);
      if (!raw.writableEnded) raw.end();
    },
  };
}

/** PORT and HOST from the environment; PORT must be an integer 0–65535. */
export function readServerAddress(env: Record<string, string | undefined>, defaultPort: number): { port: number; host: string } {
  const raw = env.PORT?.trim();
  const port = raw ? Number(raw) : defaultPort;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new FacelessError('INVALID_OPTION', `PORT "${env.PORT}" is not a port number (0–65535); unset it for the default ${defaultPort}`, { field: 'PORT' });
  }
  return { port, host: env.HOST?.trim() || '0.0.0.0' };
}

/** Listens, and on SIGTERM/SIGINT closes the app (finishing requests in flight) and exits 0. */
export async function startServer(app: FastifyInstance, address: { port: number; host: string }, options: { graceMs?: number } = {}): Promise<string> {
  const url = await app.listen({ port: address.port, host: address.host });
  let closing = false;
  const shutdown = (signal: string): void => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    setTimeout(() => {
      app.log.error('requests still running after the grace period: exiting anyway');
      process.exit(1);
    }, options.graceMs ?? 10_000).unref();
    app.close().then(() => flushTracing()).then(() => process.exit(0), (err: unknown) => {
      app.log.error({ err }, 'could not close cleanly');
      process.exit(1);
    });
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
  return url;
}

/** For a service's main: prints why it could not start (no stack for our own errors) and exits 1. */
export function failStartup(service: string, err: unknown): never {
  const message = err instanceof FacelessError ? `${err.code}: ${err.message}` : err instanceof Error ? (err.stack ?? err.message) : String(err);
  process.stderr.write(`${JSON.stringify({ level: 'fatal', service, msg: `could not start: ${message}` })}\n`);
  process.exit(1);
}

/** What a business service's buildApp receives. */
export interface ServiceAppOptions {
  env: Record<string, string | undefined>;
  store: ObjectStore;
  openDatabase?: () => Promise<Database>;
  /** false for silence; default JSON lines at LOG_LEVEL. */
  logger?: false | StageAppLoggerOptions;
}

/**
 * A business service (not listening): its stage on its seed route plus /health, /ready (the object
 * store answers, and `ready` when given), /metrics.
 */
export function buildServiceApp(
  key: StageKey,
  createStage: (options: StageFactoryOptions) => Stage,
  options: ServiceAppOptions,
  ready?: () => Promise<ReadyResult>,
): StageApp {
  const info = stageInfo(key);
  const { store } = options;
  const storeCheck = storeReady(store);
  return buildStageApp({
    stage: createStage({ env: options.env, ...(options.openDatabase ? { openDatabase: options.openDatabase } : {}) }),
    route: info.route,
    service: info.service,
    createContext: () => ({ store }),
    ready: ready ? async () => { await storeCheck(); return ready(); } : storeCheck,
    logger: options.logger ?? { level: readLogLevel(options.env) },
  });
}

/** A business service's main: PORT (default its seed port), HOST (0.0.0.0), storage from S3_* or FACELESS_STORE_DIR. */
export async function runService(
  key: StageKey,
  buildApp: (options: ServiceAppOptions) => StageApp,
  createObjectStore: (env: Record<string, string | undefined>) => ObjectStore,
): Promise<void> {
  const info = stageInfo(key);
  try {
    const env = process.env;
    await startServer(buildApp({ env, store: createObjectStore(env) }), readServerAddress(env, info.port));
  } catch (err) {
    failStartup(info.service, err);
  }
}
