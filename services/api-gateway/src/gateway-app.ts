import { randomUUID } from 'node:crypto';
import type { OutgoingHttpHeaders } from 'node:http';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifySwagger from '@fastify/swagger';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { Redis } from 'ioredis';
import { ErrorBody, type PipelineEvent } from '@faceless/contracts';
import { FacelessError, createLogger, createMetrics, registerMetrics, type Logger } from '@faceless/runtime';
import type { ApiKeyRecord } from './api-keys.ts';
import {
  registerArtifactContentRoute, withSignedLinks, withThumbnailLinks, type ArtifactLinkSigner,
} from './artifact-links.ts';
import { memoryAuthFailureLimit, redisAuthFailureLimit, type AuthFailureLimit } from './auth-failure-limit.ts';
import { registerChannelRoutes } from './channel-routes.ts';
import { registerVoiceRoutes } from './voice-routes.ts';
import { DOCS_PAGE_STYLE_HASH, renderDocsPage } from './docs-page.ts';
import { loadGatewayConfig, type GatewayConfig } from './gateway-config.ts';
import {
  answerWhatNodeRefuses, clientErrorHandler, frameworkErrors, registerGatewayErrorHandler, sendError, zodValidatorCompiler,
} from './gateway-errors.ts';
import {
  GATEWAY_ROUTES, ROUTER_MAX_PARAM_LENGTH, documentTextAnswers, fastifySchema, toFastifyPath, type GatewayRouteConfig, type GatewayRouteDoc,
} from './gateway-routes.ts';
import { KeyRing } from './key-ring.ts';
import { DEFAULT_WEB_ROOT, registerWebAssets } from './web-assets.ts';
import {
  SSE_HEARTBEAT, SSE_PROGRESS_POLL_MS, formatSseEvent, formatSseProgress, isFinalEvent, runningProgress, type SseProgress,
} from './sse-format.ts';
import { SharedProgressPoll } from './progress-poll.ts';
import { callUpstream, type UpstreamAnswer, type UpstreamCall } from './upstream-client.ts';

/** Where the gateway hears pipeline events: RabbitMQ in the services mode, the in-process bus in `faceless serve`. */
export interface PipelineEventSource {
  subscribe(listener: (event: PipelineEvent) => void): () => void;
}

export interface GatewayAppOptions {
  /** Parsed config; when absent it is read from `env` (process.env by default). */
  config?: GatewayConfig;
  env?: Record<string, string | undefined>;
  events: PipelineEventSource;
  logger?: Logger;
  /** Replaces HTTP calls to the services behind the gateway (e.g. in-process in `faceless serve`). */
  callUpstream?: (call: UpstreamCall) => Promise<UpstreamAnswer>;
  /** The built dashboard served at `/` (apps/web/dist by default); false serves none. */
  webRoot?: string | false;
  /**
   * A folder store this process can read (`faceless serve`, a stack on one machine): artifact lists get the
   * gateway's own signed links and GET /api/pipelines/:id/artifacts/content serves them, with Range.
   */
  artifactLinks?: { signer: ArtifactLinkSigner; store: { localPath(key: string): string; readonly root?: string } };
  /** Clock of the failed-key limit. */
  now?: () => number;
  /** How often the event streams of one pipeline read its status for progress (SSE_PROGRESS_POLL_MS). */
  progressPollMs?: number;
  version?: string;
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** Headers on every answer; the CSP matters for the HTML pages (docs, dashboard): no inline script, no framing. */
const CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", `'${DOCS_PAGE_STYLE_HASH}'`],
  imgSrc: ["'self'", 'data:', 'blob:'],
  mediaSrc: ["'self'", 'blob:'],
  connectSrc: ["'self'"],
  fontSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

type Params = { id: string };

/** The only public entry of the stack: auth, limits, validation, then forwarding to the services. */
export function buildGatewayApp(options: GatewayAppOptions): FastifyInstance {
  const config = options.config ?? loadGatewayConfig(options.env ?? process.env);
  const logger = options.logger ?? createLogger({ level: config.logLevel, base: { service: 'api-gateway' } });
  const upstream = options.callUpstream ?? callUpstream;
  const keys = new KeyRing({ keys: config.apiKeys, envKeyIds: config.envKeyIds, file: config.keysFile, logger, ...(options.now ? { now: options.now } : {}) });
  const redis = config.redisUrl
    ? new Redis(config.redisUrl, { connectTimeout: 2000, maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: false })
    : undefined;
  redis?.on('error', (err: Error) => logger.warn('rate-limit Redis unreachable: limits are not applied until it is back', { error: err.message }));
  const authFailures: AuthFailureLimit = redis
    ? redisAuthFailureLimit(redis, config.authFailuresPerMinute)
    : memoryAuthFailureLimit(config.authFailuresPerMinute, options.now);
  const keyOf = new WeakMap<FastifyRequest, ApiKeyRecord>();
  const openStreams = new Set<() => void>();
  const progressPoll = new SharedProgressPoll(options.progressPollMs ?? SSE_PROGRESS_POLL_MS);
  const docsPage = renderDocsPage(GATEWAY_ROUTES);

  if (config.authDisabled) logger.warn('AUTH_DISABLED=true: /api/* is open to anyone who can reach this port');

  const errorOptions = { bodyLimitBytes: config.bodyLimitBytes, logger };
  const app = Fastify({
    logger: false,
    bodyLimit: config.bodyLimitBytes,
    routerOptions: { maxParamLength: ROUTER_MAX_PARAM_LENGTH },
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    frameworkErrors: frameworkErrors(errorOptions),
    clientErrorHandler,
    // Node would refuse a request without Host with an empty 400; the first onRequest hook answers it in the one format.
    http: { requireHostHeader: false },
  });
  answerWhatNodeRefuses(app.server);
  app.addHook('onRequest', async (request, reply) => {
    if (request.headers.host === undefined && request.raw.httpVersion !== '1.0') {
      return sendError(reply, { code: 'INVALID_INPUT', message: 'missing Host header: HTTP/1.1 requests must name the host they are sent to', field: 'host' });
    }
    return undefined;
  });
  app.setValidatorCompiler(zodValidatorCompiler);
  // Response schemas document the answers (and the fuzz test checks them); bodies are sent as the services made them.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  // JSON only: a text/plain body answers 415 instead of reaching a handler as a string.
  app.removeContentTypeParser('text/plain');
  registerGatewayErrorHandler(app, errorOptions);

  // Every route takes its schema and its public flag from GATEWAY_ROUTES: one definition for the router,
  // the validation, /openapi.json and /docs, and a route missing from it stops the start.
  const documented = new Map(GATEWAY_ROUTES.map((r) => [`${r.method} ${toFastifyPath(r.path)}`, r]));
  const undocumented: string[] = [];
  app.addHook('onRoute', (route) => {
    const methods = [route.method].flat();
    const doc = methods.map((m) => documented.get(`${m} ${route.url}`)).find((d): d is GatewayRouteDoc => d !== undefined)
      ?? (methods.includes('HEAD') ? documented.get(`GET ${route.url}`) : undefined);
    if (!doc) {
      if (!methods.every((m) => m === 'OPTIONS')) undocumented.push(`${methods.join(',')} ${route.url}`);
      return;
    }
    route.schema = fastifySchema(doc);
    route.config = { ...(route.config as object | undefined), public: doc.public === true } satisfies GatewayRouteConfig;
  });
  app.addHook('onReady', async () => {
    if (undocumented.length > 0) throw new Error(`routes missing from GATEWAY_ROUTES: ${undocumented.join(', ')}`);
  });

  void app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'faceless API gateway',
        version: options.version ?? '0.1.0',
        description: 'Topic in, published faceless video out. Every /api route needs Authorization: Bearer <key> unless marked public; errors share one body: { error: { code, message, field?, requestId } }.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An API key: Authorization: Bearer <key>' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: (input) => documentTextAnswers(jsonSchemaTransformObject(input)),
  });
  void app.register(fastifyHelmet, {
    contentSecurityPolicy: { useDefaults: false, directives: CSP_DIRECTIVES },
    // Served over plain HTTP on loopback; a TLS proxy in front sets HSTS.
    strictTransportSecurity: false,
    crossOriginResourcePolicy: { policy: 'same-origin' },
  });

  // Deny by default: the decision is taken on the route the router matched (its config), never on the raw URL.
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    applyCors(request, reply, config.corsOrigins);
    const routeConfig = request.routeOptions.config as GatewayRouteConfig | undefined;
    if (request.method === 'OPTIONS' || routeConfig?.public === true || config.authDisabled) return undefined;

    const address = request.ip;
    const wait = await authFailures.blockedFor(address).catch(() => 0);
    if (wait > 0) {
      reply.header('retry-after', String(wait));
      return sendError(reply, { code: 'RATE_LIMITED', message: `too many requests with a wrong API key from this address: retry in ${wait} s` });
    }
    const match = /^Bearer +(\S+) *$/i.exec(request.headers.authorization ?? '');
    const record = match?.[1] ? keys.verify(match[1]) : undefined;
    if (!record) {
      await authFailures.recordFailure(address).catch((err: unknown) => logger.warn('failed-key limit not recorded', { error: (err as Error).message }));
      return sendError(reply, {
        code: 'UNAUTHORIZED',
        message: match?.[1] ? 'the API key in Authorization is not valid: check it or ask for a new key' : 'missing Authorization: Bearer <key>',
      });
    }
    keyOf.set(request, record);
    return undefined;
  });

  void app.register(fastifyRateLimit, {
    global: true,
    hook: 'preHandler',
    timeWindow: 60_000,
    max: (request) => keyOf.get(request)?.rateLimitPerMinute ?? config.rateLimitPerMinute,
    keyGenerator: (request) => {
      const record = keyOf.get(request);
      return record ? `key:${record.id}` : `ip:${request.ip}`;
    },
    allowList: (request) => (request.routeOptions.config as GatewayRouteConfig | undefined)?.public === true || request.method === 'OPTIONS',
    ...(redis ? { redis, nameSpace: 'faceless:rate-limit:', skipOnError: true } : {}),
    addHeadersOnExceeding: { 'x-ratelimit-limit': true, 'x-ratelimit-remaining': true, 'x-ratelimit-reset': false },
    addHeaders: { 'x-ratelimit-limit': true, 'x-ratelimit-remaining': true, 'x-ratelimit-reset': false, 'retry-after': true },
    errorResponseBuilder: (request, context) => new FacelessError(
      'RATE_LIMITED',
      `rate limit of ${context.max} requests a minute reached${keyOf.get(request) ? ` for key "${keyOf.get(request)?.id}"` : ''}: retry in ${Math.max(1, Math.ceil(context.ttl / 1000))} s`,
    ),
  });

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    // The path only: a query string can carry a secret (?api_key=…, a signed link's sig).
    logger.info('request', {
      requestId: request.id, method: request.method, route, path: (request.url.split('?')[0] ?? '').slice(0, 300), status: reply.statusCode,
      ms: Math.round(reply.elapsedTime), client: keyOf.get(request)?.id,
    });
  });

  app.addHook('preClose', async () => {
    for (const close of [...openStreams]) close();
    progressPoll.close();
  });
  app.addHook('onClose', async () => {
    redis?.disconnect();
  });

  const call = (
    request: FastifyRequest, target: 'orchestrator' | 'keyword-fetcher' | 'script-generator' | 'ab-tester' | 'uploader' | 'tts-renderer',
    rest: { method: 'GET' | 'POST'; path: string; body?: unknown; contentType?: string; timeoutMs?: number; binary?: true },
  ) => {
    const where = {
      orchestrator: { baseUrl: config.upstreams.orchestrator, envName: 'ORCHESTRATOR_URL' },
      'keyword-fetcher': { baseUrl: config.upstreams.keywordFetcher, envName: 'KEYWORD_FETCHER_URL' },
      'script-generator': { baseUrl: config.upstreams.scriptGenerator, envName: 'SCRIPT_GENERATOR_URL' },
      'ab-tester': { baseUrl: config.upstreams.abTester, envName: 'AB_TESTER_URL' },
      uploader: { baseUrl: config.upstreams.uploader, envName: 'UPLOADER_URL' },
      'tts-renderer': { baseUrl: config.upstreams.ttsRenderer, envName: 'TTS_RENDERER_URL' },
    }[target];
    return upstream({ service: target, ...where, ...rest, requestId: String(request.id), timeoutMs: rest.timeoutMs ?? config.upstreamTimeoutMs });
  };

  const reply = (res: FastifyReply, request: FastifyRequest, answer: UpstreamAnswer): FastifyReply => {
    if (answer.body === undefined) return res.code(answer.status).send();
    const error = ErrorBody.safeParse(answer.body);
    const body = error.success ? { error: { ...error.data.error, requestId: error.data.error.requestId ?? String(request.id) } } : answer.body;
    return res.code(answer.status).type('application/json').send(body);
  };

  // Routes are added once the plugins above are loaded, so that swagger and the rate limit see every one of them.
  void app.register(async (api) => {
    const forwardBody = (path: string, target: 'orchestrator' | 'keyword-fetcher' | 'script-generator', upstreamPath: string) => {
      api.post(path, async (request, res) =>
        // Validated by the route's schema; the raw body is forwarded and the service applies the contract's defaults itself.
        reply(res, request, await call(request, target, { method: 'POST', path: upstreamPath, body: request.body })));
    };

    forwardBody('/api/pipelines/start', 'orchestrator', '/pipelines/start');
    forwardBody('/api/keywords/fetch', 'keyword-fetcher', '/keywords/fetch');
    forwardBody('/api/scripts/generate', 'script-generator', '/scripts/generate');

    api.get('/api/pipelines', async (request, res) => {
      const { limit, offset } = request.query as { limit: number; offset: number };
      return reply(res, request, await call(request, 'orchestrator', { method: 'GET', path: `/pipelines?limit=${limit}&offset=${offset}` }));
    });
    api.get('/api/pipelines/status/:id', async (request, res) => {
      const { id } = request.params as Params;
      return reply(res, request, await call(request, 'orchestrator', { method: 'GET', path: `/pipelines/status/${encodeURIComponent(id)}` }));
    });
    api.get('/api/pipelines/:id/artifacts', async (request, res) => {
      const { id } = request.params as Params;
      const answer = await call(request, 'orchestrator', { method: 'GET', path: `/pipelines/${encodeURIComponent(id)}/artifacts` });
      const links = options.artifactLinks;
      return reply(res, request, links && answer.status === 200 ? { ...answer, body: withSignedLinks(id, answer.body, links.signer) } : answer);
    });
    if (options.artifactLinks) registerArtifactContentRoute(api, { ...options.artifactLinks, public: true });

    // A/B tests: the ab-tester's experiment routes, under /api/abtests.
    const abtestPath = (request: FastifyRequest, rest = ''): string => `/abtest/${encodeURIComponent((request.params as Params).id)}${rest}`;
    api.get('/api/abtests', async (request, res) => {
      const { status } = request.query as { status?: string };
      return reply(res, request, await call(request, 'ab-tester', { method: 'GET', path: `/abtest${status ? `?status=${status}` : ''}` }));
    });
    api.get('/api/abtests/:id', async (request, res) => {
      const answer = await call(request, 'ab-tester', { method: 'GET', path: abtestPath(request) });
      const links = options.artifactLinks;
      return reply(res, request, links && answer.status === 200 ? { ...answer, body: withThumbnailLinks(answer.body, links.signer, links.store.root) } : answer);
    });
    api.post('/api/abtests/:id/metrics', async (request, res) =>
      reply(res, request, await call(request, 'ab-tester', { method: 'POST', path: abtestPath(request, '/metrics'), body: request.body })));
    api.post('/api/abtests/:id/metrics/csv', async (request, res) => {
      const { csv } = request.body as { csv: string };
      return reply(res, request, await call(request, 'ab-tester', { method: 'POST', path: abtestPath(request, '/metrics/csv'), body: csv, contentType: 'text/csv; charset=utf-8' }));
    });
    // Stopping, deciding and rotating may set a thumbnail and a title on YouTube: they get a minute.
    const applyTimeoutMs = Math.max(config.upstreamTimeoutMs, 60_000);
    api.post('/api/abtests/:id/stop', async (request, res) =>
      reply(res, request, await call(request, 'ab-tester', { method: 'POST', path: abtestPath(request, '/stop'), body: request.body ?? {}, timeoutMs: applyTimeoutMs })));
    for (const action of ['evaluate', 'rotate'] as const) {
      api.post(`/api/abtests/:id/${action}`, async (request, res) =>
        reply(res, request, await call(request, 'ab-tester', { method: 'POST', path: abtestPath(request, `/${action}`), timeoutMs: applyTimeoutMs })));
    }
    // Channels: the uploader's list, and adding one through Google's consent page.
    registerChannelRoutes(api, { callUploader: (request, rest) => call(request, 'uploader', rest), reply, ...(config.publicUrl ? { publicUrl: config.publicUrl } : {}) });
    registerVoiceRoutes(api, { callTtsRenderer: (request, rest) => call(request, 'tts-renderer', { ...rest, timeoutMs: Math.max(config.upstreamTimeoutMs, 30_000) }), reply });
    api.post('/api/pipelines/:id/review', async (request, res) => {
      const { id } = request.params as Params;
      return reply(res, request, await call(request, 'orchestrator', { method: 'POST', path: `/pipelines/${encodeURIComponent(id)}/review`, body: request.body }));
    });
    for (const action of ['retry', 'cancel'] as const) {
      api.post(`/api/pipelines/:id/${action}`, async (request, res) => {
        const { id } = request.params as Params;
        return reply(res, request, await call(request, 'orchestrator', { method: 'POST', path: `/pipelines/${encodeURIComponent(id)}/${action}` }));
      });
    }

    api.get('/api/pipelines/:id/events', async (request, res) => {
      const { id } = request.params as Params;
      const { after } = request.query as { after?: number };
      const lastEventId = Number(request.headers['last-event-id']);
      const resumeAfter = Math.max(after ?? 0, Number.isInteger(lastEventId) && lastEventId > 0 ? lastEventId : 0);
      // Subscribe before reading the history so no event falls between the two; seq numbers drop the overlap.
      const pending: PipelineEvent[] = [];
      const sink: { deliver?: (event: PipelineEvent) => void } = {};
      const unsubscribe = options.events.subscribe((event) => {
        if (event.pipelineId !== id) return;
        if (sink.deliver) sink.deliver(event);
        else pending.push(event);
      });
      let answer: UpstreamAnswer;
      try {
        answer = await call(request, 'orchestrator', { method: 'GET', path: `/pipelines/${encodeURIComponent(id)}/events?after=${resumeAfter}` });
      } catch (err) {
        unsubscribe();
        throw err;
      }
      if (answer.status >= 400) {
        unsubscribe();
        return reply(res, request, answer);
      }
      const history = (answer.body as { state?: unknown; events?: PipelineEvent[] } | undefined) ?? {};

      res.hijack();
      const raw = res.raw;
      raw.writeHead(200, {
        ...(res.getHeaders() as OutgoingHttpHeaders),
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      raw.write(': connected\n\n');
      let lastSeq = resumeAfter;
      let closed = false;
      const heartbeat = setInterval(() => raw.write(SSE_HEARTBEAT), config.sseHeartbeatMs);
      // Progress is not a seed event: it is read from the status the orchestrator keeps and sent when it changes.
      const finishedStages = new Set<string>();
      let lastProgress = '';
      const readProgress = async (): Promise<SseProgress | undefined> => {
        const status = await call(request, 'orchestrator', { method: 'GET', path: `/pipelines/status/${encodeURIComponent(id)}` });
        return status.status === 200 ? runningProgress(status.body) : undefined;
      };
      // Every stream of this pipeline shares one status read a poll period (many watchers, one read).
      const leaveProgress = progressPoll.watch(id, readProgress, (progress) => {
        if (closed || finishedStages.has(progress.stage)) return;
        const text = formatSseProgress(progress);
        if (text !== lastProgress) raw.write(text);
        lastProgress = text;
      });
      const close = (): void => {
        if (closed) return;
        closed = true;
        clearInterval(heartbeat);
        leaveProgress();
        unsubscribe();
        openStreams.delete(close);
        if (!raw.writableEnded) raw.end();
      };
      openStreams.add(close);
      raw.on('close', close);
      const deliver = (event: PipelineEvent, final = isFinalEvent(event)): void => {
        // History, live events and a broker's redeliveries overlap: the pipeline's own sequence number drops repeats.
        if (closed || event.seq <= lastSeq) return;
        lastSeq = event.seq;
        if (event.stage && event.name !== 'pipeline.failed') finishedStages.add(event.stage);
        raw.write(formatSseEvent(event));
        if (final) close();
      };
      // A retried pipeline's history holds an earlier pipeline.failed: only the last event can end the replay.
      const replay = [...(Array.isArray(history.events) ? history.events : []), ...pending].sort((a, b) => a.seq - b.seq);
      replay.forEach((event, index) => deliver(event, isFinalEvent(event) && index === replay.length - 1));
      sink.deliver = deliver;
      if (!closed && (history.state === 'Completed' || history.state === 'Failed')) {
        // A pipeline that ended before its history was kept has no final event to send.
        raw.write(`: pipeline already ${history.state}\n\n`);
        close();
      }
      return res;
    });

    // The CORS preflight: answered for every path, with no key, and left out of /openapi.json.
    api.options('/*', { schema: { hide: true }, config: { public: true } }, async (_request, res) => res.code(204).send());

    api.get('/health', async () => ({ status: 'ok', service: 'api-gateway' }));
    api.get('/ready', async (request, res) => {
      const answer = await call(request, 'orchestrator', { method: 'GET', path: '/health' });
      if (answer.status >= 400) return sendError(res, { code: 'STAGE_UNAVAILABLE', message: `orchestrator /health answered ${answer.status}` });
      return { status: 'ready' };
    });
    // http_requests_total and http_request_duration_seconds with service="api-gateway", as every service has,
    // for the routes of this scope (the dashboard's files are not counted).
    registerMetrics(api, createMetrics({ labels: { service: 'api-gateway' } }));
    api.get('/openapi.json', async (_request, res) => res.type('application/json').send(JSON.stringify(app.swagger())));
    api.get('/docs', async (_request, res) => res.type('text/html; charset=utf-8').send(docsPage));
  });
  if (options.webRoot !== false) registerWebAssets(app, { root: options.webRoot ?? DEFAULT_WEB_ROOT });

  return app;
}

function applyCors(request: FastifyRequest, reply: FastifyReply, origins: readonly string[]): void {
  const origin = request.headers.origin;
  if (origins.length === 0 || !origin) return;
  const any = origins.includes('*');
  if (!any && !origins.includes(origin)) return;
  reply.header('access-control-allow-origin', any ? '*' : origin);
  if (!any) reply.header('vary', 'Origin');
  reply.header('access-control-expose-headers', 'x-request-id, retry-after, x-ratelimit-limit, x-ratelimit-remaining');
  if (request.method === 'OPTIONS' && request.headers['access-control-request-method']) {
    reply.header('access-control-allow-methods', 'GET, POST, OPTIONS');
    reply.header('access-control-allow-headers', 'authorization, content-type, x-request-id, last-event-id');
    reply.header('access-control-max-age', '600');
  }
}
